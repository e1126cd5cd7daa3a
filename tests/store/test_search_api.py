"""The search side of the index: filters as passage ids, dense and BM25 search restricted to them."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from qa.config import BUNDLED_MODEL, Settings
from qa.engine import Engine
from qa.store import vectors as vectors_module
from qa.store.index import Index
from qa.store.vectors import VectorIndex

FERRY = (
    "The harbour ferries stopped running on Tuesday after the crews walked out over pay. "
    "Passengers waited for hours at the terminal while the operator tried to find replacement crews. "
    "The union said the strike would last until the operator returned to talks about wages and shifts. "
    "Traders on the island said deliveries of fruit and fuel were already running late."
)
ORCHARD = (
    "Apple growers in the northern valley expect a smaller harvest this year after a late frost in April. "
    "The cooperative said the frost damaged blossoms on about a third of its trees. "
    "Prices at the autumn market are expected to rise, and some growers plan to sell cider instead. "
    "The regional government has promised a small fund to help the worst affected farms."
)
BRIDGE = (
    "Engineers closed the old river bridge to lorries after an inspection found cracks in two supports. "
    "Cars may still cross, but buses will take the ring road until repairs are finished next spring. "
    "The council said the repairs would cost more than planned because of the price of steel. "
    "Shop owners near the bridge worry that fewer visitors will come into the old town."
)


def _write(corpus, name: str, text: str, metadata: dict) -> None:
    (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    if metadata:
        (corpus / f"{name}.meta.json").write_text(json.dumps(metadata), encoding="utf-8")


@pytest.fixture(scope="module")
def small_index(tmp_path_factory, embedder):
    root = tmp_path_factory.mktemp("search-api")
    corpus = root / "corpus"
    corpus.mkdir()
    _write(
        corpus, "ferry", FERRY, {"title": "Zanzibar ferry crews strike", "outlet": "Reuters", "published": "2024-01-10"}
    )
    _write(corpus, "orchard", ORCHARD, {"title": "Frost hits orchards", "outlet": "reuters", "published": "2024-03-05"})
    _write(corpus, "bridge", BRIDGE, {})
    settings = Settings(corpus_dir=corpus, index_dir=root / "index", model=BUNDLED_MODEL)
    Engine(settings, embedder=embedder).build_index()
    index = Index.open(settings.index_dir)
    yield index
    index.close()


def _docs(index: Index, ids) -> set[str]:
    return {article.source_path for _, article in index.passages_with_articles(list(ids)).values()}


def test_outlet_filter_is_case_insensitive(small_index):
    ids = small_index.passage_ids_where(outlets=["REUTERS"])
    assert ids.dtype == np.int64
    assert _docs(small_index, ids) == {"ferry.txt", "orchard.txt"}


def test_no_filter_selects_every_passage(small_index):
    ids = small_index.passage_ids_where(outlets=[])
    assert len(ids) == small_index.status().counts.passages


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        (dt.date(2024, 2, 1), None, {"orchard.txt"}),
        (None, dt.date(2024, 1, 10), {"ferry.txt"}),  # bounds are inclusive
        (dt.date(2024, 1, 10), dt.date(2024, 3, 5), {"ferry.txt", "orchard.txt"}),
        (dt.date(2025, 1, 1), None, set()),
    ],
)
def test_a_date_bound_keeps_dated_articles_in_range_and_drops_undated_ones(small_index, since, until, expected):
    ids = small_index.passage_ids_where(outlets=[], since=since, until=until)
    assert _docs(small_index, ids) == expected


def test_undated_articles_are_counted(small_index):
    assert small_index.count_undated_articles() == 1


def test_bm25_searches_article_titles_too(small_index):
    # "Zanzibar" is only in the ferry article's title, never in its text.
    assert "Zanzibar" not in FERRY
    hits = small_index.search_lexical("Zanzibar", 10)
    assert hits and _docs(small_index, hits) == {"ferry.txt"}


def test_lexical_search_among_keeps_only_those_passages(small_index):
    orchard = small_index.passage_ids_where(outlets=[], since=dt.date(2024, 2, 1))
    assert small_index.search_lexical("strike frost bridge", 10, among=orchard)
    assert set(small_index.search_lexical("strike frost bridge", 10, among=orchard)) <= set(orchard.tolist())
    assert small_index.search_lexical("strike", 10, among=orchard) == []
    assert small_index.search_lexical("strike", 10, among=np.zeros(0, np.int64)) == []


def test_dense_search_among_keeps_only_those_passages(small_index, embedder):
    query = embedder.encode_query("Why did the ferry crews walk out?")
    [(best, _)] = small_index.search_dense(query, 1)
    assert _docs(small_index, [best]) == {"ferry.txt"}
    bridge = small_index.passage_ids_where(outlets=[], since=None, until=None)
    bridge = np.array([i for i in bridge.tolist() if _docs(small_index, [i]) == {"bridge.txt"}], np.int64)
    hits = small_index.search_dense(query, 10, among=bridge)
    assert [i for i, _ in hits] and {i for i, _ in hits} <= set(bridge.tolist())
    assert small_index.search_dense(query, 10, among=np.zeros(0, np.int64)) == []


def _clustered(count: int, dimension: int, seed: int) -> np.ndarray:
    """Unit vectors around 50 random centres: structured like text embeddings, unlike pure noise."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((50, dimension)).astype(np.float32)
    vectors = centres[rng.integers(0, 50, count)] + 0.6 * rng.standard_normal((count, dimension)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_an_approximate_index_honours_among_and_agrees_with_exact_search(monkeypatch):
    monkeypatch.setattr(vectors_module, "APPROXIMATE_ABOVE", 2_000)
    vectors = _clustered(6_000, 64, seed=1)
    ids = np.arange(10, 6_010, dtype=np.int64)
    approximate = VectorIndex.build(ids, vectors, 64)
    monkeypatch.setattr(vectors_module, "APPROXIMATE_ABOVE", 10**9)
    exact = VectorIndex.build(ids, vectors, 64)
    assert approximate.approximate and not exact.approximate
    queries = _clustered(50, 64, seed=2)
    recall = np.mean(
        [len({i for i, _ in approximate.search(q, 10)} & {i for i, _ in exact.search(q, 10)}) / 10 for q in queries]
    )
    assert recall >= 0.95
    among = ids[::7]
    for query in queries[:10]:
        hits = approximate.search(query, 10, among=among)
        assert hits and {i for i, _ in hits} <= set(among.tolist())


def test_filters_apply_to_an_approximate_index_too(embedder, monkeypatch, tmp_path):
    monkeypatch.setattr(vectors_module, "APPROXIMATE_ABOVE", 1)  # any index is "large" now
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _write(corpus, "ferry", FERRY, {"outlet": "Reuters", "published": "2024-01-10"})
    _write(corpus, "orchard", ORCHARD, {"outlet": "Reuters", "published": "2024-03-05"})
    _write(corpus, "bridge", BRIDGE, {})
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", model=BUNDLED_MODEL)
    Engine(settings, embedder=embedder).build_index()
    index = Index.open(settings.index_dir)
    try:
        assert index.status().approximate
        query = embedder.encode_query("Why did the ferry crews walk out?")
        orchard = index.passage_ids_where(outlets=[], since=dt.date(2024, 2, 1))
        hits = index.search_dense(query, 10, among=orchard)
        assert sorted(i for i, _ in hits) == sorted(orchard.tolist())
        assert [score for _, score in hits] == sorted((score for _, score in hits), reverse=True)
        assert _docs(index, [i for i, _ in index.search_dense(query, 1)]) == {"ferry.txt"}
    finally:
        index.close()
