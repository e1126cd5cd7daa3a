"""A build: bring the index in step with the corpus, staging embedded work chunk by chunk.

The one place that orchestrates reading, folding, chunking, embedding and publishing, through the
write side of the seam (qa/store/writing.py). Reading decides what changed (by content hash),
embedding stages articles in chunks (qa/store/embedding.py, each chunk one transaction, invisible
to readers), and `publish` then swaps everything in as one new generation. A run cut short leaves
its chunks staged; the next run keeps those whose file is unchanged and embeds only the rest.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from qa.embed import ENCODERS_SEPARATOR, TextEncoder
from qa.errors import QAError
from qa.ingest import behind_outside_link, corpus_listing, fingerprint, read_corpus_file
from qa.ingest.syndication import BANDS_VERSION, band_keys
from qa.ingest.walk import shown_name
from qa.progress import Stage
from qa.store.embedding import PendingArticle, embed_and_stage
from qa.store.folding import Fold, Folder, ReadArticle
from qa.store.guards import kept_behind_links, outside_link_reason, refuse_to_empty, undecodable_reason
from qa.store.reading import IndexReader
from qa.store.records import FoldedCopy, MetaKey, RefusedFile
from qa.store.report import ProgressCallback, SkippedFile, SyncReport, fold_reason
from qa.store.writing import WritableIndex

__all__ = ["Build", "ProgressCallback", "SkippedFile", "SyncReport", "stale_files", "sync"]

log = logging.getLogger(__name__)

UNREAD_FINGERPRINT = "not read: "
"""Stands for the content hash of a corpus entry never read (a link out of the corpus, a name the index cannot store):
followed by the reason, so a new target or a new reason is reported again, an unchanged one once."""
BANDS_CHUNK = 1000
"""Articles given band keys per transaction when an older index is brought up to date."""


def fingerprint_or_error(path: Path) -> str | OSError:
    try:
        return fingerprint(path)
    except OSError as error:
        return error


def stale_files(index: IndexReader, corpus_dir: Path) -> list[str]:
    """Corpus files that are new, changed or gone since the last `qa index` (files refused as they are: not)."""
    known = index.indexed_files()
    refused = {each.path: each.fingerprint for each in index.refused_files()}
    listing = corpus_listing(corpus_dir)
    current = {p.relative_to(corpus_dir).as_posix(): p for p in listing.files}
    stale = []
    for rel, path in current.items():
        value = fingerprint_or_error(path)
        if known.get(rel) != value and refused.get(rel) != value:
            stale.append(rel)
    # Files read through a link out of the corpus (`qa index --follow-symlinks`) are not called removed.
    gone = [rel for rel in known if rel not in current and not behind_outside_link(corpus_dir / rel, listing)]
    return sorted(stale + gone)


def sync(
    index: WritableIndex,
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
    """Embed new and changed files, drop removed ones, then publish it all as one new generation.

    Unchanged files cost one hash each. With `rebuild` (or when an earlier rebuild was cut
    short) every file is embedded again. Links leaving the corpus are skipped unless
    `follow_symlinks`; an empty or missing corpus never empties the index unless `allow_empty`.
    """
    return Build(index).run(
        corpus_dir,
        embedder,
        min_words=min_words,
        max_words=max_words,
        rebuild=rebuild,
        on_progress=on_progress,
        follow_symlinks=follow_symlinks,
        allow_empty=allow_empty,
    )


class Build:
    """One run of `qa index` over an index opened for writing."""

    def __init__(self, index: WritableIndex) -> None:
        self.index = index
        self.writer = index.writer
        self.changed_while_reading: set[str] = set()
        """Files whose content changed between hashing and reading: left as they were indexed."""
        self.readings: dict[str, list[ReadArticle]] = {}
        """The articles of each file read by this run (emptied once they are staged; the files stay listed)."""
        self.replaced: set[str] = set()
        """Published files whose old version goes, with nothing new staged."""
        self.removed: set[str] = set()
        self.published: dict[str, str] = {}
        self.rebuilding = False
        self.refused: list[RefusedFile] = []
        """Files refused whole as they are now: by this run, or by an earlier one and unchanged since."""

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
        """Read what changed, fold copies of one story, embed and stage in chunks, then publish; see `sync`."""
        started = time.monotonic()
        progress = on_progress or (lambda stage, done, total: None)
        listing = corpus_listing(corpus_dir, follow_symlinks=follow_symlinks)
        if not listing.files and not allow_empty:
            refuse_to_empty(self.index, corpus_dir)
        with self.writer.atomic():
            if rebuild:
                self.writer.set_meta(MetaKey.REBUILD_PENDING, embedder.name)
            rebuild_for = self.writer.get_meta(MetaKey.REBUILD_PENDING)
            self.rebuilding = rebuild_for is not None
        if rebuild_for != embedder.name:  # a rebuild for this model may replace the old one; any other must not
            self.index.check_model(embedder.name)
        self._ensure_bands()
        report = SyncReport()
        self.published = self.writer.file_fingerprints()
        behind_links = {} if self.rebuilding else kept_behind_links(self.published, listing, corpus_dir)
        unread = [
            (link.relative_to(corpus_dir).as_posix(), outside_link_reason(link, kept=len(behind_links.get(link, []))))
            for link in listing.outside
        ]
        unread += [
            (shown_name(path.relative_to(corpus_dir).as_posix()), undecodable_reason(path))
            for path in listing.undecodable
        ]
        known = {} if self.rebuilding else self.published
        current = {p.relative_to(corpus_dir).as_posix(): p for p in listing.files}
        fingerprints = {rel: fingerprint_or_error(path) for rel, path in current.items()}
        with self.writer.atomic():
            staged = self.writer.staged_files(embedder.name)
            self.writer.unstage([rel for rel, value in staged.items() if fingerprints.get(rel) != value])
        staged = {rel: value for rel, value in staged.items() if fingerprints.get(rel) == value}

        self.removed = set(self.published) - set(current) - {rel for files in behind_links.values() for rel in files}
        report.removed = sorted(self.removed)
        changed = {rel for rel, value in fingerprints.items() if known.get(rel) != value}
        refused_before = {} if self.rebuilding else {each.path: each for each in self.writer.refused_files()}
        still_refused = {
            rel for rel in changed if rel in refused_before and refused_before[rel].fingerprint == fingerprints[rel]
        }
        changed -= still_refused
        self.replaced |= still_refused & set(self.published)  # refused after a build cut short before publishing
        self.refused = [refused_before[rel] for rel in sorted(still_refused)]
        report.still_refused = len(still_refused)
        for rel, reason in unread:  # a link out of the corpus, a name the index cannot store: as a refused file
            refused = RefusedFile(rel, UNREAD_FINGERPRINT + reason, reason)
            if refused_before.get(rel) == refused:
                self.refused.append(refused)
                report.still_refused += 1
            else:
                self._refuse(refused, report)
        to_read = set(changed)
        if changed or self.removed:
            # A duplicate's original may be gone or changed: its twins must be read again.
            to_read |= self.writer.files_without_articles() & set(current)
        if to_read or self.removed:
            # Copies folded into an article that changes or goes are read again: they may come back.
            to_read |= self.writer.files_with_copies_of(to_read | self.removed) & set(current)
        handled: set[str] = set()
        order = sorted(current)
        while order:
            for rel in order:
                handled.add(rel)
                progress(Stage.READING, min(len(handled), len(current)), len(current))
                if rel in still_refused:
                    continue
                if rel not in to_read:
                    report.unchanged += 1
                    continue
                self._read_file(rel, current[rel], corpus_dir, fingerprints[rel], report)
            # A story read now may have been published first in a file that stays: that file is read again,
            # and so are the files of copies folded into what is read again.
            newly_read = [item for rel in order for item in self.readings.get(rel, [])]
            again = Folder(self.writer, self._leaving()).outranked_files(newly_read) & set(current)
            again |= self.writer.files_with_copies_of(again) & set(current)
            again -= to_read
            report.unchanged -= len(again)
            to_read |= again
            order = sorted(again)
        pending = self._stage_readings(staged, fingerprints, embedder.name, report)
        embed_and_stage(self.index, pending, embedder, report, progress, min_words=min_words, max_words=max_words)
        replaced = sorted(self.published) if self.rebuilding else sorted(self.replaced | self.removed)
        progress(Stage.SAVING, 0, 0)
        with self.writer.atomic():
            self.writer.set_refused_files(sorted(self.refused, key=lambda each: each.path))
        encoder = self.writer.get_meta(MetaKey.DOCUMENT_ENCODER)
        if report.passages or encoder is None:  # else nothing was embedded now: the record stands
            encoder = _embedded_by(encoder, embedder.backend, keeps_older=bool(set(self.published) - self._leaving()))
        self.index.publish(replaced, embedder.name, rebuilding=self.rebuilding, encoder=encoder)
        report.passages += report.resumed_passages
        report.seconds = time.monotonic() - started
        return report

    def _stage_readings(
        self, staged: dict[str, str], fingerprints: dict[str, str | OSError], model: str, report: SyncReport
    ) -> list[PendingArticle]:
        """Fold and stage what was read; return the articles to embed, and let go of the rest.

        The articles read stay in memory only as the returned list, which embedding consumes chunk
        by chunk (`qa.store.embedding.Chunker`), so no article is held from staging it to publishing.
        Only which files were read is kept (`_leaving`). (It did not lower the peak of a 5,000-record
        Reuters build, 578 against 577 MiB: that peak comes later than the articles.)
        """
        items = [item for rel in sorted(self.readings) for item in self.readings[rel]]
        kept, folds = Folder(self.writer, self._leaving()).fold(items)
        self.readings = {rel: [] for rel in self.readings}
        return self._stage_files(kept, folds, staged, fingerprints, model, report)

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
    ) -> list[PendingArticle]:
        """Stage each file read with its folded copies, in one transaction; return the kept articles to embed."""
        kept_in: dict[str, list[ReadArticle]] = {}
        copies_in: dict[str, list[FoldedCopy]] = {}
        for item in kept:
            kept_in.setdefault(item.path, []).append(item)
            copies_in.setdefault(item.path, []).extend(
                FoldedCopy(item.path, item.article.doc_id, True, listing) for listing in item.article.also_published_by
            )
        for fold in folds:
            path = fold.copy.path
            rows = [FoldedCopy(path, fold.original, True, listing) for listing in fold.listings]
            copies_in.setdefault(path, []).extend(rows or [FoldedCopy(path, fold.original, False, fold.unlisted)])
            report.folded.append(SkippedFile(path, fold_reason(fold)))  # its text is in the index: no skip
        pending: list[PendingArticle] = []
        with self.writer.atomic():
            for rel in sorted(self.readings):
                already_staged = (
                    {each.doc_id: each.passages for each in self.writer.staged_articles(rel)} if rel in staged else {}
                )
                keeping = kept_in.get(rel, [])
                kept_ids = {item.article.doc_id for item in keeping}
                self.writer.drop_staged_articles([doc_id for doc_id in already_staged if doc_id not in kept_ids])
                if staged.get(rel) != fingerprints[rel]:
                    self.writer.stage_file(rel, str(fingerprints[rel]), model)
                self.writer.stage_copies(rel, copies_in.get(rel, []))
                for item in keeping:
                    if item.article.doc_id in already_staged:
                        report.articles += 1
                        report.resumed_passages += already_staged[item.article.doc_id]
                    else:
                        pending.append(PendingArticle(rel, item.article, [], item.keys))
                if keeping:
                    (report.updated if rel in self.published and not self.rebuilding else report.added).append(rel)
        return pending

    def _ensure_bands(self) -> None:
        """Give every published article its LSH band keys (once, for an index built before they were stored)."""
        if self.writer.get_meta(MetaKey.SYNDICATION_BANDS) == BANDS_VERSION:
            return
        with self.writer.atomic():
            self.writer.clear_bands()
        after = ""
        while not self.rebuilding and (rows := self.writer.article_texts(after, BANDS_CHUNK)):
            with self.writer.atomic():
                self.writer.add_bands({row.doc_id: band_keys(row.text) for row in rows})
            after = rows[-1].doc_id
        with self.writer.atomic():
            self.writer.set_meta(MetaKey.SYNDICATION_BANDS, BANDS_VERSION)

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

    def _refuse(self, refused: RefusedFile, report: SyncReport) -> None:
        """A file refused whole: reported now, and remembered so later runs do not report it again until it changes."""
        report.skipped.append(SkippedFile(refused.path, refused.reason))
        self.refused.append(refused)

    def _read(
        self, rel: str, path: Path, corpus_dir: Path, file_fingerprint: str, report: SyncReport
    ) -> list[ReadArticle] | None:
        """The file's articles, or None (with the reason in the report) when it cannot be used."""
        try:
            reading = read_corpus_file(path, corpus_dir=corpus_dir)
            unchanged = fingerprint(path) == file_fingerprint
        except QAError as error:
            self._refuse(RefusedFile(rel, file_fingerprint, str(error).removeprefix(f"{rel}: ")), report)
            return None
        except OSError as error:
            report.skipped.append(SkippedFile(rel, f"cannot be read: {error.strerror or error}"))
            return None
        except Exception as error:  # noqa: BLE001 - any reader failure is one file's problem, never the build's
            log.debug("reading %s failed", rel, exc_info=True)
            reason = f"could not be read ({type(error).__name__}); qa skipped it: please report this with the file"
            report.skipped.append(SkippedFile(rel, reason))  # a bug of qa, not the file: never remembered as refused
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


def _embedded_by(previous: str | None, current: str, *, keeps_older: bool) -> str:
    """What the index records as "embedded by": every way the passages it will hold were embedded.

    An index built by sentence-transformers to which the fp32 ONNX export added articles holds
    passages of both (their vectors agree to 1e-4). A build embeds at the precision the index
    recorded (`qa.encoders.documents.document_precision`), so float32 and int8 are never joined here.
    """
    if not keeps_older or previous is None:
        return current
    if current in previous.split(ENCODERS_SEPARATOR):
        return previous
    return f"{previous}{ENCODERS_SEPARATOR}{current}"
