"""The same story from two outlets is stored once by `qa index`, with every outlet and date listed."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from qa.config import BUNDLED_MODEL, Settings
from qa.engine import Engine
from qa.models import Answer
from qa.store.index import DB_NAME, Index
from tests.support.processes import qa

STORY = (
    "The harbour authority of Port Elmsley voted on Monday to close the old ferry terminal by the end "
    "of the year, officials said, after engineers found cracks in the pier that could not be repaired "
    "safely. Ferries to the northern islands will move to the new container quay, which the authority "
    "said would be ready for passengers in November. Island residents said the new quay was too far "
    "from the town centre and asked for a free shuttle bus, which the authority promised to consider. "
    "The terminal opened in 1911 and handled more than two million passengers a year at its peak."
)
# The same wire story as re-run by another outlet: new first words, a changed phrase, a trimmed end.
RERUN = "UPDATED: " + STORY.replace("officials said", "port officials told reporters").rsplit(" The terminal", 1)[0]
OTHER = (
    "The national orchestra announced its winter season on Tuesday, with twelve concerts in the capital "
    "and a tour of five provincial cities. The conductor said the programme would mix familiar symphonies "
    "with new works by young composers, three of them commissioned for the season. Tickets go on sale next "
    "month, and students will be able to buy any seat for a fixed low price on the day of the concert. "
    "The orchestra said its audience had grown for the third year running."
)
QUESTION = "Why is the Port Elmsley ferry terminal closing?"
WIRE_FILE, RERUN_FILE, OTHER_FILE = "b_wire.md", "a_courier.md", "c_orchestra.md"
"""The later copy sorts first by file name: the earlier publication must still be the one kept."""


def write(corpus: Path, name: str, text: str, *, outlet: str, published: str) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    front = f"---\ntitle: Story from {outlet}\noutlet: {outlet}\npublished: {published}\n---\n"
    (corpus / name).write_text(front + text + "\n", encoding="utf-8")


def write_wire(corpus: Path) -> None:
    write(corpus, WIRE_FILE, STORY, outlet="Reuters", published="2024-03-04")


def write_rerun(corpus: Path) -> None:
    write(corpus, RERUN_FILE, RERUN, outlet="Daily Courier", published="2024-03-05")


@pytest.fixture
def settings(tmp_path) -> Settings:
    corpus = tmp_path / "corpus"
    write(corpus, OTHER_FILE, OTHER, outlet="Arts Weekly", published="2024-03-05")
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "index", model=BUNDLED_MODEL)


def build(settings: Settings, embedder):
    return Engine(settings, embedder=embedder).build_index()


def stored(settings: Settings) -> dict[str, tuple[str | None, list[tuple[str | None, dt.date | None, str | None]]]]:
    """source file -> (outlet, [(outlet, date, file) listed as also published by]) of every stored article."""
    connection = sqlite3.connect(settings.index_dir / DB_NAME)
    doc_ids = [row[0] for row in connection.execute("SELECT doc_id FROM articles")]
    connection.close()
    index = Index.open(settings.index_dir)
    try:
        articles = [index.article(doc_id) for doc_id in doc_ids]
    finally:
        index.close()
    return {
        a.source_path: (a.outlet, [(c.outlet, c.published, c.source_path) for c in a.also_published_by])
        for a in articles
        if a is not None
    }


COURIER_LISTED = [("Daily Courier", dt.date(2024, 3, 5), RERUN_FILE)]


def test_two_outlets_with_one_story_are_stored_once_the_earliest_kept_and_the_other_listed(settings, embedder):
    write_wire(settings.corpus_dir)
    write_rerun(settings.corpus_dir)
    report = build(settings, embedder)
    assert stored(settings) == {WIRE_FILE: ("Reuters", COURIER_LISTED), OTHER_FILE: ("Arts Weekly", [])}
    assert [(f.path, f.reason) for f in report.folded] == [
        (RERUN_FILE, f"folded as a syndicated copy of {WIRE_FILE} (also published by Daily Courier, 5 Mar 2024)")
    ]
    assert report.skipped == [] and sorted(report.added) == [WIRE_FILE, OTHER_FILE]
    answer = Engine(settings, embedder=embedder).ask(QUESTION, k=5)
    story_hits = [hit for hit in answer.passages if "Port Elmsley" in hit.text]
    assert story_hits and {hit.outlet for hit in story_hits} == {"Reuters"}
    texts = [" ".join(hit.text.split()) for hit in answer.passages]
    assert len(texts) == len(set(texts))  # no passage shown twice


def test_a_copy_inside_an_export_is_reported_by_its_line(settings, embedder):
    records = [
        {"title": "Ferry terminal to close", "outlet": "Daily Courier", "published": "2024-03-05", "text": RERUN},
        {"title": "Ferry terminal to close", "outlet": "Reuters", "published": "2024-03-04", "text": STORY},
    ]
    export = settings.corpus_dir / "feed.jsonl"
    export.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    report = build(settings, embedder)
    assert [(f.path, f.reason) for f in report.folded] == [
        (
            "feed.jsonl",
            "line 1: folded as a syndicated copy of feed.jsonl, line 2 (also published by Daily Courier, 5 Mar 2024)",
        )
    ]


def test_a_copy_naming_no_outlet_is_kept_once_and_says_why(settings, embedder):
    write_wire(settings.corpus_dir)
    (settings.corpus_dir / "pasted.txt").write_text(RERUN + "\n", encoding="utf-8")
    report = build(settings, embedder)
    assert [(s.path, s.reason) for s in report.folded] == [
        ("pasted.txt", f"same story as {WIRE_FILE}, with no outlet or URL of its own: kept once")
    ]
    assert report.skipped == []  # its text is in the index: nothing was lost, so `qa index` exits 0


def test_a_copy_added_in_a_later_run_folds_into_the_published_article(settings, embedder):
    write_wire(settings.corpus_dir)
    build(settings, embedder)
    write_rerun(settings.corpus_dir)
    report = build(settings, embedder)
    assert (report.articles, report.passages, report.added) == (0, 0, [])
    assert [f.path for f in report.folded] == [RERUN_FILE]
    assert stored(settings)[WIRE_FILE] == ("Reuters", COURIER_LISTED)
    assert build(settings, embedder).folded == []  # nothing to do the next time
    assert stored(settings)[WIRE_FILE] == ("Reuters", COURIER_LISTED)


def test_an_earlier_copy_added_later_replaces_the_published_one(settings, embedder):
    write_rerun(settings.corpus_dir)
    build(settings, embedder)
    assert stored(settings)[RERUN_FILE] == ("Daily Courier", [])
    write_wire(settings.corpus_dir)
    build(settings, embedder)
    assert stored(settings) == {WIRE_FILE: ("Reuters", COURIER_LISTED), OTHER_FILE: ("Arts Weekly", [])}


def test_removing_the_kept_copy_brings_the_other_back(settings, embedder):
    write_wire(settings.corpus_dir)
    write_rerun(settings.corpus_dir)
    build(settings, embedder)
    (settings.corpus_dir / WIRE_FILE).unlink()
    report = build(settings, embedder)
    assert report.removed == [WIRE_FILE] and report.updated == [RERUN_FILE]
    assert stored(settings) == {RERUN_FILE: ("Daily Courier", []), OTHER_FILE: ("Arts Weekly", [])}
    answer = Engine(settings, embedder=embedder).ask(QUESTION, k=3)
    assert answer.passages[0].outlet == "Daily Courier"


def test_rewriting_the_kept_copy_into_another_story_brings_the_other_back(settings, embedder):
    write_wire(settings.corpus_dir)
    write_rerun(settings.corpus_dir)
    build(settings, embedder)
    write(settings.corpus_dir, WIRE_FILE, OTHER.replace("winter", "summer"), outlet="Reuters", published="2024-03-04")
    build(settings, embedder)
    assert stored(settings)[RERUN_FILE] == ("Daily Courier", [])


def test_the_same_article_twice_is_stored_once_and_not_listed(settings, embedder):
    write_wire(settings.corpus_dir)
    write(settings.corpus_dir, "d_again.md", STORY, outlet="Reuters", published="2024-03-04")
    report = build(settings, embedder)
    assert [(s.path, s.reason) for s in report.folded] == [("d_again.md", f"same article text as {WIRE_FILE}")]
    assert report.skipped == []
    assert stored(settings) == {WIRE_FILE: ("Reuters", []), OTHER_FILE: ("Arts Weekly", [])}


FOLLOW_UP = (
    "Port Elmsley's ferry operator said on Wednesday that fares to the northern islands would rise by a "
    "tenth from January, blaming the cost of moving its boats to the container quay once the old terminal "
    "shuts. The operator said season tickets for island residents would keep their price for one more "
    "year. A spokeswoman for the harbour authority said the move was needed because the pier was unsafe, "
    "and that the authority had not been consulted on the new fares."
)


def test_another_story_on_the_same_subject_is_not_folded(settings, embedder):
    write_wire(settings.corpus_dir)
    write(settings.corpus_dir, "d_fares.md", FOLLOW_UP, outlet="Reuters", published="2024-03-04")
    report = build(settings, embedder)
    assert report.folded == [] and report.skipped == []
    assert stored(settings) == {
        WIRE_FILE: ("Reuters", []),
        "d_fares.md": ("Reuters", []),
        OTHER_FILE: ("Arts Weekly", []),
    }


def test_a_stored_article_lists_its_copies_in_qa_show(capsys, settings, embedder):
    write_wire(settings.corpus_dir)
    write_rerun(settings.corpus_dir)
    build(settings, embedder)
    paths = ["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]
    code, out, _ = qa("ask", QUESTION, "--json", *paths, capsys=capsys)
    doc_id = Answer.model_validate_json(out).passages[0].doc_id
    code, out, err = qa("show", doc_id, "--json", *paths, capsys=capsys)
    assert code == 0, err
    [copy] = json.loads(out)["also_published_by"]
    assert (copy["outlet"], copy["published"], copy["source_path"]) == ("Daily Courier", "2024-03-05", RERUN_FILE)


def test_qa_ask_shows_also_published_by_in_text_and_json(capsys, settings, embedder):
    write_wire(settings.corpus_dir)
    write_rerun(settings.corpus_dir)
    build(settings, embedder)
    paths = ["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]
    code, out, err = qa("ask", QUESTION, "-k", "3", *paths, capsys=capsys)
    assert code == 0, err
    assert out.count("Reuters · 4 Mar 2024") == 1
    assert "also published by Daily Courier (5 Mar 2024)" in out
    code, out, err = qa("ask", QUESTION, "--json", *paths, capsys=capsys)
    card = Answer.model_validate_json(out).cards[0]
    assert card.citation.outlet == "Reuters"
    assert [(c.outlet, c.published) for c in card.citation.also_published_by] == [
        ("Daily Courier", dt.date(2024, 3, 5))
    ]
    assert json.loads(out)["passages"][0]["also_published_by"][0]["outlet"] == "Daily Courier"
