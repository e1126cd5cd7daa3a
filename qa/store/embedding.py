"""Embedding a build's passages in chunks, each staged in one transaction with its sentence vectors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from qa.embed import TextEncoder
from qa.models import Article, Passage
from qa.passages import sentence_spans
from qa.progress import Stage
from qa.store.records import MetaKey, SentenceVectors
from qa.store.report import ProgressCallback, SyncReport
from qa.store.writing import WritableIndex

COMMIT_EVERY_PASSAGES = 256
"""Embedded work is committed in chunks of about this many passages, so a crash loses at most one chunk."""


@dataclass
class PendingArticle:
    path: str
    article: Article
    passages: list[Passage]
    bands: list[int]
    """LSH band keys of the text, stored with it so later copies of the story find it."""


def embed_and_stage(
    index: WritableIndex,
    pending: list[PendingArticle],
    embedder: TextEncoder,
    report: SyncReport,
    progress: ProgressCallback,
) -> None:
    """Embed in chunks of about COMMIT_EVERY_PASSAGES passages and stage each chunk in one transaction."""
    total = sum(len(item.passages) for item in pending)
    if total and not embedder.loaded:
        progress(Stage.LOADING_MODEL, 0, 0)
    if total and index.writer.get_meta(MetaKey.REBUILD_PENDING) != embedder.name:
        index.check_model(embedder.name, embedder.dimension)
    done = 0
    stored = 0
    chunk: list[PendingArticle] = []
    for position, item in enumerate(pending):
        chunk.append(item)
        if sum(len(member.passages) for member in chunk) < COMMIT_EVERY_PASSAGES and position < len(pending) - 1:
            continue
        passages = [p for member in chunk for p in member.passages]
        texts = [p.text for p in passages]
        spans = [sentence_spans(p.text) for p in passages]
        advance = _embedding_progress(progress, before=done, total=total)
        encoded = embedder.encode_passages(texts, spans, on_progress=advance) if texts else None
        vectors = encoded.passages if encoded is not None else np.zeros((0, 1), np.float32)
        sentence_vectors = (
            [SentenceVectors(own, rows) for own, rows in zip(spans, encoded.sentences, strict=True)] if encoded else []
        )
        done += len(texts)
        row = 0
        with index.writer.atomic():
            for member in chunk:
                count = len(member.passages)
                index.writer.stage_article(
                    member.path,
                    member.article,
                    member.passages,
                    vectors[row : row + count],
                    sentence_vectors[row : row + count],
                    bands=member.bands,
                )
                row += count
        stored += len(chunk)
        report.articles += len(chunk)
        report.passages += len(texts)
        progress(Stage.STORING, stored, len(pending))
        chunk = []


def _embedding_progress(progress: ProgressCallback, *, before: int, total: int) -> Callable[[int], None]:
    """Report a chunk's encoding as passages done (their sentences come from the same forward pass)."""
    embedded = 0

    def advance(count: int) -> None:
        nonlocal embedded
        embedded += count
        progress(Stage.EMBEDDING, before + embedded, total)

    return advance
