"""Issue 14 line 7: text from JSON, JSONL, CSV and HTML loses the carrier's credit, byline and promo lines too."""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.ingest import read_corpus_file
from qa.ingest.boilerplate import clean_carried_text, is_carried_chrome
from tests.support.seeds import FORBES, KYIV, SENTENCE_BREAK, raw_body_paragraphs

NOISE = [
    "Associated Press",
    "By The Associated Press",
    "Reuters",
    "By Jane Smith and Tom Brown",
    "Prep for the polls: See who is running for president and where they stand on key issues in our Voter Guide",
    "Sign up for our Daily Briefing newsletter",
    "Subscribe to The Morning Edition",
    "Get the latest headlines delivered straight to your inbox every morning.",
    "Read more: Ukraine war latest",
    "See also: How satellite internet works",
    "Download the NewsNow app for breaking news alerts",
    "(AP Photo/Evan Vucci)",
    "Advertisement",
]
"""Promo and credit lines of several shapes: the rules are patterns, not these strings."""

PROSE = [
    "Finland will become a member of NATO next week, officials said.",
    "Reuters reported that the talks would resume on Monday.",
    "Register of Deeds Ann Lee said the records were lost in the flood.",
    "Subscribers to the service rose by a fifth last year, the company said.",
    "By Monday the river had risen two metres above its usual level.",
    "Associated Press reporters were turned away at the border on Tuesday, the agency said.",
]


@pytest.mark.parametrize("line", NOISE)
def test_promo_and_credit_lines_are_carried_chrome(line):
    assert is_carried_chrome(line)


@pytest.mark.parametrize("line", PROSE)
def test_prose_that_mentions_an_agency_or_a_subscription_is_kept(line):
    assert not is_carried_chrome(line)


