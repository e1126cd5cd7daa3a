"""Finding what is in the archive: `qa outlets`, outlet filters that forgive spelling, `qa show` by id prefix."""

from __future__ import annotations

import datetime as dt

import pytest

from qa.cli.reports import OutletsReport
from qa.config import Settings
from qa.engine import Engine
from qa.models import Answer
from tests.support.archive import SHARED_PREFIX_LENGTH, write_archive
from tests.support.fake_encoder import HashingEncoder
from tests.support.processes import paths, qa

FEB_11_2024 = dt.date(2024, 2, 11)
DENIAL = "Who denied sales to Russia?"


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> tuple[Settings, str]:
    """The small archive indexed with the fake encoder (no model: listing and lookup never embed), and the
    prefix its two look-alike articles share."""
    root = tmp_path_factory.mktemp("archive")
    prefix = write_archive(root / "corpus")
    settings = Settings(corpus_dir=root / "corpus", index_dir=root / "index")
    engine = Engine(settings, embedder=HashingEncoder())
    report = engine.build_index()
    engine.close()
    assert len(report.added) == 6 and report.skipped == [] and report.folded == []
    return settings, prefix


def test_outlets_lists_each_outlet_with_count_and_days_and_one_unknown_row(capsys, archive):
    settings, _ = archive
    code, out, err = qa("outlets", "--json", *paths(settings), capsys=capsys)
    assert (code, err) == (0, "")
    report = OutletsReport.model_validate_json(out)
    rows = [(row.outlet, row.known, row.articles, row.undated, row.earliest, row.latest) for row in report.outlets]
    assert rows == [
        ("unknown", False, 3, 3, None, None),  # the three plain-text articles: most articles first
        # "FORBES" is Forbes, as filters match it; the seed counts for Forbes, not the site that carried it
        ("Forbes", True, 2, 1, FEB_11_2024, FEB_11_2024),
        ("The Kyiv Independent", True, 1, 0, FEB_11_2024, FEB_11_2024),
    ]
    assert report.index == str(settings.index_dir)


def test_outlets_text_has_one_aligned_line_per_outlet(capsys, archive):
    settings, _ = archive
    code, out, _ = qa("outlets", *paths(settings), capsys=capsys)
    assert code == 0
    assert out.splitlines() == [
        "3  unknown               undated",
        "2  Forbes                11 Feb 2024 (1 undated)",
        "1  The Kyiv Independent  11 Feb 2024",
    ]


def test_show_takes_a_unique_id_prefix(capsys, archive):
    settings, _ = archive
    engine = Engine(settings)
    kyiv = next(each for each in engine.index.articles_with_prefix("", 10) if each.outlet == "The Kyiv Independent")
    engine.close()
    code, out, _ = qa("show", kyiv.doc_id[:6], *paths(settings), capsys=capsys)
    assert code == 0
    assert out.splitlines()[0] == f"article {kyiv.doc_id}"
    assert "  outlet     The Kyiv Independent" in out.splitlines()


def test_an_ambiguous_prefix_lists_the_candidates(capsys, archive):
    settings, prefix = archive
    code, out, err = qa("show", prefix, *paths(settings), capsys=capsys)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0] == f"Error: The id prefix '{prefix}' matches 2 articles; give more of the id."
    assert len(lines) == 3
    doc_ids = []
    for line in lines[1:]:
        doc_id, outlet_and_title = line.strip().split("  ", 1)
        assert outlet_and_title == "unknown outlet  (untitled)"  # plain text: neither is known
        doc_ids.append(doc_id)
    assert doc_ids == sorted(doc_ids) and all(each.startswith(prefix) and len(each) == 16 for each in doc_ids)


def test_a_prefix_too_short_or_matching_nothing_says_so(capsys, archive):
    settings, prefix = archive
    code, _, err = qa("show", prefix[: SHARED_PREFIX_LENGTH - 1], *paths(settings), capsys=capsys)
    assert code == 2 and "an id prefix needs at least 4 characters" in err
    code, _, err = qa("show", "zzzz", *paths(settings), capsys=capsys)
    assert code == 1 and err.startswith("Error: No article 'zzzz' in the index.")


# -- outlet filters, on the seed index with the real model -----------------------------------------


@pytest.mark.parametrize("typed", ["Kyiv Independent", "the kyiv independent", "KYÏV INDEPENDENT"])
def test_outlet_filter_forgives_case_accents_and_the_leading_article(capsys, seed_settings, typed):
    code, out, _ = qa("ask", DENIAL, "--json", "--outlet", typed, *paths(seed_settings), capsys=capsys)
    answer = Answer.model_validate_json(out)
    assert code == 0 and answer.passages and answer.message is None
    assert {hit.outlet for hit in answer.passages} == {"The Kyiv Independent"}


def test_a_misspelt_outlet_gets_a_did_you_mean(capsys, seed_settings):
    code, out, _ = qa("ask", DENIAL, "--json", "--outlet", "Kyiv Indepndent", *paths(seed_settings), capsys=capsys)
    answer = Answer.model_validate_json(out)
    assert code == 0 and answer.abstained and answer.passages == []
    assert answer.message == (
        "No article in the index matches the filters (outlet Kyiv Indepndent). "
        'No outlet "Kyiv Indepndent" in the index; did you mean "The Kyiv Independent"?'
    )
    code, out, _ = qa("ask", DENIAL, "--outlet", "Forbs", *paths(seed_settings), capsys=capsys)
    assert code == 0 and 'did you mean "Forbes"?' in " ".join(out.split())


def test_one_unknown_outlet_among_known_ones_is_named_beside_the_answer(capsys, seed_settings):
    outlets = ["--outlet", "Forbes", "--outlet", "Nowhere Gazette"]
    code, out, _ = qa("ask", DENIAL, "--json", *outlets, *paths(seed_settings), capsys=capsys)
    answer = Answer.model_validate_json(out)
    assert code == 0 and {hit.outlet for hit in answer.passages} == {"Forbes"}
    assert answer.message == 'No outlet "Nowhere Gazette" in the index (`qa outlets` lists them).'
