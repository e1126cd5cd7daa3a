"""From a question to an Answer: retrieve, attribute, highlight the answering sentence, or abstain."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.embed import Embedder
from qa.errors import UsageError
from qa.models import Answer, Article, Hit, Passage
from qa.passages import sentence_spans
from qa.search import RRF_K, hybrid_search
from qa.store.index import Index

NOTHING_FOUND = "Nothing in the corpus answers this question."
RERANK_POOL = 20
"""Fused candidates whose sentences are scored; the best-sentence ranking then joins the fusion."""


@dataclass
class _Candidate:
    passage: Passage
    article: Article
    fused: float
    similarity: float
    highlight: tuple[int, int] | None


def answer_question(
    index: Index,
    embedder: Embedder,
    question: str,
    *,
    k: int = 5,
    min_similarity: float,
) -> Answer:
    """The `k` best attributed passages, or an abstention when none is close enough to the question.

    A passage counts as relevant when the passage or its best sentence reaches `min_similarity`:
    a precise question often matches one sentence of a long passage far better than the whole.
    """
    question = question.strip()
    if not question:
        raise UsageError('The question is empty. Ask something, e.g. qa ask "Who denied sales to Russia?"')
    if k < 1:
        raise UsageError(f"-k must be at least 1, not {k}.")
    query = embedder.encode_query(question)
    scored = hybrid_search(index, query, question, limit=max(k, RERANK_POOL))
    found = index.db.passages_with_articles([s.passage_id for s in scored])
    candidates = [
        _Candidate(*found[s.passage_id], fused=s.fused, similarity=s.similarity, highlight=None)
        for s in scored
        if s.passage_id in found
    ]
    _highlight(candidates, query, embedder)
    _fuse_sentence_ranking(candidates)
    relevant = [c for c in candidates if c.similarity >= min_similarity][:k]
    if not relevant:
        return Answer(question=question, abstained=True, message=NOTHING_FOUND, passages=[])
    return Answer(
        question=question,
        abstained=False,
        passages=[_hit(rank, c) for rank, c in enumerate(relevant, start=1)],
    )


def _highlight(candidates: list[_Candidate], query: np.ndarray, embedder: Embedder) -> None:
    """Mark each passage's sentence closest to the question, embedding all sentences in one batch."""
    spans = [sentence_spans(c.passage.text) for c in candidates]
    sentences = [
        c.passage.text[start:end]
        for c, passage_spans in zip(candidates, spans, strict=True)
        for start, end in passage_spans
    ]
    if not sentences:
        return
    scores = embedder.encode_documents(sentences) @ query
    offset = 0
    for candidate, passage_spans in zip(candidates, spans, strict=True):
        if passage_spans:
            own = scores[offset : offset + len(passage_spans)]
            best = int(np.argmax(own))
            candidate.highlight = passage_spans[best]
            candidate.similarity = max(candidate.similarity, float(own[best]))
        offset += len(passage_spans)


def _fuse_sentence_ranking(candidates: list[_Candidate]) -> None:
    """Add a third ranking, by best-sentence similarity, to the fusion and re-sort.

    A passage holding the one sentence that answers the question can rank low on its
    whole-passage vector when the rest of it is about something else.
    """
    by_sentence = sorted(candidates, key=lambda c: -c.similarity)
    for rank, candidate in enumerate(by_sentence, start=1):
        candidate.fused += 1.0 / (RRF_K + rank)
    candidates.sort(key=lambda c: (-c.fused, -c.similarity))


def _hit(rank: int, candidate: _Candidate) -> Hit:
    article, passage = candidate.article, candidate.passage
    return Hit(
        rank=rank,
        score=round(candidate.fused, 6),
        similarity=round(candidate.similarity, 4),
        doc_id=article.doc_id,
        title=article.title,
        outlet=article.outlet,
        published=article.published,
        url=article.url,
        text=passage.text,
        start=passage.start,
        end=passage.end,
        highlight=candidate.highlight,
        republished_by=article.republished_by,
    )
