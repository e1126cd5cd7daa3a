"""Embedding a build's passages in chunks, each staged in one transaction with its sentence vectors.

Three stages run at once (qa/store/pipeline.py): a thread chunks articles into passages and
sentences and tokenizes them ahead of the model, the model encodes one chunk after another, and a
thread stages each encoded chunk in one transaction behind it. The model never waits for SQLite
(or Milvus), nor for the chunking; a crash loses at most the chunks not yet committed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from qa.embed import TextEncoder, TokenizedPassages, TokenizesAhead
from qa.models import Article, Passage
from qa.passages import chunk_article, sentence_spans
from qa.progress import Stage
from qa.store.pipeline import Ahead, Behind
from qa.store.records import MetaKey, SentenceVectors
from qa.store.report import ProgressCallback, SyncReport
from qa.store.writing import WritableIndex

COMMIT_EVERY_PASSAGES = 256
"""Embedded work is committed in chunks of about this many passages, so a crash loses at most a chunk or two."""
CHUNKS_AHEAD = 2
"""Chunks prepared ahead of the model: one ready the moment it finishes the current one, and one spare."""
CHUNKS_BEHIND = 2
"""Encoded chunks waiting to be staged before the model waits for the writer (it never should)."""


@dataclass
class PendingArticle:
    path: str
    article: Article
    passages: list[Passage]
    bands: list[int]
    """LSH band keys of the text, stored with it so later copies of the story find it."""


@dataclass
class PreparedChunk:
    """Articles cut into passages and sentence spans, ready for the model."""

    articles: list[PendingArticle]
    passages: list[Passage]
    spans: list[list[tuple[int, int]]]
    """Each passage's sentences, as character offsets into the passage."""
    tokenized: TokenizedPassages | None
    """The passages' tokens for the model, when its encoder tokenizes ahead and was loaded in time."""


@dataclass
class EncodedChunk:
    """A chunk with its vectors, to be staged in one transaction."""

    articles: list[PendingArticle]
    vectors: np.ndarray
    sentence_vectors: list[SentenceVectors]


@dataclass
class Chunker:
    """Cuts the pending articles into passages (all first, to know the total), then into chunks for the model.

    It consumes `pending` (the list is emptied as chunks go out), so an article is freed once its
    chunk is staged rather than held until the build ends: on a large build that is most of the
    memory the articles take.
    """

    pending: list[PendingArticle]
    min_words: int
    max_words: int
    tokenizer: TokenizesAhead | None = None
    """The model's encoder when it can tokenize in this thread; the first chunks, cut while the model loads,
    are tokenized by the model's thread instead."""
    total: int = 0
    """Passages in all, known once the first chunk is out."""

    def chunks(self) -> Iterator[PreparedChunk]:
        for item in self.pending:
            item.passages = chunk_article(item.article, min_words=self.min_words, max_words=self.max_words)
        self.total = sum(len(item.passages) for item in self.pending)
        remaining = self.pending[::-1]  # popped from the end: first article first
        self.pending.clear()
        chunk: list[PendingArticle] = []
        while remaining:
            chunk.append(remaining.pop())
            if not remaining or sum(len(member.passages) for member in chunk) >= COMMIT_EVERY_PASSAGES:
                yield self._prepare(chunk)
                chunk = []

    def _prepare(self, chunk: list[PendingArticle]) -> PreparedChunk:
        passages = [p for member in chunk for p in member.passages]
        texts = [p.text for p in passages]
        tokenized = self.tokenizer.tokenize_passages(texts) if self.tokenizer is not None and texts else None
        return PreparedChunk(chunk, passages, [sentence_spans(text) for text in texts], tokenized)


class Stager:
    """Stages encoded chunks, each in one transaction (in the writer thread), and counts what it staged."""

    def __init__(self, index: WritableIndex, report: SyncReport) -> None:
        self.index = index
        self.report = report
        self.articles = 0
        """Articles staged so far: read by the model's thread for progress."""

    def stage(self, chunk: EncodedChunk) -> None:
        row = 0
        with self.index.writer.atomic():
            for member in chunk.articles:
                count = len(member.passages)
                self.index.writer.stage_article(
                    member.path,
                    member.article,
                    member.passages,
                    chunk.vectors[row : row + count],
                    chunk.sentence_vectors[row : row + count],
                    bands=member.bands,
                )
                row += count
        self.report.articles += len(chunk.articles)
        self.report.passages += row
        self.articles += len(chunk.articles)


def embed_and_stage(
    index: WritableIndex,
    pending: list[PendingArticle],
    embedder: TextEncoder,
    report: SyncReport,
    progress: ProgressCallback,
    *,
    min_words: int,
    max_words: int,
) -> None:
    """Chunk, embed and stage `pending`, the three at once; each chunk of ~COMMIT_EVERY_PASSAGES is one transaction.

    `pending` is consumed: empty when this returns (see Chunker)."""
    if not pending:
        return
    articles = len(pending)
    tokenizer = embedder if isinstance(embedder, TokenizesAhead) else None
    chunker = Chunker(pending, min_words, max_words, tokenizer)
    stager = Stager(index, report)
    ahead = Ahead(chunker.chunks(), depth=CHUNKS_AHEAD, name="qa-chunking")
    behind: Behind[EncodedChunk] | None = None
    try:
        if not embedder.loaded:
            progress(Stage.LOADING_MODEL, 0, 0)
        dimension = embedder.dimension  # loads the model, while the articles are chunked
        if index.writer.get_meta(MetaKey.REBUILD_PENDING) != embedder.name:
            index.check_model(embedder.name, dimension)
        behind = Behind(stager.stage, depth=CHUNKS_BEHIND, name="qa-staging")
        done = reported = 0
        for chunk in ahead:
            encoded = _encode(embedder, chunk, progress, before=done, total=chunker.total)
            done += len(chunk.passages)
            behind.put(encoded)
            if stager.articles > reported:  # progress is reported from this thread only
                reported = stager.articles
                progress(Stage.STORING, reported, articles)
        behind.finish()
        progress(Stage.STORING, stager.articles, articles)
    finally:
        ahead.close()
        if behind is not None:
            behind.close()


def _encode(
    embedder: TextEncoder, chunk: PreparedChunk, progress: ProgressCallback, *, before: int, total: int
) -> EncodedChunk:
    """One chunk through the model, one forward pass per passage: its vector and its sentences' vectors."""
    if not chunk.passages:
        return EncodedChunk(chunk.articles, np.zeros((0, 1), np.float32), [])
    advance = _embedding_progress(progress, before=before, total=total)
    texts = [p.text for p in chunk.passages]
    if isinstance(embedder, TokenizesAhead):
        encoded = embedder.encode_passages(texts, chunk.spans, tokenized=chunk.tokenized, on_progress=advance)
    else:
        encoded = embedder.encode_passages(texts, chunk.spans, on_progress=advance)
    sentence_vectors = [SentenceVectors(own, rows) for own, rows in zip(chunk.spans, encoded.sentences, strict=True)]
    return EncodedChunk(chunk.articles, encoded.passages, sentence_vectors)


def _embedding_progress(progress: ProgressCallback, *, before: int, total: int) -> Callable[[int], None]:
    """Report a chunk's encoding as passages done (their sentences come from the same forward pass)."""
    embedded = 0

    def advance(count: int) -> None:
        nonlocal embedded
        embedded += count
        progress(Stage.EMBEDDING, before + embedded, total)

    return advance
