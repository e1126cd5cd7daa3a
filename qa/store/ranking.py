"""Weighted reciprocal rank fusion of dense and lexical candidates, the way both storage backends rank."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class FusionWeights:
    """Weighted RRF: a passage at rank r (from 1) on a side adds `weight / (k + r)` to its fused score.

    Only the ratios of the weights and `k` change an order, so the tuned setting keeps the dense weight at 1.
    """

    k: float = 60.0
    """Damps the advantage of the very first ranks: small k trusts each side's top ranks, large k
    sums the sides almost evenly over the whole depth."""
    dense: float = 1.0
    """The dense (cosine) ranking's weight."""
    lexical: float = 1.0
    """The lexical (BM25 over passage text and title) ranking's weight."""
    sentence: float = 1.0
    """The answer step's third ranking: passages ordered by their best sentence's similarity
    (qa.answer `_fuse`); the storage backends fuse only dense and lexical."""

    def term(self, weight: float, rank: int) -> float:
        """What one side's rank adds to the fused score."""
        return weight / (self.k + rank)


PLAIN_RRF = FusionWeights()
"""The textbook setting (k=60, equal weights) that qa used before the fusion was tuned."""
FUSION = FusionWeights(k=10.0, dense=1.0, lexical=1.33, sentence=0.5)
"""The fusion every search uses, chosen on development data by bench/tune_fusion.py, never on SciFact's
test qrels (README "Fusion, tuned on data" has the grid and the command).

Against plain RRF, on SciFact's 809 train queries (nDCG@10 of `qa eval`'s hybrid mode) and the news
development set's 151 answerable questions over all of Reuters-21578 (answer recall in the text of the
hits `qa ask -k 10` shows): nDCG@10 0.7092 -> 0.7240, R@1 0.709 -> 0.755, R@5 0.947 -> 0.980. In a grid
of k 5-60, lexical weight 0.75-3 and sentence weight 0-2, every setting near the top has a small k and a
lexical weight of 1.33-3: each side's first ranks are worth trusting, and BM25 (alone 0.6871 on SciFact
train against 0.6673 for the dense side) deserves more weight than MiniLM. The bench's best interior
setting by neighbourhood-averaged gain is lexical 2 (+0.042 against +0.039 here, half a news question);
lexical 1.33 was taken instead because at 2 the Milvus backend, whose BM25 weighs titles as much as text,
no longer shows the embedded index's passages for a seed question (tests/test_backends.py), and 1.33 is
the best of the grid on SciFact train and the nearer to plain RRF."""
DEFAULT_DEPTH = 50
"""How many candidates each retriever contributes before fusion."""


@dataclass(frozen=True)
class ScoredPassage:
    passage_id: int
    fused: float
    """Weighted reciprocal-rank-fusion score; higher is better."""
    similarity: float
    """Cosine similarity between the question and the passage."""
    dense_rank: int | None = None
    """Its rank in the dense search, from 1; None when the dense side did not return it."""
    lexical_rank: int | None = None
    """Its rank in the lexical (BM25) search, from 1; None as for `dense_rank`."""


def fused_ranks(dense: list[int], lexical: list[int], weights: FusionWeights = FUSION) -> dict[int, float]:
    """Each passage's weighted RRF score over the two rankings (best first each)."""
    fused: dict[int, float] = defaultdict(float)
    for ranking, weight in ((dense, weights.dense), (lexical, weights.lexical)):
        for rank, passage_id in enumerate(ranking, start=1):
            fused[passage_id] += weights.term(weight, rank)
    return fused


def best_fused(
    dense: list[int],
    lexical: list[int],
    similarity: dict[int, float],
    limit: int,
    weights: FusionWeights = FUSION,
) -> list[ScoredPassage]:
    """The `limit` best by fused score (ties by similarity), each with its rank on either side;
    passages without a similarity are left out."""
    fused = fused_ranks(dense, lexical, weights)
    dense_rank = {pid: rank for rank, pid in enumerate(dense, start=1)}
    lexical_rank = {pid: rank for rank, pid in enumerate(lexical, start=1)}
    best = sorted(fused, key=lambda pid: (-fused[pid], -similarity.get(pid, -1.0)))[:limit]
    return [
        ScoredPassage(pid, fused[pid], similarity[pid], dense_rank.get(pid), lexical_rank.get(pid))
        for pid in best
        if pid in similarity
    ]
