"""The summary line quotes only statements, verbatim, with the speaker only when attributed."""

from __future__ import annotations

import datetime as dt

import pytest

from qa.summary import QuotedReport, is_fragment, is_heading, is_promo, quotable_span, summary_line

DAY = dt.date(2024, 3, 5)


def report(passage: str, sentence: str, outlet: str = "USA Today") -> QuotedReport:
    start = passage.index(sentence)
    return QuotedReport(passage, (start, start + len(sentence)), outlet, DAY)


@pytest.mark.parametrize(
    "line",
    [
        "More: Trump hails ruling on Colorado ballot as a big win for America",
        "READ MORE: Supreme Court rules Trump can stay on the ballot",
        "Sign up for our politics newsletter to get the latest news every morning.",
        "Related: What the ruling means for the other states",
    ],
)
def test_a_promo_line_is_never_quoted(line):
    assert is_promo(line)
    assert summary_line([report(line, line)]) is None


@pytest.mark.parametrize(
    "line",
    ["Robert F. Kennedy Jr.", "WASHINGTON (Reuters)", "Photo: Getty Images", "The dollar, the yen and the euro."],
)
def test_a_fragment_is_not_a_statement(line):
    assert is_fragment(line)


def test_headings_are_told_from_sentences():
    assert is_heading("Supreme Court Rules Trump Can Stay On Colorado Ballot")
    assert not is_heading("The Supreme Court ruled that Trump can stay on the Colorado ballot.")


def test_a_name_fragment_alone_is_left_out_of_the_summary():
    passage = "Robert F. Kennedy Jr.\n\nThe campaign said on Tuesday that he would run as an independent candidate."
    assert quotable_span(passage, (0, len("Robert F. Kennedy Jr."))) is None
    assert summary_line([report(passage, "Robert F. Kennedy Jr.")]) is None


def test_the_summary_quotes_verbatim_and_names_only_an_attributed_speaker():
    said = "“We will not sell terminals to Russia,” the company said in a statement on Friday."
    about = "It left Arsenal manager Arsene Wenger without a victory in his last five league games."
    wenger = "“We played well and deserved more,” Wenger said. " + about
    line = summary_line([report(said, said, "Forbes"), report(wenger, about, "CNN")])
    assert line == (
        "Forbes, 5 Mar 2024: “We will not sell terminals to Russia,” the company said in a statement on Friday."
        "” · CNN, 5 Mar 2024: “" + about + "”"
    )


def test_a_summary_names_the_speaker_of_a_reporting_clause():
    sentence = "Rates will stay high for longer than markets expect, Fed chair Jerome Powell told reporters."
    assert summary_line([report(sentence, sentence, "CNN")]) == f"Jerome Powell (CNN, 5 Mar 2024): “{sentence}”"
