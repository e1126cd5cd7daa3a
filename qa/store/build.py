"""A build: bring the index in step with the corpus, staging embedded work chunk by chunk.

Reading decides what changed (by content hash), embedding stages articles in chunks of about
COMMIT_EVERY_PASSAGES passages (each one SQLite transaction, invisible to readers), and
`Index.publish` then swaps everything in as one new generation. A run cut short leaves its
chunks staged; the next run keeps those whose file is unchanged and embeds only the rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa.embed import Embedder
from qa.errors import QAError
from qa.ingest import corpus_files, fingerprint, read_corpus_file
from qa.models import Article, Passage
from qa.passages import chunk_article

if TYPE_CHECKING:
    from qa.store.index import Index

COMMIT_EVERY_PASSAGES = 256
"""Embedded work is committed in chunks of about this many passages, so a crash loses at most one chunk."""

ProgressCallback = Callable[[str, int, int], None]
"""Called as (stage, done, total) while indexing. Stages: "waiting" (for another writer), "reading"
(files), "loading model", "embedding" (passages), "articles" (articles stored), "saving"."""


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
    problems: list[SkippedFile] = field(default_factory=list)
    """Records left out of files that were otherwise indexed (one line each, e.g. a broken JSONL line)."""
    articles: int = 0
    passages: int = 0
    resumed_passages: int = 0
    """Passages embedded by an earlier run that was cut short, published by this one."""
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


@dataclass
class _PendingArticle:
    path: str
    article: Article
    passages: list[Passage]


def fingerprint_or_error(path: Path) -> str | OSError:
    try:
        return fingerprint(path)
    except OSError as error:
        return error


class Build:
    """One run of `qa index` over an index opened for writing."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.changed_while_reading: set[str] = set()
        """Files whose content changed between hashing and reading: left as they were indexed."""

    def run(
        self,
        corpus_dir: Path,
        embedder: Embedder,
        *,
        min_words: int,
        max_words: int,
        rebuild: bool = False,
        on_progress: ProgressCallback | None = None,
    ) -> SyncReport:
        """Read what changed, embed and stage it in chunks, then publish; see `Index.sync`."""
        started = time.monotonic()
        progress = on_progress or (lambda stage, done, total: None)
        with self.index.db.atomic():
            if rebuild:
                self.index.db.set_meta("rebuild_pending", embedder.name)
            rebuilding = self.index.db.get_meta("rebuild_pending") is not None
        if not rebuilding:
            self.index.check_model(embedder.name)
        report = SyncReport()
        published = self.index.db.file_fingerprints()
        known = {} if rebuilding else published
        current = {p.relative_to(corpus_dir).as_posix(): p for p in corpus_files(corpus_dir)}
        fingerprints = {rel: fingerprint_or_error(path) for rel, path in current.items()}
        with self.index.db.atomic():
            staged = self.index.db.staged_files(embedder.name)
            self.index.db.unstage([rel for rel, value in staged.items() if fingerprints.get(rel) != value])
        staged = {rel: value for rel, value in staged.items() if fingerprints.get(rel) == value}

        report.removed = sorted(set(published) - set(current))
        changed = {rel for rel, value in fingerprints.items() if known.get(rel) != value}
        to_read = changed
        if changed or report.removed:
            # A duplicate's original may be gone or changed: its twins must be read again.
            to_read = changed | (self.index.db.files_without_articles() & set(current))
        replaced: list[str] = []  # published files whose old version goes, with nothing new staged
        pending: list[_PendingArticle] = []
        files_to_stage: dict[str, str] = {}
        seen_ids: dict[str, str] = {}
        for done, (rel, path) in enumerate(sorted(current.items()), start=1):
            progress("reading", done, len(current))
            if rel not in to_read:
                report.unchanged += 1
                continue
            file_fingerprint = fingerprints[rel]
            articles = None
            if isinstance(file_fingerprint, OSError):
                reason = file_fingerprint.strerror or str(file_fingerprint)
                report.skipped.append(SkippedFile(rel, f"cannot be read: {reason}"))
            else:
                articles = self._read(rel, path, corpus_dir, file_fingerprint, report)
            if articles is None:
                # An indexed file that became unusable loses its old version; one that changed
                # while being read keeps it, whole, until the next run reads it again.
                if rel in published and rel not in self.changed_while_reading:
                    replaced.append(rel)
                continue
            already_staged = dict(self.index.db.staged_doc_ids(rel)) if rel in staged else {}
            kept = 0
            for article in articles:
                owner = seen_ids.get(article.doc_id) or self._owner_elsewhere(article.doc_id, rel, to_read, current)
                if owner is not None:
                    report.skipped.append(SkippedFile(rel, f"same article text as {owner}"))
                    continue
                seen_ids[article.doc_id] = rel
                kept += 1
                if article.doc_id in already_staged:
                    report.articles += 1
                    report.resumed_passages += already_staged[article.doc_id]
                    continue
                passages = chunk_article(article, min_words=min_words, max_words=max_words)
                pending.append(_PendingArticle(rel, article, passages))
            files_to_stage[rel] = file_fingerprint
            no_longer_kept = [doc_id for doc_id in already_staged if seen_ids.get(doc_id) != rel]
            if no_longer_kept:
                with self.index.db.atomic():
                    self.index.db.drop_staged_articles(no_longer_kept)
            if kept:
                (report.updated if rel in published and not rebuilding else report.added).append(rel)

        with self.index.db.atomic():
            for rel, file_fingerprint in files_to_stage.items():
                if staged.get(rel) != file_fingerprint:
                    self.index.db.stage_file(rel, file_fingerprint, embedder.name)
        self._embed_and_stage(pending, embedder, report, progress)
        if rebuilding:
            replaced = sorted(published)
        else:
            replaced = sorted(set(replaced) | set(report.removed))
        progress("saving", 0, 0)
        self.index.publish(replaced, embedder.name, rebuilding=rebuilding)
        report.passages += report.resumed_passages
        report.seconds = time.monotonic() - started
        return report

    def _read(
        self, rel: str, path: Path, corpus_dir: Path, file_fingerprint: str, report: SyncReport
    ) -> list[Article] | None:
        """The file's articles, or None (with the reason in the report) when it cannot be used."""
        try:
            reading = read_corpus_file(path, corpus_dir=corpus_dir)
            unchanged = fingerprint(path) == file_fingerprint
        except QAError as error:
            report.skipped.append(SkippedFile(rel, str(error).removeprefix(f"{rel}: ")))
            return None
        except OSError as error:
            report.skipped.append(SkippedFile(rel, f"cannot be read: {error.strerror or error}"))
            return None
        if not unchanged:
            self.changed_while_reading.add(rel)
            report.skipped.append(SkippedFile(rel, "changed while being indexed: run `qa index` again"))
            return None
        report.problems += [SkippedFile(rel, problem) for problem in reading.problems]
        return reading.articles

    def _owner_elsewhere(self, doc_id: str, rel: str, being_read: set[str], current: dict) -> str | None:
        """The other indexed file holding this article, unless that file is being re-read or is gone."""
        owner = self.index.db.article_source(doc_id)
        if owner is None or owner == rel or owner in being_read or owner not in current:
            return None
        return owner

    def _embed_and_stage(
        self,
        pending: list[_PendingArticle],
        embedder: Embedder,
        report: SyncReport,
        progress: ProgressCallback,
    ) -> None:
        """Embed in chunks of about COMMIT_EVERY_PASSAGES passages and stage each chunk in one transaction."""
        total = sum(len(item.passages) for item in pending)
        if total and not embedder.loaded:
            progress("loading model", 0, 0)
        if total and not self.index.db.get_meta("rebuild_pending"):
            self.index.check_model(embedder.name, embedder.dimension)
        done = 0
        stored = 0
        chunk: list[_PendingArticle] = []
        for position, item in enumerate(pending):
            chunk.append(item)
            if sum(len(member.passages) for member in chunk) < COMMIT_EVERY_PASSAGES and position < len(pending) - 1:
                continue
            texts = [p.text for member in chunk for p in member.passages]

            def advance(count: int) -> None:
                nonlocal done
                done += count
                progress("embedding", done, total)

            vectors = embedder.encode_documents(texts, on_progress=advance) if texts else np.zeros((0, 1), np.float32)
            row = 0
            with self.index.db.atomic():
                for member in chunk:
                    count = len(member.passages)
                    self.index.db.stage_article(
                        member.path, member.article, member.passages, vectors[row : row + count]
                    )
                    row += count
            stored += len(chunk)
            report.articles += len(chunk)
            report.passages += len(texts)
            progress("articles", stored, len(pending))
            chunk = []
