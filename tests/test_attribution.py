"""Naming the speaker of an answer sentence, only when the passage says who it is."""

from __future__ import annotations

import pytest

from qa.attribution import speaker_of


def span_of(text: str, sentence: str) -> tuple[int, int]:
    start = text.index(sentence)
    return start, start + len(sentence)


@pytest.mark.parametrize(
    ("text", "sentence", "speaker"),
    [
        (
            "“A number of false news reports claim that SpaceX is selling Starlink terminals to Russia. "
            "This is categorically false,” Musk said on his social media platform X.",
            "This is categorically false,” Musk said on his social media platform X.",
            "Musk",
        ),
        (
            "In a Feb. 8 post on X, formerly Twitter, SpaceX officials said the company “does not do "
            "business of any kind with the Russian government or its military.”",
            "In a Feb. 8 post on X, formerly Twitter, SpaceX officials said the company “does not do "
            "business of any kind with the Russian government or its military.”",
            "SpaceX",
        ),
        (
            "After Forbes reached out to SpaceX for comment, it responded by sharing a link back to a previous denial.",
            "After Forbes reached out to SpaceX for comment, it responded by sharing a link back to a previous denial.",
            "SpaceX",
        ),
        (
            "Rates will rise, according to the Bank of England.",
            "Rates will rise, according to the Bank of England.",
            "Bank of England",
        ),
        ("Prices rose sharply in March.", "Prices rose sharply in March.", None),
    ],
)
def test_speaker(text, sentence, speaker):
    assert speaker_of(text, span_of(text, sentence)) == speaker


# -- the failure shapes seen on real news (issue 15) -------------------------------------------

REPORTED = [
    # Reuters: subject after a comma, with a title before the name
    (
        "Japan's 1987 car export restraint to the European Community (EC) is not enough, EC external trade chief "
        "Willy de Clercq said.",
        "Willy de Clercq",
    ),
    # a title and "of the" stay out of the name
    (
        "U.K. Chancellor of the Exchequer Nigel Lawson said the Government was going ahead with the flotation.",
        "Nigel Lawson",
    ),
    ("U.S. Secretary of State George Shultz warned members they could no longer rely on exports.", "George Shultz"),
    # the organisation speaks through its spokesman; "Tate and Lyle" is one name
    ("A strike will continue over the weekend, a Japan Harbour Transportation Association spokesman said.",
     "Japan Harbour Transportation Association"),
    ("Five other ships are waiting to be discharged, Tate and Lyle added.", "Tate and Lyle"),
    # inverted after a comma, with an appositive after the name
    ("Energy futures now set the standard for oil pricing, said Arnold Safer, president of a consulting firm.",
     "Arnold Safer"),
    # an acronym at the start of a sentence is a name, not a capitalised common word
    ("DRS, a warfare systems producer, said it would make the transaction through a cash tender offer.", "DRS"),
    # "according to" names the agent, without a dangling "of"
    ("Lanes will close overnight, according to Delaware Department of Transportation officials.",
     "Delaware Department of Transportation"),
    # a possessive: the person after it, or the organisation when its spokesman speaks
    ("Tap water in 40 states holds the chemical, Environmental Working Group’s Scott Faber said.", "Scott Faber"),
    ("Tap water in 40 states holds the chemical, the Environmental Working Group’s spokesman said.",
     "Environmental Working Group"),
    # a possessive inside the name stays: "X of Y's Z", a one-word name after the possessive
    ("Barronelle Stutzman of Arlene's Flowers said she will turn the struggle over to others.",
     "Barronelle Stutzman of Arlene's Flowers"),
    ("The suspect claimed someone gave him the crane, according to the Chilton County Sheriff’s Office.",
     "Chilton County Sheriff’s Office"),
    # an outlet's own "The" after a lowercase word
    ("Some athletes cited his divisive politics as reasons for not attending, according to The Root.", "The Root"),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "speaker"), REPORTED)
def test_a_reporting_clause_names_its_subject_whole(sentence, speaker):
    assert speaker_of(sentence, (0, len(sentence))) == speaker