def _with_noise(paragraphs: list[str]) -> str:
    """The body with a credit line twice on top and a noise line after every other paragraph."""
    lines = ["Associated Press", "Associated Press"]
    for number, paragraph in enumerate(paragraphs):
        lines.append(paragraph)
        if number % 2 == 0:
            lines.append(NOISE[(number // 2) % len(NOISE)])
    return "\n\n".join(lines)


def _write(corpus: Path, fmt: str, text: str) -> Path:
    record = {"title": "A story", "publisher": "Daily Courier", "date": "2024-02-11", "body": text}
    path = corpus / f"story.{fmt}"
    if fmt == "json":
        path.write_text(json.dumps(record), encoding="utf-8")
    elif fmt == "jsonl":
        path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(record))
        writer.writeheader()
        writer.writerow(record)
        path.write_text(buffer.getvalue(), encoding="utf-8")
    else:
        paragraphs = "".join(f"<p>{html.escape(p)}</p>\n" for p in text.split("\n\n"))
        path.write_text(
            '<html><head><title>A story</title><meta property="og:site_name" content="Daily Courier"></head>'
            f"<body><article>\n{paragraphs}</article></body></html>",
            encoding="utf-8",
        )
    return path


FORMATS = ["json", "jsonl", "csv", "html"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", [FORBES, KYIV])
def test_every_seed_sentence_survives_and_no_noise_line_does(tmp_path, fmt, name):
    """The sentence-by-sentence test of the raw seeds (tests/ingest/test_boilerplate.py), on record and page text."""
    paragraphs = raw_body_paragraphs(name)
    path = _write(tmp_path, fmt, _with_noise(paragraphs))
    [article] = read_corpus_file(path, corpus_dir=tmp_path).articles
    sentences = [s for p in paragraphs for s in SENTENCE_BREAK.split(p)]
    assert [sentence for sentence in sentences if sentence not in article.text] == []
    assert article.text.split("\n\n") == paragraphs
    assert [line for line in NOISE if line in article.text.split("\n\n")] == []


USA_TODAY_AP = {
    "headline": "Taiwan's president says the island will not be provoked",
    "source": "USA TODAY",
    "publishedAt": "2024-01-09T08:12:00Z",
    "url": "https://www.usatoday.com/story/news/world/2024/01/09/taiwan-president-china-warships/72150000007/",
    "content": (
        "Associated Press\n"
        "Associated Press\n\n"
        "TAIPEI, Taiwan (AP) — Taiwan's president said on Tuesday the island would not be provoked, "
        "as Chinese warships sailed near its coast for a third day.\n\n"
        "Prep for the polls: See who is running for president and where they stand on key issues in our Voter Guide\n\n"
        "The defence ministry said the ships had left the strait by evening. "
        "It said its forces had watched them closely.\n\n"
        "Associated Press writer Ann Lee in Beijing contributed."
    ),
}


def test_a_usa_today_record_of_an_ap_story_is_clean_and_cited_as_ap_via_usa_today(tmp_path):
    path = tmp_path / "usatoday.jsonl"
    path.write_text(json.dumps(USA_TODAY_AP) + "\n", encoding="utf-8")
    [article] = read_corpus_file(path, corpus_dir=tmp_path).articles
    assert article.text.split("\n\n") == [
        "TAIPEI, Taiwan (AP) — Taiwan's president said on Tuesday the island would not be provoked, "
        "as Chinese warships sailed near its coast for a third day.",
        "The defence ministry said the ships had left the strait by evening. "
        "It said its forces had watched them closely.",
        "Associated Press writer Ann Lee in Beijing contributed.",
    ]
    assert "Voter Guide" not in article.text
    assert article.outlet == "Associated Press"
    assert article.republished_by is not None and article.republished_by.outlet == "USA TODAY"
    assert article.republished_by.url == USA_TODAY_AP["url"]


def test_a_record_that_is_only_a_headline_is_kept_whole(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"title": "Sign up for the marathon opens", "source": "Daily Courier"}) + "\n")
    [article] = read_corpus_file(path, corpus_dir=tmp_path).articles
    assert article.text == "Sign up for the marathon opens"


@given(st.lists(st.one_of(st.text(max_size=60), st.sampled_from(NOISE + PROSE + [""])), max_size=20).map("\n".join))
def test_cleaning_carried_text_only_drops_whole_lines_and_never_empties_text(raw):
    cleaned = clean_carried_text(raw)
    lines = {line.strip() for line in raw.splitlines()}
    assert all(line.strip() in lines for line in cleaned.splitlines())
    assert bool(raw.strip()) <= bool(cleaned.strip())


def test_wrapped_prose_and_repeated_table_rows_are_kept():
    """Reuters-21578 wires are hard-wrapped and carry tables: a line continuing a sentence, or a table row seen
    twice, is the story's, not the carrier's."""
    text = (
        "The company said holders may\n"
        "subscribe to ordinary shares.\n"
        "Shr nil vs nil\n"
        "Shr nil vs nil\n"
        "Pay April 15\n"
        "Pay April 15\n"
        "USA TODAY\n"
        "USA TODAY\n"
        "The offer closes in May."
    )
    assert clean_carried_text(text).splitlines() == [
        "The company said holders may",
        "subscribe to ordinary shares.",
        "Shr nil vs nil",
        "Shr nil vs nil",
        "Pay April 15",
        "Pay April 15",
        "The offer closes in May.",
    ]


def test_text_in_angle_brackets_that_is_no_html_element_is_kept(tmp_path):
    """Reuters writes unlisted companies as `<DataBank Systems Ltd>`; only real tags are markup."""
    body = (
        "Shares of <DataBank Systems Ltd> rose after <Wrought Copper Ltd> said it would buy them, "
        "and 3 < 4 while 5 > 2 in the filing."
    )
    html_body = "<p>The <b>board</b> met on Monday.</p><!-- tracking --><p>It agreed the sale.</p>"
    path = tmp_path / "wire.jsonl"
    records = [{"title": "Takeover", "text": body}, {"title": "Board", "text": html_body}]
    path.write_text("\n".join(json.dumps(record) for record in records), encoding="utf-8")
    texts = [article.text for article in read_corpus_file(path, corpus_dir=tmp_path).articles]
    assert texts[0] == body
    assert texts[1] == "The board met on Monday.\n\nIt agreed the sale."
