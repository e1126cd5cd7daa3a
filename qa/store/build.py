"""A build: bring the index in step with the corpus, staging embedded work chunk by chunk.

Reading decides what changed (by content hash), embedding stages articles in chunks of about
COMMIT_EVERY_PASSAGES passages (each one SQLite transaction, invisible to readers), and
`Index.publish` then swaps everything in as one new generation. A run cut short leaves its
chunks staged; the next run keeps those whose file is unchanged and embeds only the rest.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa.embed import TextEncoder
from qa.errors import QAError
from qa.ingest import corpus_listing, fingerprint, read_corpus_file
from qa.ingest.syndication import BANDS_VERSION, band_keys
from qa.ingest.walk import shown_name
from qa.models import UNKNOWN_OUTLET, Article, Passage, Syndication, format_date
from qa.passages import chunk_article, sentence_spans
from qa.progress import ProgressCallback, Stage
from qa.store.base import SentenceVectors
from qa.store.folding import Fold, Folder, ReadArticle
from qa.store.guards import kept_behind_links, outside_link_reason, refuse_to_empty, undecodable_reason

if TYPE_CHECKING:
    from qa.store.base import StoredIndex

log = logging.getLogger(__name__)

COMMIT_EVERY_PASSAGES = 256
"""Embedded work is committed in chunks of about this many passages, so a crash loses at most one chunk."""

BANDS_CHUNK = 1000
"""Articles given band keys per transaction when an older index is brought up to date."""



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
    folded: list[SkippedFile] = field(default_factory=list)
    """Copies of a story kept once and listed under it as "also published by" (not errors)."""
    problems: list[SkippedFile] = field(default_factory=list)
    """Problems in files that were otherwise indexed, one line each: a record left out (a broken JSONL line) or a
    value left unknown (a date that names no day); each line says which."""
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
    bands: list[int]
    """LSH band keys of the text, stored with it so later copies of the story find it."""


def _fold_reason(fold: Fold) -> str:
    """`same article text as a.txt`, or `folded as a syndicated copy of a.txt (also published by X, 12 Feb 2024)`.

    In an export of many articles, both the copy and the original are named by their line.
    """
    if fold.listings:
        shown = ", ".join(f"{s.outlet or UNKNOWN_OUTLET}, {format_date(s.published)}" for s in fold.listings)
        reason = f"folded as a syndicated copy of {fold.original_location} (also published by {shown})"
    elif fold.same_text:
        reason = f"same article text as {fold.original_location}"
    elif fold.unlisted.outlet is None and fold.unlisted.url is None:
        reason = f"same story as {fold.original_location}, with no outlet or URL of its own: kept once"
    else:
        reason = f"same story as {fold.original_location}, from the same outlet and date: kept once"
    return f"{fold.copy.place}: {reason}" if fold.copy.place else reason


def fingerprint_or_error(path: Path) -> str | OSError:
    try:
        return fingerprint(path)
    except OSError as error:
        return error


class Build:
    """One run of `qa index` over an index opened for writing."""

    def __init__(self, index: StoredIndex) -> None:
        self.index = index
        self.changed_while_reading: set[str] = set()
        """Files whose content changed between hashing and reading: left as they were indexed."""
        self.readings: dict[str, list[ReadArticle]] = {}
        """The articles of each file read by this run."""
        self.replaced: set[str] = set()
        """Published files whose old version goes, with nothing new staged."""
        self.removed: set[str] = set()
        self.published: dict[str, str] = {}
        self.rebuilding = False

    def run(
        self,
        corpus_dir: Path,
        embedder: TextEncoder,
        *,
        min_words: int,
        max_words: int,
        rebuild: bool = False,
        on_progress: ProgressCallback | None = None,
        follow_symlinks: bool = False,
        allow_empty: bool = False,
    ) -> SyncReport:
        """Read what changed, fold copies of one story, embed and stage in chunks, then publish; see `Index.sync`."""
        started = time.monotonic()
        progress = on_progress or (lambda stage, done, total: None)
        listing = corpus_listing(corpus_dir, follow_symlinks=follow_symlinks)
        if not listing.files and not allow_empty:
            refuse_to_empty(self.index, corpus_dir)
        with self.index.db.atomic():
            if rebuild:
                self.index.db.set_meta("rebuild_pending", embedder.name)
            pending = self.index.db.get_meta("rebuild_pending")
            self.rebuilding = pending is not None
        if pending != embedder.name:  # a rebuild for this model may replace the old one; any other must not
            self.index.check_model(embedder.name)
        self._ensure_bands()
        report = SyncReport()
        self.published = self.index.db.file_fingerprints()
        kept = {} if self.rebuilding else kept_behind_links(self.published, listing, corpus_dir)
        report.skipped += [
            SkippedFile(
                link.relative_to(corpus_dir).as_posix(), outside_link_reason(link, kept=len(kept.get(link, [])))
            )
            for link in listing.outside
        ]
        report.skipped += [
            SkippedFile(shown_name(path.relative_to(corpus_dir).as_posix()), undecodable_reason(path))
            for path in listing.undecodable
        ]
        known = {} if self.rebuilding else self.published
        current = {p.relative_to(corpus_dir).as_posix(): p for p in listing.files}
        fingerprints = {rel: fingerprint_or_error(path) for rel, path in current.items()}
        with self.index.db.atomic():
            staged = self.index.db.staged_files(embedder.name)
            self.index.db.unstage([rel for rel, value in staged.items() if fingerprints.get(rel) != value])
        staged = {rel: value for rel, value in staged.items() if fingerprints.get(rel) == value}

        self.removed = set(self.published) - set(current) - {rel for files in kept.values() for rel in files}
        report.removed = sorted(self.removed)
        changed = {rel for rel, value in fingerprints.items() if known.get(rel) != value}
        to_read = set(changed)
        if changed or self.removed:
            # A duplicate's original may be gone or changed: its twins must be read again.
            to_read |= self.index.db.files_without_articles() & set(current)
        if to_read or self.removed:
            # Copies folded into an article that changes or goes are read again: they may come back.
            to_read |= self.index.db.files_with_copies_of(to_read | self.removed) & set(current)
        handled: set[str] = set()
        order = sorted(current)
        while order:
            for rel in order:
                handled.add(rel)
                progress(Stage.READING, min(len(handled), len(current)), len(current))
                if rel not in to_read:
                    report.unchanged += 1
                    continue
                self._read_file(rel, current[rel], corpus_dir, fingerprints[rel], report)
            # A story read now may have been published first in a file that stays: that file is read again,
            # and so are the files of copies folded into what is read again.
            newly_read = [item for rel in order for item in self.readings.get(rel, [])]
            again = Folder(self.index.db, self._leaving()).outranked_files(newly_read) & set(current)
            again |= self.index.db.files_with_copies_of(again) & set(current)
            again -= to_read
            report.unchanged -= len(again)
            to_read |= again
            order = sorted(again)
        items = [item for rel in sorted(self.readings) for item in self.readings[rel]]
        kept, folds = Folder(self.index.db, self._leaving()).fold(items)
        pending = self._stage_files(kept, folds, staged, fingerprints, embedder.name, report)
        for item in pending:
            item.passages = chunk_article(item.article, min_words=min_words, max_words=max_words)
        self._embed_and_stage(pending, embedder, report, progress)
        replaced = sorted(self.published) if self.rebuilding else sorted(self.replaced | self.removed)
        progress(Stage.SAVING, 0, 0)
        encoder = self.index.db.get_meta("document_encoder")
        if report.passages or encoder is None:  # else nothing was embedded now: the record stands
            encoder = _embedded_by(encoder, embedder.backend, keeps_older=bool(set(self.published) - self._leaving()))
        self.index.publish(replaced, embedder.name, rebuilding=self.rebuilding, encoder=encoder)
        report.passages += report.resumed_passages
        report.seconds = time.monotonic() - started
        return report

    def _leaving(self) -> set[str]:
        """Published files whose articles this build replaces: no copy may fold into them."""
        if self.rebuilding:
            return set(self.published)
        return set(self.readings) | self.replaced | self.removed

    def _stage_files(
        self,
        kept: list[ReadArticle],
        folds: list[Fold],
        staged: dict[str, str],
        fingerprints: dict[str, str | OSError],
        model: str,
        report: SyncReport,
    ) -> list[_PendingArticle]:
        """Stage each file read with its folded copies, in one transaction; return the kept articles to embed."""
        kept_in: dict[str, list[ReadArticle]] = {}
        copies_in: dict[str, list[tuple[str, bool, Syndication]]] = {}
        for item in kept:
            kept_in.setdefault(item.path, []).append(item)
            copies_in.setdefault(item.path, []).extend(
                (item.article.doc_id, True, listing) for listing in item.article.also_published_by
            )
        for fold in folds:
            rows = [(fold.original, True, listing) for listing in fold.listings]
            copies_in.setdefault(fold.copy.path, []).extend(rows or [(fold.original, False, fold.unlisted)])
            (report.folded if fold.listings else report.skipped).append(SkippedFile(fold.copy.path, _fold_reason(fold)))
        pending: list[_PendingArticle] = []
        with self.index.db.atomic():
            for rel in sorted(self.readings):
                already_staged = dict(self.index.db.staged_doc_ids(rel)) if rel in staged else {}
                keeping = kept_in.get(rel, [])
                kept_ids = {item.article.doc_id for item in keeping}
                self.index.db.drop_staged_articles([doc_id for doc_id in already_staged if doc_id not in kept_ids])
                if staged.get(rel) != fingerprints[rel]:
                    self.index.db.stage_file(rel, str(fingerprints[rel]), model)
                self.index.db.stage_copies(rel, copies_in.get(rel, []))
                for item in keeping:
                    if item.article.doc_id in already_staged:
                        report.articles += 1
                        report.resumed_passages += already_staged[item.article.doc_id]
                    else:
                        pending.append(_PendingArticle(rel, item.article, [], item.keys))
                if keeping:
                    (report.updated if rel in self.published and not self.rebuilding else report.added).append(rel)
        return pending

    def _ensure_bands(self) -> None:
        """Give every published article its LSH band keys (once, for an index built before they were stored)."""
        if self.index.db.get_meta("syndication_bands") == BANDS_VERSION:
            return
        with self.index.db.atomic():
            self.index.db.clear_bands()
        after = ""
        while not self.rebuilding and (rows := self.index.db.article_texts(after, BANDS_CHUNK)):
            with self.index.db.atomic():
                self.index.db.add_bands({doc_id: band_keys(text) for doc_id, text in rows})
            after = rows[-1][0]
        with self.index.db.atomic():
            self.index.db.set_meta("syndication_bands", BANDS_VERSION)

    def _read_file(
        self, rel: str, path: Path, corpus_dir: Path, file_fingerprint: str | OSError, report: SyncReport
    ) -> None:
        """Read one file into `readings`; an unusable one is reported, and its indexed version goes.

        A file that changed while being read keeps its indexed version, whole, until the next run.
        """
        if isinstance(file_fingerprint, OSError):
            reason = file_fingerprint.strerror or str(file_fingerprint)
            report.skipped.append(SkippedFile(rel, f"cannot be read: {reason}"))
            articles = None
        else:
            articles = self._read(rel, path, corpus_dir, file_fingerprint, report)
        if articles is not None:
            self.readings[rel] = articles
        elif rel in self.published and rel not in self.changed_while_reading:
            self.replaced.add(rel)

    def _read(
        self, rel: str, path: Path, corpus_dir: Path, file_fingerprint: str, report: SyncReport
    ) -> list[ReadArticle] | None:
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
        except Exception as error:  # noqa: BLE001 - any reader failure is one file's problem, never the build's
            log.debug("reading %s failed", rel, exc_info=True)
            reason = f"could not be read ({type(error).__name__}); qa skipped it: please report this with the file"
            report.skipped.append(SkippedFile(rel, reason))
            return None
        if not unchanged:
            self.changed_while_reading.add(rel)
            report.skipped.append(SkippedFile(rel, "changed while being indexed: run `qa index` again"))
            return None
        report.problems += [SkippedFile(rel, problem) for problem in reading.problems]
        return [
            ReadArticle(rel, position, article, reading.places.get(article.doc_id))
            for position, article in enumerate(reading.articles)
        ]

    def _embed_and_stage(
        self,
        pending: list[_PendingArticle],
        embedder: TextEncoder,
        report: SyncReport,
        progress: ProgressCallback,
    ) -> None:
        """Embed in chunks of about COMMIT_EVERY_PASSAGES passages and stage each chunk in one transaction."""
        total = sum(len(item.passages) for item in pending)
        if total and not embedder.loaded:
            progress(Stage.LOADING_MODEL, 0, 0)
        if total and self.index.db.get_meta("rebuild_pending") != embedder.name:
            self.index.check_model(embedder.name, embedder.dimension)
        done = 0
        stored = 0
        chunk: list[_PendingArticle] = []
        for position, item in enumerate(pending):
            chunk.append(item)
            if sum(len(member.passages) for member in chunk) < COMMIT_EVERY_PASSAGES and position < len(pending) - 1:
                continue
            passages = [p for member in chunk for p in member.passages]
            texts = [p.text for p in passages]
            spans = [sentence_spans(p.text) for p in passages]
            sentences = [
                p.text[start:end]
                for p, own in zip(passages, spans, strict=True)
                if not _whole(p, own)
                for start, end in own
            ]
            advance = _embedding_progress(
                progress, before=done, passages=len(texts), sentences=len(sentences), total=total
            )
            vectors = (
                embedder.encode_documents(texts + sentences, on_progress=advance)
                if texts
                else np.zeros((0, 1), np.float32)
            )
            sentence_vectors = _split_sentences(passages, spans, vectors) if texts else []
            done += len(texts)
            row = 0
            with self.index.db.atomic():
                for member in chunk:
                    count = len(member.passages)
                    self.index.db.stage_article(
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


ENCODERS_SEPARATOR = " + "
"""Between the ways passages of one index were embedded (`qa status`: embedded by A + B)."""


def _embedded_by(previous: str | None, current: str, *, keeps_older: bool) -> str:
    """What the index records as "embedded by": every way the passages it will hold were embedded.

    A first build or rebuild uses sentence-transformers and later builds its ONNX export, so an
    index to which articles were added holds passages of both (their vectors agree to 1e-4).
    """
    if not keeps_older or previous is None:
        return current
    if current in previous.split(ENCODERS_SEPARATOR):
        return previous
    return f"{previous}{ENCODERS_SEPARATOR}{current}"


def _embedding_progress(
    progress: ProgressCallback, *, before: int, passages: int, sentences: int, total: int
) -> Callable[[int], None]:
    """Report a chunk's encoding (passages and sentences together) as the share of its passages done."""
    embedded = 0

    def advance(count: int) -> None:
        nonlocal embedded
        embedded += count
        progress(Stage.EMBEDDING, before + round(passages * embedded / (passages + sentences)), total)

    return advance


def _whole(passage: Passage, spans: list[tuple[int, int]]) -> bool:
    """A passage that is one sentence: its sentence vector is its own vector, no second encoding."""
    return len(spans) == 1 and spans[0] == (0, len(passage.text))


def _split_sentences(
    passages: list[Passage], spans: list[list[tuple[int, int]]], vectors: np.ndarray
) -> list[SentenceVectors]:
    """Rows of `vectors` (the passages, then the sentences of every multi-sentence passage) per passage."""
    row = len(passages)
    result = []
    for number, (passage, own) in enumerate(zip(passages, spans, strict=True)):
        if _whole(passage, own):
            result.append(SentenceVectors(own, vectors[number : number + 1]))
        else:
            result.append(SentenceVectors(own, vectors[row : row + len(own)]))
            row += len(own)
    return result
