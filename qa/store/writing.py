"""The write side of the storage seam: what a build (qa/store/build.py) needs from an index.

A build reads what is published (to decide what changed and which copy of a story to keep), stages
its work file by file, invisible to readers, then publishes it all as one new generation. Each
backend implements the staging its own way (SQLite tables, Milvus rows of the next generation).
"""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from contextlib import AbstractContextManager
from typing import Protocol

import numpy as np

from qa.models import Article, Passage
from qa.store.reading import IndexReader
from qa.store.records import (
    ArticleText,
    FoldedCopy,
    MetaKey,
    PublishedText,
    RefusedFile,
    SentenceVectors,
    StagedArticle,
)


class IndexWriter(Protocol):
    """The records a build reads and stages through."""

    def atomic(self) -> AbstractContextManager[object]:
        """One transaction where the backend has them; Milvus stages rows of an uncommitted generation instead."""
        ...

    def get_meta(self, key: MetaKey) -> str | None: ...
    def set_meta(self, key: MetaKey, value: str) -> None: ...
    def delete_meta(self, key: MetaKey) -> None: ...

    # -- what is published -------------------------------------------------------------------

    def file_fingerprints(self) -> dict[str, str]: ...
    def files_without_articles(self) -> set[str]:
        """Files recorded with no article of their own: each was a duplicate of another file."""
        ...

    def files_with_copies_of(self, paths: set[str]) -> set[str]:
        """Files holding a copy folded into an article of one of `paths`: read again when those change."""
        ...

    def article(self, doc_id: str) -> Article | None: ...
    def copies_of(self, doc_id: str) -> list[FoldedCopy]:
        """Every copy folded into `doc_id`, in the order folded."""
        ...

    def articles_sharing_bands(self, keys: list[int]) -> list[PublishedText]: ...
    def published_article(self, doc_id: str) -> PublishedText | None: ...
    def article_texts(self, after: str, limit: int) -> list[ArticleText]:
        """Published articles by doc_id, from just after `after`: for paging through all."""
        ...

    def clear_bands(self) -> None: ...
    def add_bands(self, bands: dict[str, list[int]]) -> None: ...
    def refused_files(self) -> list[RefusedFile]: ...
    def set_refused_files(self, refused: list[RefusedFile]) -> None:
        """Replace the record of files refused whole."""
        ...

    # -- staging -----------------------------------------------------------------------------

    def staged_files(self, model: str) -> dict[str, str]:
        """Files staged by an interrupted build with `model` (path -> fingerprint); other models' work goes."""
        ...

    def staged_articles(self, path: str) -> list[StagedArticle]: ...
    def unstage(self, paths: list[str]) -> None: ...
    def stage_file(self, path: str, fingerprint: str, model: str) -> None: ...
    def stage_copies(self, path: str, copies: list[FoldedCopy]) -> None:
        """The copies read from staged `path`, replacing any staged earlier."""
        ...

    def drop_staged_articles(self, doc_ids: list[str]) -> None: ...
    def stage_article(
        self,
        path: str,
        article: Article,
        passages: list[Passage],
        vectors: np.ndarray,
        sentences: list[SentenceVectors],
        *,
        bands: list[int],
    ) -> None: ...


class WritableIndex(IndexReader):
    """An index opened for a build, under its writer's lock: the read side, its records and `publish`."""

    @property
    @abstractmethod
    def writer(self) -> IndexWriter: ...

    @abstractmethod
    def publish(self, replaced: list[str], model: str, *, rebuilding: bool, encoder: str) -> None:
        """Make the staged work, minus the `replaced` files' old versions, what readers see."""


def record_built(writer: IndexWriter, *, model: str | None, dimension: int | None, encoder: str) -> None:
    """Record the manifest of a published build (see `built_manifest`) in the writer's meta."""
    for key, value in built_manifest(model=model, dimension=dimension, encoder=encoder).items():
        writer.set_meta(key, value)


def built_manifest(*, model: str | None, dimension: int | None, encoder: str) -> dict[MetaKey, str]:
    """The manifest of a published build: its model, and when new vectors came, their dimension and encoder.

    `model` None: nothing changed, only the time of the build is recorded.
    """
    manifest: dict[MetaKey, str] = {}
    if model is not None:
        manifest[MetaKey.MODEL] = model
        if dimension is not None:
            manifest[MetaKey.DIMENSION] = str(dimension)
            manifest[MetaKey.DOCUMENT_ENCODER] = encoder
    manifest[MetaKey.BUILT_AT] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return manifest
