"""The index on disk: keep it in step with the corpus, incrementally, and search it."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa.embed import Embedder
from qa.errors import IndexMismatchError, IndexMissingError, QAError
from qa.ingest import corpus_files, fingerprint, read_file
from qa.models import Article, Passage
from qa.passages import chunk_article
from qa.store.db import Database
from qa.store.vectors import VectorIndex, vectors_path

log = logging.getLogger(__name__)

DB_NAME = "qa.sqlite3"
COMMIT_EVERY_PASSAGES = 256
"""Embedded work is committed in groups of about this many passages, so a crash loses at most one group."""

ProgressCallback = Callable[[str, int, int], None]
"""Called as (stage, done, total) while indexing; stages are "reading" and "embedding"."""


@dataclass
class SkippedFile:
    path: str
    reason: str


@dataclass
class SyncReport:
    """What one `qa index` run changed."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    articles: int = 0
    passages: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


@dataclass
class IndexStatus:
    directory: Path
    model: str | None
    dimension: int | None
    built_at: str | None
    counts: dict[str, int]


@dataclass
class _PendingFile:
    path: str
    fingerprint: str
    articles: list[Article]
    passages: list[list[Passage]]


def _fingerprint_or_error(path: Path) -> str | OSError:
    try:
        return fingerprint(path)
    except OSError as error:
        return error


