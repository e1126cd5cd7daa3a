"""Candidate passages from dense (FAISS) and lexical (FTS5 BM25) search, fused by reciprocal rank."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from qa.store.index import Index

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


def hybrid_search(
    index: Index,
    query: np.ndarray,
    question: str,
    *,
    limit: int,
    depth: int = DEFAULT_DEPTH,
    among: np.ndarray | None = None,
) -> list[ScoredPassage]:
    """The `limit` best passages by fused rank, each with its cosine similarity to the question.

    `among` restricts both retrievers to these passage ids (the filters), so neither side can
    fill the fused list with passages the filters exclude.
    """
    dense = index.search_dense(query, max(depth, limit), among=among)
    lexical = index.search_lexical(question, max(depth, limit), among=among)
    fused: dict[int, float] = defaultdict(float)
    for rank, (passage_id, _) in enumerate(dense, start=1):
        fused[passage_id] += 1.0 / (RRF_K + rank)
    for rank, passage_id in enumerate(lexical, start=1):
        fused[passage_id] += 1.0 / (RRF_K + rank)
    similarity = dict(dense)
    lexical_only = [pid for pid in lexical if pid not in similarity]
    if lexical_only:
        ids, vectors = index.db.vectors(lexical_only)
        similarity.update(zip(ids.tolist(), (vectors @ query).tolist(), strict=True))
    best = sorted(fused, key=lambda pid: (-fused[pid], -similarity.get(pid, -1.0)))[:limit]
    return [ScoredPassage(pid, fused[pid], similarity[pid]) for pid in best if pid in similarity]
