"""Weighted reciprocal rank fusion of dense and lexical candidates, the way both storage backends rank."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class FusionWeights:
    """Weighted RRF: a passage at rank r (from 1) on a side adds `weight / (k + r)` to its fused score.

    Only the ratios of the weights and `k` change an order; the dense weight is kept at 1.
    """

    k: float = 60.0
    """Damps the advantage of the very first ranks: small k trusts each side's top ranks, large k
    sums the sides almost evenly over the whole depth."""
    dense: float = 1.0
    lexical: float = 1.0
    sentence: float = 1.0
    """The answer step's third ranking: passages ordered by their best sentence's similarity
    (qa.answer `_fuse`); the storage backends fuse only dense and lexical."""

    def term(self, weight: float, rank: int) -> float:
        """What one side's rank adds to the fused score."""
        return weight / (self.k + rank)


PLAIN_RRF = FusionWeights()
"""The textbook setting (k=60, equal weights) that qa used before the fusion was tuned."""
FUSION = PLAIN_RRF
"""The fusion every search uses, chosen on development data by bench/tune_fusion.py (never on SciFact's
test qrels). See README "Fusion, tuned on data" for the grid and the numbers."""
RRF_K = FUSION.k
"""The fusion's k, also the unit qa.evidence adds its article bonus in."""
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
