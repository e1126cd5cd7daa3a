"""The shipped corpus: the seed articles byte for byte as given, with their editorial metadata."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from qa.ingest import read_file
from tests.support.seeds import FORBES, KYIV

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
GIVEN_SEEDS = REPO.parent / "shared" / "seeds"
SEEDS = (FORBES, KYIV)


@pytest.mark.parametrize("name", SEEDS)
def test_each_seed_is_shipped_byte_for_byte_as_given(name):
    if not GIVEN_SEEDS.is_dir():
        pytest.skip(f"the given seeds are not at {GIVEN_SEEDS}")
    assert (CORPUS / name).read_bytes() == (GIVEN_SEEDS / name).read_bytes()


def test_the_forbes_seed_is_cited_as_forbes_via_its_republisher():
    [article] = read_file(CORPUS / SEEDS[0], corpus_dir=CORPUS)
    assert (article.outlet, article.published) == ("Forbes", dt.date(2024, 2, 11))
    assert (article.republished_by.outlet, article.republished_by.published) == (
        "The America One News",
        dt.date(2025, 5, 31),
    )
    for field in ("outlet", "published", "title"):
        assert article.provenance[field].note.startswith("editorial")


def test_the_kyiv_seed_records_that_its_year_is_editorial_not_read_from_the_page():
    [article] = read_file(CORPUS / SEEDS[1], corpus_dir=CORPUS)
    assert (article.outlet, article.published) == ("The Kyiv Independent", dt.date(2024, 2, 11))
    assert article.title == "Musk denies Starlink sales to Russia"
    note = article.provenance["published"].note
    assert "no year" in note and "not read from the page" in note
