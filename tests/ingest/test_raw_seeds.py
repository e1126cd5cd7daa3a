"""The raw seed dumps WITHOUT their sidecars: attribution comes from the page itself, never invented."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from qa.ingest import read_corpus_file
from qa.models import MetadataSource, Republication
from tests.support.seeds import (
    BODY_PARAGRAPH_COUNT,
    FORBES,
    KYIV,
    KYIV_SIDECAR,
    PAGE_NOISE,
    SEED_CORPUS,
    SENTENCE_BREAK,
    raw_body_paragraphs,
)


def read_raw_seed(tmp_path: Path, name: str):
    """Only the .txt is copied: no sidecar can supply anything."""
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    shutil.copyfile(SEED_CORPUS / name, corpus / name)
    assert [p.name for p in corpus.iterdir()] == [name]
    reading = read_corpus_file(corpus / name, corpus_dir=corpus)
    assert reading.problems == []
    [article] = reading.articles
    return article


def test_the_republished_forbes_page_is_cited_as_forbes_via_the_america_one_news(tmp_path):
    article = read_raw_seed(tmp_path, FORBES)
    assert (article.outlet, article.published) == ("Forbes", dt.date(2024, 2, 11))
    assert article.republished_by == Republication(outlet="The America One News", published=dt.date(2025, 5, 31))
    for name in ("outlet", "published", "republished_by"):
        provenance = article.provenance[name]
        assert provenance.source == MetadataSource.TEXT
        assert 0 < provenance.confidence < 1
        assert "masthead" in provenance.detail


def test_the_kyiv_independent_page_is_cited_by_its_sign_off_and_left_undated(tmp_path):
    article = read_raw_seed(tmp_path, KYIV)
    assert article.outlet == "The Kyiv Independent"
    assert article.provenance["outlet"].source == MetadataSource.TEXT
    assert "Consider supporting the Kyiv Independent" in article.provenance["outlet"].detail
    # The page says "Feb. 11" without a year: the date stays unknown.
    assert (article.published, article.published_at) == (None, None)
    assert article.title == "Musk denies Starlink sales to Russia"
    assert article.provenance["title"].confidence < 1


def test_a_file_modification_time_is_never_a_publication_date(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    path = corpus / KYIV
    shutil.copyfile(SEED_CORPUS / KYIV, path)
    moment = dt.datetime(2024, 2, 11, 12, 0).timestamp()
    os.utime(path, (moment, moment))
    [article] = read_corpus_file(path, corpus_dir=corpus).articles
    assert article.published is None


@pytest.mark.parametrize("name", [FORBES, KYIV])
def test_every_body_sentence_survives_without_a_sidecar(tmp_path, name):
    text = read_raw_seed(tmp_path, name).text
    sentences = [s for p in raw_body_paragraphs(name) for s in SENTENCE_BREAK.split(p)]
    assert len(sentences) > BODY_PARAGRAPH_COUNT[name]
    assert [sentence for sentence in sentences if sentence not in text] == []
    assert text.split("\n\n") == raw_body_paragraphs(name)


@pytest.mark.parametrize("name", [FORBES, KYIV])
@pytest.mark.parametrize("noise", PAGE_NOISE)
def test_page_noise_is_dropped_without_a_sidecar(tmp_path, name, noise):
    assert noise not in read_raw_seed(tmp_path, name).text


def test_an_aggregator_header_is_recognised_generically(tmp_path):
    """Another aggregator, another outlet, another layout: the same masthead rule applies."""
    page = "\n".join(
        [
            "NEWSBREAK",
            "March 3, 2025 | Springfield",
            "Sponsor: Local Deals",
            "Source: Reuters",
            "2 Mar 2025",
            "",
            "The city council voted on Monday to expand the tram network by three new lines, "
            "officials said, after two years of consultation with residents and businesses.",
        ]
    )
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "copy.txt").write_text(page, encoding="utf-8")
    [article] = read_corpus_file(corpus / "copy.txt", corpus_dir=corpus).articles
    assert (article.outlet, article.published) == ("Reuters", dt.date(2025, 3, 2))
    assert article.republished_by == Republication(outlet="NewsBreak", published=dt.date(2025, 3, 3))


def test_a_sidecar_still_beats_the_page(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copyfile(SEED_CORPUS / KYIV, corpus / KYIV)
    (corpus / KYIV_SIDECAR).write_text('{"outlet": "Edited Outlet", "published": "2024-02-11"}')
    [article] = read_corpus_file(corpus / KYIV, corpus_dir=corpus).articles
    assert (article.outlet, article.published) == ("Edited Outlet", dt.date(2024, 2, 11))
    assert article.provenance["outlet"].source == MetadataSource.SIDECAR
