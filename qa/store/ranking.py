"""Reciprocal rank fusion of dense and lexical candidates, the way both storage backends rank."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

RRF_K = 60
"""The usual reciprocal-rank-fusion constant: damps the advantage of the very first ranks."""
DEFAULT_DEPTH = 50
"""How many candidates each retriever contributes before fusion."""


@dataclass(frozen=True)
class ScoredPassage:
    passage_id: int
    fused: float
    """Reciprocal-rank-fusion score; higher is better."""
    similarity: float
    """Cosine similarity between the question and the passage."""
    dense_rank: int | None = None
    """Its rank in the dense search, from 1; None when the dense side did not return it."""
    lexical_rank: int | None = None
    """Its rank in the lexical (BM25) search, from 1; None as for `dense_rank`."""


def fused_ranks(dense: list[int], lexical: list[int]) -> dict[int, float]:
    """Each passage's RRF score over the two rankings (best first each)."""
    fused: dict[int, float] = defaultdict(float)
    for ranking in (dense, lexical):
        for rank, passage_id in enumerate(ranking, start=1):
            fused[passage_id] += 1.0 / (RRF_K + rank)
    return fused


def best_fused(dense: list[int], lexical: list[int], similarity: dict[int, float], limit: int) -> list[ScoredPassage]:
    """The `limit` best by fused score (ties by similarity), each with its rank on either side;
    passages without a similarity are left out."""
    fused = fused_ranks(dense, lexical)
    dense_rank = {pid: rank for rank, pid in enumerate(dense, start=1)}
    lexical_rank = {pid: rank for rank, pid in enumerate(lexical, start=1)}
    best = sorted(fused, key=lambda pid: (-fused[pid], -similarity.get(pid, -1.0)))[:limit]
    return [
        ScoredPassage(pid, fused[pid], similarity[pid], dense_rank.get(pid), lexical_rank.get(pid))
        for pid in best
        if pid in similarity
    ]