class Index:
    """SQLite (source of truth) plus a FAISS file derived from it for one generation."""

    def __init__(self, directory: Path, db: Database) -> None:
        self.directory = directory
        self.db = db
        self._vectors: VectorIndex | None = None

    @classmethod
    def open(cls, directory: Path) -> Index:
        """An existing index; raises IndexMissingError telling the user to run `qa index`."""
        if not (directory / DB_NAME).is_file():
            raise IndexMissingError(directory)
        return cls(directory, Database(directory / DB_NAME))

    @classmethod
    def create(cls, directory: Path, *, rebuild: bool = False) -> Index:
        """Open the index for writing, creating it; `rebuild` discards whatever was there."""
        if rebuild and directory.exists():
            for path in directory.iterdir():
                if path.name.startswith(DB_NAME) or path.suffix in (".faiss", ".tmp"):
                    path.unlink() if path.is_file() else shutil.rmtree(path)
        directory.mkdir(parents=True, exist_ok=True)
        return cls(directory, Database(directory / DB_NAME))

    def close(self) -> None:
        self.db.close()

    @property
    def model(self) -> str | None:
        return self.db.get_meta("model")

    @property
    def generation(self) -> int:
        return int(self.db.get_meta("generation") or 0)

    def check_model(self, model: str, dimension: int | None = None) -> None:
        """Refuse to mix vectors of two models: they would be silently incomparable.

        The dimension is checked when given (it needs the model loaded); the name always.
        """
        built_with, built_dimension = self.model, self.db.get_meta("dimension")
        if built_with is None:
            return
        dimension_differs = dimension is not None and built_dimension and int(built_dimension) != dimension
        if built_with != model or dimension_differs:
            raise IndexMismatchError(
                f"The index in {self.directory} was built with {built_with} ({built_dimension} dimensions), "
                f"not {model} ({dimension} dimensions). Run `qa index --rebuild` to re-embed the corpus "
                "with the current model, or set QA_MODEL back."
            )

    # -- searching ---------------------------------------------------------------------------

    def vectors(self) -> VectorIndex:
        """The FAISS index for the current generation, rebuilt from SQLite when its file is stale."""
        if self._vectors is None:
            self._vectors = VectorIndex.load(vectors_path(self.directory, self.generation))
            if self._vectors is None:
                self._vectors = self._vectors_from_db()
        return self._vectors

    def _vectors_from_db(self) -> VectorIndex:
        ids, matrix = self.db.vectors()
        dimension = int(self.db.get_meta("dimension") or (matrix.shape[1] if len(ids) else 1))
        return VectorIndex.build(ids, matrix, dimension)

    def search_dense(self, query: np.ndarray, limit: int) -> list[tuple[int, float]]:
        return self.vectors().search(query, limit)

    def search_lexical(self, question: str, limit: int) -> list[int]:
        return self.db.lexical_search(question, limit)

    def status(self) -> IndexStatus:
        dimension = self.db.get_meta("dimension")
        return IndexStatus(
            directory=self.directory,
            model=self.model,
            dimension=int(dimension) if dimension else None,
            built_at=self.db.get_meta("built_at"),
            counts=self.db.counts(),
        )

    def stale_files(self, corpus_dir: Path) -> list[str]:
        """Corpus files that are new, changed or gone since the last `qa index`."""
        known = self.db.file_fingerprints()
        current = {p.relative_to(corpus_dir).as_posix(): p for p in corpus_files(corpus_dir)}
        stale = [rel for rel, path in current.items() if known.get(rel) != fingerprint(path)]
        return sorted(stale + [rel for rel in known if rel not in current])

    # -- keeping in step with the corpus -----------------------------------------------------

    def sync(
        self,
        corpus_dir: Path,
        embedder: Embedder,
        *,
        min_words: int,
        max_words: int,
        on_progress: ProgressCallback | None = None,
    ) -> SyncReport:
        """Embed new and changed files, drop removed ones; unchanged files cost one hash each."""
        started = time.monotonic()
        progress = on_progress or (lambda stage, done, total: None)
        self.check_model(embedder.name)
        report = SyncReport()
        known = self.db.file_fingerprints()
        current = {p.relative_to(corpus_dir).as_posix(): p for p in corpus_files(corpus_dir)}

        with self.db.atomic():
            self.db.set_meta("model", embedder.name)
            for rel in sorted(set(known) - set(current)):
                self.db.forget_file(rel)
                report.removed.append(rel)
            if report.removed:
                self._bump_generation()

        fingerprints = {rel: _fingerprint_or_error(path) for rel, path in current.items()}
        changed = {rel for rel, value in fingerprints.items() if known.get(rel) != value}
        to_read = changed
        if changed or report.removed:
            # A duplicate's original may be gone or changed: its twins must be read again.
            to_read = changed | (self.db.files_without_articles() & set(current))
        pending: list[_PendingFile] = []
        seen_ids: dict[str, str] = {}
        for done, (rel, path) in enumerate(sorted(current.items()), start=1):
            progress("reading", done, len(current))
            if rel not in to_read:
                report.unchanged += 1
                continue
            file_fingerprint = fingerprints[rel]
            if isinstance(file_fingerprint, OSError):
                reason = file_fingerprint.strerror or str(file_fingerprint)
                report.skipped.append(SkippedFile(rel, f"cannot be read: {reason}"))
                continue
            item = self._read(rel, path, corpus_dir, file_fingerprint, seen_ids, to_read, report, min_words, max_words)
            if item is None:
                if rel in known:  # an indexed file that became unusable: its old version must go
                    with self.db.atomic():
                        self.db.forget_file(rel)
                        self._bump_generation()
                continue
            if item.articles:
                (report.updated if rel in known else report.added).append(rel)
            pending.append(item)

        self._embed_and_store(pending, embedder, report, progress)
        self._save_vectors()
        with self.db.atomic():
            self.db.set_meta("built_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        report.seconds = time.monotonic() - started
        return report

    def _read(
        self,
        rel: str,
        path: Path,
        corpus_dir: Path,
        file_fingerprint: str,
        seen_ids: dict[str, str],
        being_read: set[str],
        report: SyncReport,
        min_words: int,
        max_words: int,
    ) -> _PendingFile | None:
        try:
            articles = read_file(path, corpus_dir=corpus_dir)
        except QAError as error:
            report.skipped.append(SkippedFile(rel, str(error).removeprefix(f"{rel}: ")))
            return None
        except OSError as error:
            report.skipped.append(SkippedFile(rel, f"cannot be read: {error.strerror or error}"))
            return None
        kept = []
        for article in articles:
            owner = seen_ids.get(article.doc_id) or self._owner_elsewhere(article.doc_id, rel, being_read)
            if owner is not None:
                report.skipped.append(SkippedFile(rel, f"same article text as {owner}"))
                continue
            seen_ids[article.doc_id] = rel
            kept.append(article)
        passages = [chunk_article(a, min_words=min_words, max_words=max_words) for a in kept]
        return _PendingFile(rel, file_fingerprint, kept, passages)

    def _owner_elsewhere(self, doc_id: str, rel: str, being_read: set[str]) -> str | None:
        """The other indexed file holding this article, unless that file is itself being re-read."""
        owner = self.db.article_source(doc_id)
        return owner if owner is not None and owner != rel and owner not in being_read else None

    def _embed_and_store(
        self,
        pending: list[_PendingFile],
        embedder: Embedder,
        report: SyncReport,
        progress: ProgressCallback,
    ) -> None:
        """Embed in groups and commit each group in one transaction with a new generation."""
        total = sum(len(ps) for item in pending for ps in item.passages)
        if total and not embedder.loaded:
            progress("loading model", 0, 0)
            self.check_model(embedder.name, embedder.dimension)
        done = 0
        group: list[_PendingFile] = []
        for position, item in enumerate(pending):
            group.append(item)
            group_size = sum(len(ps) for member in group for ps in member.passages)
            if group_size < COMMIT_EVERY_PASSAGES and position < len(pending) - 1:
                continue
            texts = [p.text for member in group for ps in member.passages for p in ps]

            def advance(count: int) -> None:
                nonlocal done
                done += count
                progress("embedding", done, total)

            vectors = (
                embedder.encode_documents(texts, on_progress=advance)
                if texts
                else np.zeros((0, 0), dtype=np.float32)
            )
            self._store_group(group, vectors, report)
            group = []

    def _store_group(self, group: list[_PendingFile], vectors: np.ndarray, report: SyncReport) -> None:
        row = 0
        with self.db.atomic():
            if len(vectors):
                self.db.set_meta("dimension", str(vectors.shape[1]))
            for item in group:
                self.db.forget_file(item.path)
                self.db.record_file(item.path, item.fingerprint)
                for article, passages in zip(item.articles, item.passages, strict=True):
                    self.db.insert_article(article, passages, vectors[row : row + len(passages)])
                    row += len(passages)
                    report.articles += 1
                    report.passages += len(passages)
            self._bump_generation()

    def _bump_generation(self) -> None:
        self.db.set_meta("generation", str(self.generation + 1))

    def _save_vectors(self) -> None:
        """Write the FAISS file for the current generation if missing, then drop older ones."""
        target = vectors_path(self.directory, self.generation)
        if not target.is_file():
            self._vectors = self._vectors_from_db()
            self._vectors.save(target)
        for old in self.directory.glob("vectors-*.faiss"):
            if old != target:
                old.unlink(missing_ok=True)
