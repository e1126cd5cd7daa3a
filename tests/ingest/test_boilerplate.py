"""Page chrome is stripped from raw dumps, and every paragraph of the article body survives."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.errors import QAError
from qa.ingest.boilerplate import body_paragraphs, clean_page_text, is_chrome
from qa.ingest.text import read_text
from tests.support.seeds import (
    BODY_PARAGRAPH_COUNT,
    FORBES,
    KYIV,
    PAGE_NOISE,
    SENTENCE_BREAK,
    raw_body_paragraphs,
)

PAGE_LINES = {
    # Short header and widget lines whose words also occur in the body: checked as whole paragraphs.
    FORBES: [
        "May 31, 2025 |",
        "0",
        "| Remer,MN",
        "back",
        "topic",
        "Forbes",
        "11 Feb 2024",
        "Ukraine And Russia Trade Fire In Donetsk Region",
    ],
    KYIV: ["8.7 C", "New York", "Related articles", "Recent articles"],
}

def test_the_seed_body_paragraphs_are_found_in_the_raw_files():
    # Guards raw_body_paragraphs (tests/support/seeds.py): if it miscounted, the "kept" tests below would prove little.
    assert {name: len(raw_body_paragraphs(name)) for name in (FORBES, KYIV)} == BODY_PARAGRAPH_COUNT


@pytest.mark.parametrize("seed", ["forbes", "kyiv"])
@pytest.mark.parametrize("noise", PAGE_NOISE)
def test_page_noise_is_not_in_the_article_text(seed_articles, seed, noise):
    assert noise not in seed_articles[seed].text


@pytest.mark.parametrize("noise", PAGE_NOISE)
def test_page_noise_is_not_in_any_indexed_passage(indexed_passages, noise):
    offending = [p.text for p, _ in indexed_passages if noise in p.text]
    assert offending == []


@pytest.mark.parametrize("seed,name", [("forbes", FORBES), ("kyiv", KYIV)])
def test_page_lines_are_not_paragraphs_of_the_article(seed_articles, seed, name):
    paragraphs = seed_articles[seed].text.split("\n\n")
    assert [line for line in PAGE_LINES[name] if line in paragraphs] == []


@pytest.mark.parametrize("seed,name", [("forbes", FORBES), ("kyiv", KYIV)])
def test_every_body_sentence_of_the_raw_file_is_kept(seed_articles, seed, name):
    text = seed_articles[seed].text
    sentences = [s for p in raw_body_paragraphs(name) for s in SENTENCE_BREAK.split(p)]
    assert len(sentences) > BODY_PARAGRAPH_COUNT[name]
    missing = [sentence for sentence in sentences if sentence not in text]
    assert missing == []


@pytest.mark.parametrize("seed,name", [("forbes", FORBES), ("kyiv", KYIV)])
def test_the_article_text_is_the_body_paragraphs_in_order(seed_articles, seed, name):
    assert seed_articles[seed].text.split("\n\n") == raw_body_paragraphs(name)


@pytest.mark.parametrize(
    "line",
    [
        "Sponsor:\u00a0 QWIKET:\u00a0Elevate your fantasy game! Interactive Sports Knowledge.",
        "Read also: Russian military uses Starlink inside Ukraine, intelligence confirms",
        "Getty Images",
        "Photo: Sergei Supinsky / AFP via Getty Images",
        "The Ukrainian government released an audio clip of what it claims is ... [+] installing.",
        "8.7 C",
        "New York",
        "We’ve been working hard to bring you news. Consider supporting the Kyiv Independent.",
        "72°F Sunny",
        "Sign up for our daily newsletter to get the most important stories of the day delivered to you.",
        "Follow us on Twitter, Facebook and Instagram for the latest news and updates from our newsroom.",
        "Share this article",
        "© 2024 Valley Courier Media Group. All rights reserved. Reproduction without permission is prohibited.",
        "Advertisement - scroll to continue reading the rest of this story below this message from our sponsor.",
    ],
)
def test_chrome_lines_are_recognized(line):
    assert is_chrome(line)


@pytest.mark.parametrize(
    "line",
    [
        "Multiple Russian companies advertise Starlink terminals. SpaceX said these are scams.",
        "“To the best of our knowledge, no Starlinks have been sold directly or indirectly.”",
        "He said it works.",
    ],
)
def test_prose_lines_are_not_chrome(line):
    assert not is_chrome(line)


def test_a_link_list_is_dropped_until_prose_resumes():
    long_paragraph = (
        "The council met again on Tuesday evening and voted to extend the library's opening hours "
        "through the winter, citing strong demand from students and shift workers in the district."
    )
    raw = "\n".join(
        [
            "The library will stay open later this winter, the council said on Tuesday.",
            "Related articles",
            "Council approves new budget",
            "Library wins regional award.",
            long_paragraph,
        ]
    )
    assert body_paragraphs(raw) == [
        "The library will stay open later this winter, the council said on Tuesday.",
        long_paragraph,
    ]


def test_hard_wrapped_lines_are_joined_into_one_paragraph():
    raw = (
        "The council met again on Tuesday evening and voted\n"
        "to extend the library's opening hours through the winter.\n"
        "\n"
        "Students welcomed the decision at the meeting.\n"
    )
    assert clean_page_text(raw) == (
        "The council met again on Tuesday evening and voted to extend the library's opening "
        "hours through the winter.\n\nStudents welcomed the decision at the meeting."
    )


def _squeeze(text: str) -> str:
    """White space as the cleaner sees it (it also treats zero-width spaces as space)."""
    return re.sub(r"[\s\u200b]+", " ", text).strip()


page_like_text = st.lists(
    st.one_of(
        st.text(max_size=80),
        st.sampled_from(["", "Related articles", "Sponsor: X", "Getty Images", "Read also: more"]),
        st.lists(
            st.sampled_from(["word", "Musk", "said.", "end!", "“quote”", "…"]), max_size=30
        ).map(" ".join),
    ),
    max_size=30,
).map("\n".join)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(page_like_text)
def test_cleaning_never_invents_text(raw):
    cleaned = clean_page_text(raw)
    source = _squeeze(raw)
    for paragraph in cleaned.split("\n\n") if cleaned else []:
        assert paragraph == paragraph.strip() and paragraph
        assert _squeeze(paragraph) in source


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    st.one_of(
        st.text(), st.builds(lambda fm, body: f"---\n{fm}\n---\n{body}", st.text(), st.text())
    )
)
def test_the_text_reader_never_crashes(raw):
    try:
        documents = read_text(raw, origin="story.txt").documents
    except QAError as error:  # bad front matter is reported, as one line naming the file
        assert str(error).startswith("story.txt")
        return
    assert all(isinstance(document.text, str) for document in documents)
