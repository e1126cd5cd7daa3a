"""Weighted reciprocal rank fusion (qa.store.ranking): the arithmetic, what k and the weights decide,
and that the embedded index ranks through it with the tuned setting."""

from __future__ import annotations

import pytest

from qa.store.ranking import FUSION, PLAIN_RRF, FusionWeights, best_fused, fused_ranks


def test_plain_rrf_adds_one_over_k_plus_rank_from_each_side():
    fused = fused_ranks([10, 20, 30], [30, 40], PLAIN_RRF)
    assert fused[10] == pytest.approx(1 / 61)
    assert fused[20] == pytest.approx(1 / 62)
    assert fused[30] == pytest.approx(1 / 63 + 1 / 61)
    assert fused[40] == pytest.approx(1 / 62)
    assert set(fused) == {10, 20, 30, 40}


def test_each_side_is_scaled_by_its_weight():
    weights = FusionWeights(k=20, dense=1.0, lexical=1.5)
    fused = fused_ranks([1, 2], [2, 3], weights)
    assert fused[1] == pytest.approx(1 / 21)
    assert fused[2] == pytest.approx(1 / 22 + 1.5 / 21)
    assert fused[3] == pytest.approx(1.5 / 22)


def test_a_heavier_lexical_side_puts_its_first_passage_above_the_dense_first():
    dense, lexical = [1, 2], [2, 1]  # each side's first is the other's second
    similarity = {1: 0.9, 2: 0.5}
    assert [s.passage_id for s in best_fused(dense, lexical, similarity, 2, FusionWeights(lexical=1.0))] == [1, 2]
    assert [s.passage_id for s in best_fused(dense, lexical, similarity, 2, FusionWeights(lexical=1.5))] == [2, 1]
    assert [s.passage_id for s in best_fused(dense, lexical, similarity, 2, FusionWeights(dense=1.5))] == [1, 2]


def test_k_decides_whether_one_side_first_beats_both_sides_agreeing_lower():
    dense = [1, 2, 3, 4, 5, 6]  # passage 1: first on the dense side only (and last on the lexical)
    lexical = [6, 4, 3, 2, 5, *range(100, 145), 1]
    # passage 5 is fifth on both sides
    small, large = fused_ranks(dense, lexical, FusionWeights(k=1)), fused_ranks(dense, lexical, FusionWeights(k=60))
    assert small[1] > small[5]
    assert large[5] > large[1]


def test_best_fused_keeps_ranks_breaks_ties_by_similarity_and_drops_passages_without_one():
    scored = best_fused([7, 8], [8, 7, 9], {7: 0.2, 8: 0.6}, 5, PLAIN_RRF)
    assert [s.passage_id for s in scored] == [8, 7]  # 7 and 8 tie on fused score; 9 has no similarity
    assert (scored[0].dense_rank, scored[0].lexical_rank, scored[0].similarity) == (2, 1, 0.6)
    assert scored[0].fused == pytest.approx(1 / 62 + 1 / 61)
    assert best_fused([7, 8], [8, 7], {7: 0.2, 8: 0.6}, 1, PLAIN_RRF)[0].passage_id == 8


def test_the_sentence_term_uses_the_same_k():
    assert FusionWeights(k=30, sentence=0.5).term(0.5, 2) == pytest.approx(0.5 / 32)
    assert FUSION.term(FUSION.sentence, 1) == pytest.approx(FUSION.sentence / (FUSION.k + 1))


def test_the_embedded_index_fuses_with_the_chosen_setting(tmp_path, embedder):
    from qa.config import BUNDLED_MODEL, Settings
    from qa.engine import Engine
    from qa.store.index import Index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in {
        "ferry": "The harbour ferries stopped running after the crews walked out over pay.",
        "orchard": "Apple growers expect a smaller harvest after a late frost damaged blossoms.",
        "bridge": "Engineers closed the old river bridge to lorries after cracks were found.",
    }.items():
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", model=BUNDLED_MODEL)
    Engine(settings, embedder=embedder).build_index()
    index = Index.open(settings.index_dir)
    try:
        question = "Why did the ferry crews walk out?"
        query = embedder.encode_query(question)
        dense = [pid for pid, _ in index.search_dense(query, 10)]
        lexical = index.search_lexical(question, 10)
        expected = fused_ranks(dense, lexical, FUSION)
        scored = index.retrieve(query, question, limit=10, depth=10)
        assert {s.passage_id: s.fused for s in scored} == pytest.approx(expected)
        assert [s.passage_id for s in scored][0] == max(expected, key=expected.get)
    finally:
        index.close()
