"""Issue 14 line 8: wire copy is cited as the agency, via the outlet that carried it; a mere mention is not."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from qa.ingest import read_corpus_file
from qa.ingest.wire import wire_credits, wire_in_byline, wire_in_credit_line
from qa.models import MetadataSource, Republication
from tests.support.seeds import FORBES, KYIV

REPO = Path(__file__).resolve().parents[2]
STORY = (
    "Officials said on Tuesday the bridge would stay closed for repairs until the spring, after inspectors "
    "found cracks in two of its supports during a routine check last week."
)
ENDING = "Engineers expect the work to cost about 12 million dollars, the transport department said."


def read_record(tmp_path: Path, **record) -> object:
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    reading = read_corpus_file(path, corpus_dir=tmp_path)
    [article] = reading.articles
    return article


@pytest.mark.parametrize(
    "dateline,wire",
    [
        ("TAIPEI, Taiwan (AP) —", "Associated Press"),
        ("WASHINGTON, March 3 (Reuters) -", "Reuters"),
        ("PARIS (AFP) -", "AFP"),
        ("BERLIN (dpa) -", "dpa"),
        ("MADRID (EFE) —", "EFE"),
        ("ROME (ANSA) -", "ANSA"),
        ("TOKYO (Kyodo) -", "Kyodo News"),
        ("BEIJING (Xinhua) --", "Xinhua"),
        ("LONDON (PA) -", "PA Media"),
        ("MIAMI (UPI) --", "UPI"),
    ],
)
def test_a_wire_dateline_cites_the_wire_via_the_carrier(tmp_path, dateline, wire):
    article = read_record(
        tmp_path, title="Bridge stays shut", publisher="Daily Courier", date="2024-03-05",
        url="https://dailycourier.example/bridge", text=f"{dateline} {STORY}\n\n{ENDING}",
    )  # fmt: skip
    assert article.outlet == wire
    assert article.republished_by == Republication(
        outlet="Daily Courier", published=dt.date(2024, 3, 5), url="https://dailycourier.example/bridge"
    )
    assert article.provenance["outlet"].source == MetadataSource.TEXT
    assert "wire dateline" in article.provenance["outlet"].detail
    assert article.provenance["republished_by"].source == MetadataSource.RECORD


@pytest.mark.parametrize(
    "byline", ["Carla K. Johnson, AP", "By Ann Lee and Bo Chan, Reuters", "Nidal al-Mughrabi, Reuters"]
)
def test_a_byline_field_crediting_the_wire_cites_the_wire(tmp_path, byline):
    article = read_record(tmp_path, title="Bridge stays shut", publisher="Daily Courier", authors=byline, text=STORY)
    assert article.outlet in ("Associated Press", "Reuters")
    assert article.republished_by.outlet == "Daily Courier"
    assert f"byline {byline!r}" in article.provenance["outlet"].detail
    assert article.provenance["outlet"].source == MetadataSource.RECORD


def test_a_credit_line_on_top_cites_the_wire_and_is_dropped_from_the_text(tmp_path):
    article = read_record(tmp_path, source="Daily Courier", text=f"By The Associated Press\n\n{STORY}\n\n{ENDING}")
    assert (article.outlet, article.republished_by.outlet) == ("Associated Press", "Daily Courier")
    assert article.text == f"{STORY}\n\n{ENDING}"


@pytest.mark.parametrize(
    "text,authors",
    [
        (f"{STORY} Reuters reported that talks would resume.\n\n{ENDING}", None),
        (f"{STORY}\n\n{ENDING}\n\nThe Associated Press contributed to this report.", None),
        (f"{STORY}\n\nAccording to AFP, the bridge opened in 1962.\n\n{ENDING}", None),
        (STORY, "Rebecca Rubin, Reuters/Variety"),
        (STORY, "Janet W. Lee, Variety via Reuters"),
        (STORY, "Writing by Patrick Johnston; Editing by Peter Graff"),
        (STORY, "Pittsburgh, PA"),
        (f"Home | News | AP\n\n{STORY}", None),
        (f"the national news agency, Yonhap,\nsaid the surplus would grow.\n\n{STORY}", None),
    ],
)
def test_a_mention_or_a_shared_credit_leaves_the_carrier_as_the_outlet(tmp_path, text, authors):
    record = {"publisher": "Daily Courier", "text": text}
    if authors:
        record["authors"] = authors
    article = read_record(tmp_path, **record)
    assert (article.outlet, article.republished_by) == ("Daily Courier", None)


def test_the_wire_own_copy_is_cited_as_the_wire_without_via(tmp_path):
    article = read_record(tmp_path, publisher="Reuters UK", text=f"LONDON (Reuters) - {STORY}")
    assert (article.outlet, article.republished_by) == ("Reuters UK", None)


def test_a_wire_credit_without_a_carrier_names_the_wire_alone(tmp_path):
    article = read_record(tmp_path, text=f"TAIPEI, Taiwan (AP) — {STORY}")
    assert (article.outlet, article.republished_by) == ("Associated Press", None)


def test_an_outlet_a_person_wrote_is_never_overridden(tmp_path):
    (tmp_path / "note.md").write_text(f"---\noutlet: Daily Courier\n---\nTAIPEI, Taiwan (AP) — {STORY}\n")
    [article] = read_corpus_file(tmp_path / "note.md", corpus_dir=tmp_path).articles
    assert (article.outlet, article.republished_by) == ("Daily Courier", None)


def test_a_saved_page_with_a_wire_dateline_is_the_wire_via_the_site(tmp_path):
    page = (
        '<html><head><meta property="og:site_name" content="Daily Courier"><title>Bridge stays shut</title></head>'
        f"<body><article><p>Associated Press</p><p>TAIPEI, Taiwan (AP) — {STORY}</p><p>{ENDING}</p>"
        "<p>Sign up for our Morning Briefing newsletter</p></article></body></html>"
    )
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    [article] = read_corpus_file(tmp_path / "page.html", corpus_dir=tmp_path).articles
    assert (article.outlet, article.republished_by.outlet) == ("Associated Press", "Daily Courier")
    assert "Sign up" not in article.text and not article.text.startswith("Associated Press")


@pytest.mark.parametrize("name", [FORBES, KYIV])
def test_the_seed_pages_credit_no_wire(name):
    """Forbes via The America One News (with its "Getty Images" credit) and the Kyiv Independent keep their outlets."""
    assert wire_credits((REPO / "corpus" / name).read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("value", ["Reuters/Variety", "Variety via Reuters", "AP Source: GM recall", "Smith, PA"])
def test_bylines_naming_two_sources_or_none_credit_no_wire(value):
    assert wire_in_byline(value) is None


@pytest.mark.parametrize(
    "line",
    [
        "Photo: Jane Doe, AFP",
        "Getty Images, AFP",
        "Jacquelyn Martin, AP",  # a photo credit under a picture in USA Today
        "AP Photo/Jacquelyn Martin",
        "File, Reuters",
        "Jane Smith and The Associated Press",
        "By Jane Smith and The Associated Press",
        "Tags: Politics, Reuters",
    ],
)
def test_photo_credits_labels_and_shared_credits_in_the_text_credit_no_wire(tmp_path, line):
    assert wire_in_credit_line(line) is None
    article = read_record(tmp_path, publisher="Daily Courier", text=f"{line}\n\n{STORY}\n\n{ENDING}")
    assert (article.outlet, article.republished_by) == ("Daily Courier", None)


@pytest.mark.parametrize(
    "line,wire",
    [("By Carla K. Johnson, AP", "Associated Press"), ("Associated Press", "Associated Press"), ("REUTERS", "Reuters")],
)
def test_a_by_line_or_the_agency_alone_in_the_text_credits_the_wire(line, wire):
    assert wire_in_credit_line(line) == wire


def test_a_byline_field_may_name_the_writer_and_the_wire_but_not_share_it():
    assert wire_in_byline("Carla K. Johnson, AP") == "Associated Press"
    assert wire_in_byline("Jane Smith and The Associated Press") is None
    assert wire_in_byline("Photo: Jane Doe, AFP") is None and wire_in_byline("Getty Images, AFP") is None


def test_a_credited_line_is_the_one_removed_from_the_text(tmp_path):
    """Credit and cleaning share one shape of credit line: a photo credit credits nothing and is kept."""
    article = read_record(tmp_path, publisher="Daily Courier", text=f"Jacquelyn Martin, AP\n\n{STORY}\n\n{ENDING}")
    assert article.text.startswith("Jacquelyn Martin, AP")
    credited = read_record(tmp_path, publisher="Daily Courier", text=f"By Carla K. Johnson, AP\n\n{STORY}")
    assert credited.outlet == "Associated Press" and credited.text == STORY


def _bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "bench" / "wire_attribution.py"), *args],
        capture_output=True, text=True, cwd=REPO, env={"PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}, check=False,
    )  # fmt: skip


def test_the_bench_counts_wire_copy_carried_and_own_and_mentions(tmp_path):
    records = [
        {"headline": "A", "link": "https://www.huffpost.com/entry/a", "authors": "Carla K. Johnson, AP",
         "short_description": "Health experts said it is too early to say.", "date": "2022-09-23"},
        {"headline": "B", "link": "https://www.huffpost.com/entry/b", "authors": "Lawrence Hurley, Reuters",
         "short_description": "The court ruled on Monday.", "date": "2022-09-22"},
        {"headline": "C", "link": "https://www.huffpost.com/entry/c", "authors": "Mary Papenfuss",
         "short_description": "Reuters reported the flight was delayed.", "date": "2022-09-21"},
        {"headline": "D", "publisher": "Reuters", "short_description": "Oil rose on Monday.", "date": "2022-09-20"},
    ]  # fmt: skip
    (tmp_path / "items.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    (tmp_path / "PROVENANCE.md").write_text("# About these items\n\nFour items written for a test.\n")
    result = _bench("--data", str(tmp_path), "--sample", "1")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "items.jsonl: 4 articles"
    assert "cited as a wire via its carrier: 2 {'Associated Press': 1, 'Reuters': 1}" in lines[1]
    assert "decided by: {'byline': 2}" in lines[2]
    assert "the wire's own copy (no carrier): 1 {'Reuters': 1}" in lines[3]
    assert "naming a wire, left with their outlet: 1" in lines[4]
    assert lines[-1] == f"reproduce: python bench/wire_attribution.py --data {tmp_path} --sample 1"
    assert "PROVENANCE.md" not in result.stdout


def test_the_bench_says_when_the_data_is_missing(tmp_path):
    result = _bench("--data", str(tmp_path / "nowhere"))
    assert result.returncode != 0 and "nowhere: missing" in result.stderr
