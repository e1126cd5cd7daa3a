"""Explicit metadata: a value a person wrote that cannot be used is one warning; the strongest source wins."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import pytest

from qa.errors import MetadataError
from qa.ingest import read_corpus_file, read_file
from qa.ingest.metadata import Candidate, find_sidecar, read_sidecar, resolve
from qa.models import FieldProvenance, MetadataSource, Republication
from qa.store.build import sync
from qa.store.index import Index
from tests.support.seeds import FORBES_SIDECAR, KYIV_SIDECAR

BODY = (
    "The river authority opened the new flood gates on Monday after three years of work, "
    "and engineers said the gates held back the spring melt without trouble.\n\n"
    "Farmers downstream said their fields stayed dry for the first spring in a decade, "
    "and the authority said it would publish its measurements at the end of the month."
)

OTHER_BODY = (
    "The school board approved a new timetable on Thursday that starts lessons an hour later, "
    "after parents and teachers asked for more sleep for teenagers during the winter months.\n\n"
    "The change takes effect in September, and the board will review attendance and grades in a year "
    "before it decides whether to keep the later start for every school in the district."
)


def write_article(
    directory: Path, name: str, sidecar: dict | None = None, *, text: str = BODY
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    if sidecar is not None:
        stem = name.split(".", 1)[0]
        (directory / f"{stem}.meta.json").write_text(json.dumps(sidecar), encoding="utf-8")
    return path


# -- the seed sidecars ---------------------------------------------------------------------


@pytest.mark.parametrize("sidecar", [FORBES_SIDECAR, KYIV_SIDECAR])
def test_seed_sidecars_validate(seed_settings, sidecar):
    candidates = read_sidecar(seed_settings.corpus_dir / sidecar, origin=sidecar).candidates
    assert {c.field for c in candidates if c.value is not None} >= {"title", "outlet", "published"}


def test_seed_metadata_is_read_from_the_sidecars(seed_articles):
    forbes, kyiv = seed_articles["forbes"], seed_articles["kyiv"]
    assert (forbes.outlet, forbes.published) == ("Forbes", dt.date(2024, 2, 11))
    assert forbes.republished_by is not None
    assert (forbes.republished_by.outlet, forbes.republished_by.published) == (
        "The America One News",
        dt.date(2025, 5, 31),
    )
    assert (kyiv.outlet, kyiv.published, kyiv.republished_by) == (
        "The Kyiv Independent",
        dt.date(2024, 2, 11),
        None,
    )
    assert kyiv.title == "Musk denies Starlink sales to Russia"


@pytest.mark.parametrize("seed,sidecar", [("forbes", FORBES_SIDECAR), ("kyiv", KYIV_SIDECAR)])
def test_every_seed_value_has_sidecar_provenance_naming_the_file(seed_articles, seed, sidecar):
    article = seed_articles[seed]
    known = {
        name
        for name in ("title", "outlet", "published", "url", "author", "republished_by")
        if getattr(article, name) is not None
    }
    assert set(article.provenance) == known
    for name in known:
        assert article.provenance[name].source == MetadataSource.SIDECAR, name
        assert article.provenance[name].detail == sidecar, name


def test_kyiv_published_provenance_says_the_date_is_editorial(seed_articles):
    note = seed_articles["kyiv"].provenance["published"].note
    assert note is not None
    assert "editorial" in note
    assert "not read from the page" in note


# -- validation errors ---------------------------------------------------------------------


def _read_warnings(tmp_path: Path, sidecar: dict):
    """The file is read (never skipped for a value): its one article and its warning lines."""
    path = write_article(tmp_path / "corpus", "story.txt", sidecar)
    reading = read_corpus_file(path, corpus_dir=tmp_path / "corpus")
    [article] = reading.articles
    return article, reading.problems


def test_an_invalid_date_is_one_warning_naming_the_file_and_the_field(tmp_path):
    article, problems = _read_warnings(tmp_path, {"outlet": "Daily Example", "published": "2024-13-45"})
    assert (article.outlet, article.published) == ("Daily Example", None)
    [line] = problems
    assert line.startswith("story.meta.json: published: ") and "2024-13-45" in line and "\n" not in line


def test_a_republication_without_outlet_is_one_warning_naming_the_nested_field(tmp_path):
    article, problems = _read_warnings(
        tmp_path, {"outlet": "Daily Example", "republished_by": {"published": "2025-05-31"}}
    )
    assert (article.outlet, article.republished_by) == ("Daily Example", None)
    [line] = problems
    assert line.startswith("story.meta.json: ") and "republished_by.outlet" in line


def test_an_unknown_field_is_kept_as_extra_metadata(tmp_path):
    article, problems = _read_warnings(tmp_path, {"outlet": "Daily Example", "publshed": "2024-02-11"})
    assert problems == []
    assert article.extra == {"publshed": "2024-02-11"} and article.published is None


def test_a_note_about_an_unknown_field_is_one_warning(tmp_path):
    article, problems = _read_warnings(tmp_path, {"outlet": "Daily Example", "notes": {"outlett": "a typo"}})
    assert article.outlet == "Daily Example"
    [line] = problems
    assert line.startswith("story.meta.json: notes: ") and "outlett" in line


def test_a_sidecar_that_is_not_json_is_reported(tmp_path):
    path = write_article(tmp_path / "corpus", "story.txt")
    (tmp_path / "corpus" / "story.meta.json").write_text("{outlet: Daily Example", encoding="utf-8")
    with pytest.raises(MetadataError, match=r"^story\.meta\.json: cannot be read"):
        read_file(path, corpus_dir=tmp_path / "corpus")


def test_front_matter_that_is_not_yaml_is_reported_in_one_line(tmp_path):
    corpus = tmp_path / "corpus"
    path = write_article(corpus, "story.md", text=f"---\ntitle: [unclosed\n---\n{BODY}")
    with pytest.raises(MetadataError) as caught:
        read_file(path, corpus_dir=corpus)
    message = str(caught.value)
    assert message.startswith("story.md: front matter")
    assert "\n" not in message  # errors are printed as one `Error: …` / `skipped …` line


def test_a_yaml_sidecar_that_is_not_yaml_is_reported_in_one_line(tmp_path):
    corpus = tmp_path / "corpus"
    path = write_article(corpus, "story.txt")
    (corpus / "story.meta.yaml").write_text("outlet: [Valley Courier\n", encoding="utf-8")
    with pytest.raises(MetadataError) as caught:
        read_file(path, corpus_dir=corpus)
    message = str(caught.value)
    assert message.startswith("story.meta.yaml: ")
    assert "\n" not in message


def test_a_bad_sidecar_value_leaves_only_that_field_unknown_during_indexing(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    write_article(corpus, "bad.txt", {"outlet": "Daily Example", "published": "2024-13-45"})
    write_article(
        corpus,
        "good.txt",
        {"outlet": "Daily Example", "published": "2024-02-11"},
        text=OTHER_BODY,
    )
    index = Index.create(tmp_path / "index")
    try:
        report = sync(index, corpus, embedder, min_words=40, max_words=150)
        assert report.skipped == []
        assert sorted(report.added) == ["bad.txt", "good.txt"]
        assert index.status().counts.articles == 2
    finally:
        index.close()


# -- precedence ----------------------------------------------------------------------------


def _candidate(field: str, value, source: MetadataSource, detail: str, confidence: float = 1.0):
    return Candidate(
        field, value, FieldProvenance(source=source, detail=detail, confidence=confidence)
    )


SIDECAR = _candidate("outlet", "Sidecar Outlet", MetadataSource.SIDECAR, "story.meta.json")
FRONT_MATTER = _candidate(
    "outlet", "Front Matter Outlet", MetadataSource.FRONT_MATTER, "story.md (front matter)"
)
TEXT = _candidate("outlet", "Byline Outlet", MetadataSource.TEXT, "byline", confidence=0.6)


@pytest.mark.parametrize("order", list(itertools.permutations([SIDECAR, FRONT_MATTER, TEXT])))
def test_sidecar_beats_front_matter_beats_text_in_any_order(order):
    values, provenance = resolve(list(order))
    assert values == {"outlet": "Sidecar Outlet"}
    assert provenance == {"outlet": SIDECAR.provenance}


@pytest.mark.parametrize("order", list(itertools.permutations([FRONT_MATTER, TEXT])))
def test_front_matter_beats_text(order):
    values, provenance = resolve(list(order))
    assert values == {"outlet": "Front Matter Outlet"}
    assert provenance["outlet"].source == MetadataSource.FRONT_MATTER


def test_text_heuristics_are_used_when_nothing_stronger_says_anything():
    empty_sidecar = _candidate("outlet", None, MetadataSource.SIDECAR, "story.meta.json")
    values, provenance = resolve([empty_sidecar, TEXT])
    assert values == {"outlet": "Byline Outlet"}
    assert provenance["outlet"] == TEXT.provenance


def test_each_field_is_resolved_on_its_own():
    date = _candidate("published", dt.date(2024, 2, 11), MetadataSource.FRONT_MATTER, "fm")
    values, provenance = resolve([TEXT, date, SIDECAR])
    assert values == {"outlet": "Sidecar Outlet", "published": dt.date(2024, 2, 11)}
    assert provenance["published"].source == MetadataSource.FRONT_MATTER


def test_within_one_source_the_more_confident_value_wins():
    weak = _candidate("outlet", "Guess", MetadataSource.TEXT, "dateline", confidence=0.3)
    values, _ = resolve([weak, TEXT])
    assert values == {"outlet": "Byline Outlet"}


# -- front matter --------------------------------------------------------------------------

FRONT_MATTER_FILE = f"""---
title: Flood gates hold
outlet: Valley Courier
published: 2023-04-03
url: https://example.org/flood-gates
---
{BODY}
"""


def test_front_matter_in_markdown_is_read_with_its_provenance(tmp_path):
    corpus = tmp_path / "corpus"
    path = write_article(corpus, "story.md", text=FRONT_MATTER_FILE)
    [article] = read_file(path, corpus_dir=corpus)
    assert (article.title, article.outlet, article.published, article.url) == (
        "Flood gates hold",
        "Valley Courier",
        dt.date(2023, 4, 3),
        "https://example.org/flood-gates",
    )
    assert article.provenance["outlet"].source == MetadataSource.FRONT_MATTER
    assert "story.md" in article.provenance["outlet"].detail
    assert article.text.startswith("The river authority opened")
    assert "---" not in article.text and "Valley Courier" not in article.text


def test_a_sidecar_overrides_front_matter_field_by_field(tmp_path):
    corpus = tmp_path / "corpus"
    path = write_article(
        corpus,
        "story.md",
        {"outlet": "Sidecar Times", "republished_by": {"outlet": "Aggregator"}},
        text=FRONT_MATTER_FILE,
    )
    [article] = read_file(path, corpus_dir=corpus)
    assert article.outlet == "Sidecar Times"
    assert article.provenance["outlet"].source == MetadataSource.SIDECAR
    assert article.provenance["outlet"].detail == "story.meta.json"
    assert article.published == dt.date(2023, 4, 3)
    assert article.provenance["published"].source == MetadataSource.FRONT_MATTER
    assert article.republished_by == Republication(outlet="Aggregator")


def test_a_yaml_sidecar_is_found_and_read(tmp_path):
    corpus = tmp_path / "corpus"
    path = write_article(corpus, "story.txt")
    (corpus / "story.meta.yaml").write_text("outlet: Valley Courier\npublished: 2023-04-03\n")
    assert find_sidecar(path) == corpus / "story.meta.yaml"
    [article] = read_file(path, corpus_dir=corpus)
    assert (article.outlet, article.published) == ("Valley Courier", dt.date(2023, 4, 3))
    assert article.provenance["outlet"].detail == "story.meta.yaml"


def test_an_article_without_metadata_is_unknown_not_guessed(tmp_path):
    corpus = tmp_path / "corpus"
    [article] = read_file(write_article(corpus, "story.txt"), corpus_dir=corpus)
    assert (article.outlet, article.published, article.republished_by) == (None, None, None)
    assert article.provenance == {}


def test_an_aggregators_address_in_the_outlet_field_is_not_cited_as_the_outlet(tmp_path):
    record = {"title": "Port traffic rises", "text": "Container traffic rose again. " * 20}
    record["outlet"] = "https://www.msn.com/en-us/news/world/port-traffic-rises"
    (tmp_path / "feed.jsonl").write_text(json.dumps(record), encoding="utf-8")
    reading = read_corpus_file(tmp_path / "feed.jsonl", corpus_dir=tmp_path)
    [article] = reading.articles
    assert article.outlet is None  # unknown, never "MSN"
    assert any("aggregator" in problem for problem in reading.problems)


# -- dates are never invented by type accident (issue 16) ------------------------------------


def _records(tmp_path: Path, *rows: dict, name: str = "feed.jsonl") -> Path:
    path = tmp_path / "corpus" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps({"text": BODY, **row}) for row in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("value", [20240211, "20240211", 20240211.0])
def test_an_8_digit_record_date_is_yyyymmdd_and_says_so(tmp_path, value):
    path = _records(tmp_path, {"date": value})
    [article] = read_corpus_file(path, corpus_dir=path.parent).articles
    assert article.published == dt.date(2024, 2, 11)
    assert article.provenance["published"].detail.endswith("read as YYYYMMDD")


@pytest.mark.parametrize("value", [2024, "2024"])
def test_a_year_alone_is_no_date_and_never_1970(tmp_path, value):
    path = _records(tmp_path, {"date": value})
    reading = read_corpus_file(path, corpus_dir=path.parent)
    assert reading.articles[0].published is None
    assert reading.problems == [
        f"line 1: date {value!r} is only a year, not a full date; left undated (fix it, or --map date=FIELD)"
    ]


@pytest.mark.parametrize(
    "value,unit", [(1707642000, "seconds"), (1707642000000, "milliseconds"), ("1707642000", "seconds")]
)
def test_unix_time_is_read_when_plausible_and_recorded_as_such(tmp_path, value, unit):
    path = _records(tmp_path, {"date": value})
    [article] = read_corpus_file(path, corpus_dir=path.parent).articles
    assert article.published_at == dt.datetime(2024, 2, 11, 9, tzinfo=dt.UTC)
    assert article.provenance["published"].detail.endswith(f"read as Unix time in {unit}")


@pytest.mark.parametrize("value", [12345, 123456789, 99999999999999, -1707642000])
def test_a_number_outside_plausible_unix_times_is_no_date(tmp_path, value):
    path = _records(tmp_path, {"date": value})
    reading = read_corpus_file(path, corpus_dir=path.parent)
    assert reading.articles[0].published is None
    assert "no Unix time between 1990 and now" in reading.problems[0]


def test_an_ambiguous_day_and_month_is_left_undated_with_one_line_saying_how_to_choose(tmp_path):
    path = _records(tmp_path, {"date": "03/04/2024"}, {"date": "13/04/2024", "text": BODY + " Two."})
    reading = read_corpus_file(path, corpus_dir=path.parent)
    assert [a.published for a in reading.articles] == [None, dt.date(2024, 4, 13)]
    assert reading.problems == [
        "line 1: date '03/04/2024' could be 3 April or 4 March 2024; left undated "
        "(say which: qa add --date-order DMY or MDY, or date_order in a sidecar or the record)"
    ]


@pytest.mark.parametrize(
    "order,day", [("DMY", dt.date(2024, 4, 3)), ("MDY", dt.date(2024, 3, 4)), ("dmy", dt.date(2024, 4, 3))]
)
def test_a_record_field_says_the_order(tmp_path, order, day):
    path = _records(tmp_path, {"date": "03/04/2024", "date_order": order})
    reading = read_corpus_file(path, corpus_dir=path.parent)
    assert reading.articles[0].published == day and reading.problems == []


def test_a_sidecar_says_the_order_for_the_whole_file(tmp_path):
    path = _records(tmp_path, {"date": "03/04/2024"}, {"date": "05/06/2024 10:30", "text": BODY + " Two."})
    (path.parent / "feed.meta.yaml").write_text("date_order: DMY\n", encoding="utf-8")
    reading = read_corpus_file(path, corpus_dir=path.parent)
    assert [a.published for a in reading.articles] == [dt.date(2024, 4, 3), dt.date(2024, 6, 5)]
    assert reading.articles[1].published_at == dt.datetime(2024, 6, 5, 10, 30)
    assert reading.articles[0].provenance["published"].detail.endswith("read as day first (DMY)")


def test_a_sidecar_date_order_other_than_dmy_or_mdy_is_one_warning(tmp_path):
    path = _records(tmp_path, {"date": "03/04/2024"})
    (path.parent / "feed.meta.json").write_text('{"date_order": "YMD"}', encoding="utf-8")
    reading = read_corpus_file(path, corpus_dir=path.parent)
    assert reading.articles[0].published is None
    assert "feed.meta.json: date_order: 'YMD' is not DMY or MDY; ignored" in reading.problems


def test_qa_add_date_order_is_stored_with_the_file_and_used_by_every_read(tmp_path):
    from qa.ingest import stage_files
    from qa.ingest.dates import DateOrder

    source = _records(tmp_path / "incoming", {"date": "03/04/2024"})
    corpus = tmp_path / "corpus"
    [staged] = stage_files([source], corpus, date_order=DateOrder.MDY).copied
    [article] = read_corpus_file(staged, corpus_dir=corpus).articles
    assert article.published == dt.date(2024, 3, 4)


def test_a_page_date_in_an_unsaid_order_is_left_undated_with_a_problem(tmp_path):
    body = " ".join([BODY] * 3)
    page = (
        '<html><head><meta property="article:published_time" content="03/04/2024"></head>'
        f"<body><article><p>{body}</p></article></body></html>"
    )
    path = tmp_path / "corpus" / "page.html"
    path.parent.mkdir(parents=True)
    path.write_text(page, encoding="utf-8")
    reading = read_corpus_file(path, corpus_dir=path.parent)
    assert reading.articles[0].published is None
    assert reading.problems == [
        "<meta article:published_time>: date '03/04/2024' could be 3 April or 4 March 2024; left undated "
        "(say which: qa add --date-order DMY or MDY, or date_order in a sidecar or the record)"
    ]


@pytest.mark.parametrize("value", [20240211, "20240211"])
def test_front_matter_yyyymmdd_is_the_date(tmp_path, value):
    path = tmp_path / "corpus" / "note.md"
    path.parent.mkdir(parents=True)
    path.write_text(f"---\npublished: {value if isinstance(value, int) else repr(value)}\n---\n{BODY}\n")
    [article] = read_corpus_file(path, corpus_dir=path.parent).articles
    assert article.published == dt.date(2024, 2, 11)


@pytest.mark.parametrize("front", ["published: 1707642000", "published_at: 20240211"])
def test_a_number_in_front_matter_that_is_no_yyyymmdd_date_is_one_warning(tmp_path, front):
    path = tmp_path / "corpus" / "note.md"
    path.parent.mkdir(parents=True)
    path.write_text(f"---\noutlet: Reuters\n{front}\n---\n{BODY}\n")
    reading = read_corpus_file(path, corpus_dir=path.parent)
    [article] = reading.articles
    assert (article.outlet, article.published, article.published_at) == ("Reuters", None, None)
    [line] = reading.problems
    assert line.startswith("front matter: published") and "write the date as 2024-02-11" in line
    assert "1970" not in line


def test_a_large_sidecar_cut_inside_a_character_is_named_as_too_large(tmp_path):
    """The size is checked on the bytes: 64 KB + 1 bytes of `é` end mid-character, which is not the problem."""
    path = write_article(tmp_path / "corpus", "story.txt")
    (tmp_path / "corpus" / "story.meta.json").write_text(json.dumps({"title": "é" * 40_000}, ensure_ascii=False))
    with pytest.raises(MetadataError, match=r"^story\.meta\.json: is over 64 KB; a sidecar holds a few fields$"):
        read_file(path, corpus_dir=tmp_path / "corpus")


AMBIGUOUS = (
    "'03/04/2024' could be 3 April or 4 March 2024; left undated "
    "(say which: qa add --date-order DMY or MDY, or date_order in a sidecar or the record)"
)


@pytest.mark.parametrize("value,shown", [("2024", "2024"), ("'2024'", "'2024'")])
def test_a_year_alone_in_front_matter_leaves_the_article_undated_with_one_line(tmp_path, value, shown):
    """Issue 16 line 5: a year is year precision or unknown, never an epoch and never the end of the file."""
    text = f"---\noutlet: Reuters\npublished: {value}\n---\n{BODY}\n"
    path = write_article(tmp_path / "corpus", "note.md", text=text)
    reading = read_corpus_file(path, corpus_dir=path.parent)
    [article] = reading.articles
    assert article.published is None and article.outlet == "Reuters"
    assert reading.problems == [
        f"front matter: published: {shown} is only a year, not a full date; left undated "
        "(write the full date, e.g. 2024-02-11)"
    ]


def test_a_year_alone_in_a_sidecar_leaves_the_article_undated_with_one_line(tmp_path):
    path = write_article(tmp_path / "corpus", "story.txt", {"outlet": "Reuters", "published": 2024})
    reading = read_corpus_file(path, corpus_dir=path.parent)
    assert reading.articles[0].published is None
    assert reading.problems == [
        "story.meta.json: published: 2024 is only a year, not a full date; left undated "
        "(write the full date, e.g. 2024-02-11)"
    ]


@pytest.mark.parametrize("order,day", [("DMY", dt.date(2024, 4, 3)), ("MDY", dt.date(2024, 3, 4))])
def test_a_sidecar_date_order_reads_the_sidecar_own_date(tmp_path, order, day):
    path = write_article(tmp_path / "corpus", "story.txt", {"published": "03/04/2024", "date_order": order})
    reading = read_corpus_file(path, corpus_dir=path.parent)
    assert reading.articles[0].published == day and reading.problems == []


@pytest.mark.parametrize("order,day", [("DMY", dt.date(2024, 4, 3)), ("MDY", dt.date(2024, 3, 4))])
def test_a_front_matter_date_order_reads_the_front_matter_own_date(tmp_path, order, day):
    text = f"---\ndate_order: {order}\npublished: 03/04/2024\n---\n{BODY}\n"
    path = write_article(tmp_path / "corpus", "note.md", text=text)
    reading = read_corpus_file(path, corpus_dir=path.parent)
    assert reading.articles[0].published == day and reading.problems == []


def test_an_ambiguous_front_matter_date_without_an_order_is_left_undated_with_one_line(tmp_path):
    path = write_article(tmp_path / "corpus", "note.md", text=f"---\npublished: 03/04/2024\n---\n{BODY}\n")
    reading = read_corpus_file(path, corpus_dir=path.parent)
    assert reading.articles[0].published is None
    assert reading.problems == [f"front matter: published: {AMBIGUOUS}"]


def test_a_qa_add_date_order_overrides_the_front_matter_one(tmp_path):
    """The file's own `date_order` is taken out even when a stronger one is given (it is no metadata field)."""
    from qa.ingest import stage_files
    from qa.ingest.dates import DateOrder

    source = tmp_path / "incoming" / "note.md"
    source.parent.mkdir()
    source.write_text(f"---\ndate_order: DMY\npublished: 03/04/2024\n---\n{BODY}\n", encoding="utf-8")
    [staged] = stage_files([source], tmp_path / "corpus", date_order=DateOrder.MDY).copied
    [article] = read_corpus_file(staged, corpus_dir=tmp_path / "corpus").articles
    assert article.published == dt.date(2024, 3, 4)