NOT_SAID_BY_THEM = [
    # a sentence about someone, after a sentence they said
    ("“We played well and deserved more,” Wenger said after the match.",
     "It left Arsenal manager Arsene Wenger without a victory in his last five league games."),
    ("Intel chief executive Pat Gelsinger said the company would build two more factories.",
     "Biden was at the Chandler plant in March to tout the grants."),
    # narration after a quoted statement: nobody is quoted saying it
    ("“We will keep buying,” Dauster said.",
     "The Managua meeting was attended by representatives from Brazil, Mexico and Guatemala."),
    # someone else speaks: an aide, trading banks polled by a news agency, analysts at a bank
    ("", "“It will be difficult to meet in July,” an aide to USDA undersecretary Daniel Amstutz said."),
    ("", "Trading banks polled by Reuters said their ability to offer services depends on the strike."),
    ("", "The dollar will fall further, analysts at Merrill Lynch said."),
    # a possessive with nothing after it, a number word, a heading word, a part of a name
    ("", "The Environmental Working Group's guide said the levels were too high."),
    ("", "Fifteen said they would not return to work until the dispute was settled."),
    ("", "What they said about the storm was that it would weaken overnight."),
    ("", "Industrial Equity (Pacific) Ltd, a Hong Kong investment firm, said it raised its stake."),
    ("", "The Association said in a statement that its members would give full cover."),
    # the subject of the reporting verb is unnamed
    ("", "A spokeswoman for the company said the attack was the 31st in nine months."),
    ("", "The House member said he'll resign from office after the holidays."),
    ("", "Trump told Christie the probe was over, the former New Jersey governor told FBI investigators."),
    ("", "The Ohio Republican said he wasn't sure if he'd spoken to Trump before the insurrection."),
    # a reporting verb inside a quotation is the quoted person's words
    ("", "“Nancy Pelosi said out loud they will win!” Colbert exclaimed."),
    # "told X": X is the listener; a place before an aside is not a subject
    ("", "Bilateral trade disputes are increasing, the minister told Reuters on Friday."),
    ("", "Many were injured at the Houston, Texas, event following a crush toward the stage, said authorities."),
]  # fmt: skip


@pytest.mark.parametrize(("before", "sentence"), NOT_SAID_BY_THEM)
def test_nobody_is_named_when_the_passage_does_not_attribute_the_sentence(before, sentence):
    text = f"{before} {sentence}".strip()
    assert speaker_of(text, span_of(text, sentence)) is None


@pytest.mark.parametrize(
    ("text", "sentence", "speaker"),
    [
        # "he said" continues the account of the speaker named just before
        (
            "Agriculture Secretary Richard Lyng said he was troubled by the prospect. "
            "“Yes, I'm troubled with that a little bit,” he said.",
            "“Yes, I'm troubled with that a little bit,” he said.",
            "Richard Lyng",
        ),
        # a quotation's second sentence takes the clause after the quotation
        (
            "“We are going ahead. The issue has been underwritten,” Lawson said in a BBC radio interview.",
            "We are going ahead.",
            "Lawson",
        ),
        # and the clause before it: "X told a conference: “…”"
        (
            "ASA Vice President James Adams told an ASA-sponsored conference: “It will be filed unless the EC acts.”",
            "It will be filed unless the EC acts.",
            "James Adams",
        ),
        # a quoted paragraph running on from the speaker's quotation before it
        (
            "“This is categorically false,” Musk said on his social media platform X.\n\n"
            "“To the best of our knowledge, no Starlinks have been sold directly or indirectly to Russia.”",
            "“To the best of our knowledge, no Starlinks have been sold directly or indirectly to Russia.”",
            "Musk",
        ),
        # but a quotation after narration has no speaker
        (
            "The company cut its forecast on Monday.\n\n“We expect a weak second half.”",
            "“We expect a weak second half.”",
            None,
        ),
        # "he said" after a sentence that names nobody: unknown
        (
            "The plant can process 13,000 hogs a day. The union rejected the proposal, he said.",
            "The union rejected the proposal, he said.",
            None,
        ),
    ],
)
def test_a_continued_account_or_quotation_takes_its_speaker_from_the_next_clause(text, sentence, speaker):
    assert speaker_of(text, span_of(text, sentence)) == speaker