MASTHEAD = (
    "Home | News | World\nTHE AMERICA ONE NEWS\nMay 31, 2025\nSource:\n{label}\n{date}\n"
    "River gates open after years\n\n"
)
"""A saved aggregator page: its own name and date, then the original outlet's label and date above the body."""


def test_a_numeric_date_in_a_masthead_is_never_taken_for_an_outlet(tmp_path):
    """`Published 03/04/2024` after `Source:` was cited as the outlet once ambiguous dates stopped parsing."""
    text = MASTHEAD.format(label="Published 03/04/2024", date="") + " ".join([BODY] * 3)
    path = write_article(tmp_path / "corpus", "dump.txt", text=text)
    [article] = read_corpus_file(path, corpus_dir=path.parent).articles
    assert article.outlet is None and article.republished_by.outlet == "The America One News"


def test_an_ambiguous_masthead_date_is_left_undated_with_one_line(tmp_path):
    text = MASTHEAD.format(label="Forbes", date="03/04/2024") + " ".join([BODY] * 3)
    path = write_article(tmp_path / "corpus", "dump.txt", text=text)
    reading = read_corpus_file(path, corpus_dir=path.parent)
    assert reading.articles[0].outlet == "Forbes" and reading.articles[0].published is None
    assert reading.problems == [f"masthead: date {AMBIGUOUS}"]
    (path.parent / "dump.meta.yaml").write_text("date_order: DMY\n", encoding="utf-8")
    reading = read_corpus_file(path, corpus_dir=path.parent)
    assert reading.articles[0].published == dt.date(2024, 4, 3) and reading.problems == []


@pytest.mark.parametrize("given,day", [("dmy", dt.date(2024, 4, 3)), ("MDY", dt.date(2024, 3, 4))])
def test_qa_add_date_order_is_a_date_order_in_any_case(seed_copy, tmp_path, capsys, given, day):
    """The CLI option is typed DateOrder (one parser): `dmy` and `MDY` both reach the stored options."""
    from tests.support.processes import paths, qa

    source = _records(tmp_path / "incoming", {"date": "03/04/2024"})
    code, _, err = qa("add", source, "--date-order", given, *paths(seed_copy), capsys=capsys)
    assert code == 0, err
    copy = seed_copy.corpus_dir / source.name
    assert read_corpus_file(copy, corpus_dir=seed_copy.corpus_dir).articles[0].published == day


def test_qa_add_refuses_a_date_order_other_than_dmy_or_mdy(seed_copy, tmp_path, capsys):
    from tests.support.processes import paths, qa

    source = _records(tmp_path / "incoming", {"date": "03/04/2024"})
    code, out, err = qa("add", source, "--date-order", "YMD", *paths(seed_copy), capsys=capsys)
    assert (code, out) == (2, "") and "--date-order" in err
