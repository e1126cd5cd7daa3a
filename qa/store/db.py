"""SQLite, the source of truth: articles, passages, their vectors, full-text search and the manifest."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.models import Article, Passage, Syndication
from qa.store.connection import Connection
from qa.store.errors import IndexReadOnlyError, StorageError
from qa.store.migrations import FORMAT_VERSION, MIGRATIONS
from qa.store.outlets import outlet_key
from qa.store.reading import refuse_newer_format
from qa.store.records import (
    ArticleText,
    FoldedCopy,
    MetaKey,
    PublishedText,
    RefusedFile,
    SentenceVectors,
)
from qa.store.search_queries import SearchQueries, article_from_row, quote_fts
from qa.store.staging_tables import StagingTables

__all__ = ["FORMAT_VERSION", "MIGRATIONS", "Database", "quote_fts"]

log = logging.getLogger(__name__)


@dataclass
class ExportedArticle:
    """A published article with everything a build staged for it: what `qa migrate` copies as it is."""

    article: Article
    bands: list[int]
    passages: list[Passage]
    vectors: np.ndarray
    sentences: list[SentenceVectors]


@dataclass
class ExportedFile:
    path: str
    fingerprint: str
    copies: list[FoldedCopy]
    articles: list[ExportedArticle]


class Database(SearchQueries, StagingTables):
    """One connection to the index's SQLite file, with the queries the index needs.

    A damaged file, a file from a newer qa, a full disk or a read-only directory each become
    a QAError naming the file; nothing else escapes as a raw sqlite3 error from here.
    """

    def __init__(self, path: Path, *, immutable: bool = False) -> None:
        """`immutable`: open read-only without SQLite's shared-memory and WAL files (see `for_reading`)."""
        self.path = path
        self.read_only = immutable
        target = f"{path.absolute().as_uri()}?mode=ro&immutable=1" if immutable else path
        self.conn = Connection(target, path, uri=immutable)
        try:
            if not immutable:
                self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.create_function("outlet_key", 1, outlet_key)
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except BaseException:  # a damaged file, one too new, an upgrade needing write access: no leaked handle
            self.conn.close()
            raise

    @classmethod
    def for_reading(cls, path: Path) -> Database:
        """The database opened for questions, also where it cannot be written (a read-only mount, a shared archive).

        A WAL database needs its `-shm` file even to be read. Where that cannot be created, no writer
        has the database open (a writer keeps one there), so it is read as immutable: without those
        files, seeing the last build, not one published after it was opened.
        """
        try:
            return cls(path)
        except IndexReadOnlyError as error:
            log.info("%s Reading it as it is, read-only.", error)
            _refuse_unapplied_log(path)
            try:
                return cls(path, immutable=True)
            except IndexReadOnlyError:
                raise error from None  # cannot be opened even so: the first reason is the one to fix

    def close(self) -> None:
        self.release_snapshot()
        self.conn.close()

    def free_share(self) -> float:
        """The share of the file's pages that hold nothing (rows deleted, such as an emptied staging area)."""
        pages = int(self.conn.execute("PRAGMA page_count").fetchone()[0])
        return int(self.conn.execute("PRAGMA freelist_count").fetchone()[0]) / pages if pages else 0.0

    def compact(self) -> None:
        """Rewrite the file without its free pages (VACUUM: one transaction; readers keep their snapshot)."""
        self.conn.execute("VACUUM")

    @contextmanager
    def atomic(self) -> Iterator[Connection]:
        """One transaction: everything inside lands, or nothing does."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def pin_snapshot(self) -> None:
        """Hold a read transaction: every query sees one committed state until `release_snapshot`.

        With WAL a writer keeps committing meanwhile; this reader simply does not see it.
        """
        self.release_snapshot()
        self.conn.execute("BEGIN")
        self.conn.execute("SELECT COUNT(*) FROM meta").fetchone()

    def release_snapshot(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    def _migrate(self) -> None:
        """Apply missing migrations; refuse a database written by a newer qa."""
        if self._applied_migrations() == {name for name, _ in MIGRATIONS}:
            self._refuse_newer_format()
            return
        if self.read_only:
            raise StorageError(
                f"The index database {self.path} was written by an older qa and must be upgraded, "
                "which needs write access: run `qa index` where the index directory is writable."
            )
        with self.atomic() as conn:
            # Read again under the write lock: another process may have just migrated it.
            applied = self._applied_migrations()
            conn.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            for name, migration in MIGRATIONS:
                if name in applied:
                    continue
                migration(conn)
                conn.execute("INSERT INTO migrations VALUES (?, ?)", (name, dt.datetime.now(dt.UTC).isoformat()))
            self.set_meta(MetaKey.FORMAT_VERSION, str(FORMAT_VERSION))

    def _applied_migrations(self) -> set[str]:
        has_table = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'"
        ).fetchone()
        applied = {row[0] for row in self.conn.execute("SELECT name FROM migrations")} if has_table else set()
        newer = applied - {name for name, _ in MIGRATIONS}
        if newer:
            self._refuse_newer_format(", ".join(sorted(newer)))
        return applied

    def _refuse_newer_format(self, unknown_steps: str = "") -> None:
        refuse_newer_format(
            f"The index database {self.path}",
            recorded=self.get_meta(MetaKey.FORMAT_VERSION),
            supported=FORMAT_VERSION,
            rebuildable=True,
            unknown_steps=unknown_steps,
        )

    # -- manifest and metadata -------------------------------------------------------------

    def get_meta(self, key: MetaKey) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: MetaKey, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def delete_meta(self, key: MetaKey) -> None:
        self.conn.execute("DELETE FROM meta WHERE key = ?", (key,))

    def file_fingerprints(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT path, fingerprint FROM files"))

    def files_without_articles(self) -> set[str]:
        """Files recorded with no article of their own: each was a duplicate of another file."""
        return {
            row[0]
            for row in self.conn.execute(
                "SELECT path FROM files WHERE NOT EXISTS "
                "(SELECT 1 FROM articles WHERE articles.source_path = files.path)"
            )
        }

    # -- articles and passages --------------------------------------------------------------

    def copies_of(self, doc_id: str) -> list[FoldedCopy]:
        """Every copy folded into `doc_id`, in the order folded."""
        rows = self.conn.execute(
            "SELECT source_path, original, listed, listing FROM copies WHERE original = ? ORDER BY id", (doc_id,)
        )
        return [_copy_from_row(row) for row in rows]

    def files_with_copies_of(self, paths: set[str]) -> set[str]:
        """Files holding a copy folded into an article of one of `paths`: read again when those change."""
        rows = self.conn.execute(
            """SELECT DISTINCT c.source_path FROM copies c JOIN articles a ON a.doc_id = c.original
               WHERE a.source_path IN (SELECT value FROM json_each(?))""",
            (json.dumps(sorted(paths)),),
        )
        return {row[0] for row in rows}

    def articles_sharing_bands(self, keys: list[int]) -> list[PublishedText]:
        """Published articles with any of these LSH band keys."""
        if not keys:
            return []
        rows = self.conn.execute(
            """SELECT a.doc_id, a.source_path, a.published, a.text FROM articles a
               WHERE a.doc_id IN (SELECT doc_id FROM article_bands WHERE key IN (SELECT value FROM json_each(?)))
               ORDER BY a.doc_id""",
            (json.dumps(keys),),
        ).fetchall()
        return [_published_from_row(row) for row in rows]

    def published_article(self, doc_id: str) -> PublishedText | None:
        row = self.conn.execute(
            "SELECT doc_id, source_path, published, text FROM articles WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        return None if row is None else _published_from_row(row)

    def article_texts(self, after: str, limit: int) -> list[ArticleText]:
        """Published articles by doc_id, from just after `after`: for paging through all."""
        rows = self.conn.execute(
            "SELECT doc_id, text FROM articles WHERE doc_id > ? ORDER BY doc_id LIMIT ?", (after, limit)
        ).fetchall()
        return [ArticleText(doc_id, text) for doc_id, text in rows]

    def refused_files(self) -> list[RefusedFile]:
        rows = self.conn.execute("SELECT path, fingerprint, reason FROM refused_files ORDER BY path")
        return [RefusedFile(path, fingerprint, reason) for path, fingerprint, reason in rows]

    def set_refused_files(self, refused: list[RefusedFile]) -> None:
        """Replace the record of files refused whole (call inside `atomic`)."""
        self.conn.execute("DELETE FROM refused_files")
        self.conn.executemany(
            "INSERT INTO refused_files VALUES (?, ?, ?)",
            [(each.path, each.fingerprint, each.reason) for each in refused],
        )

    def clear_bands(self) -> None:
        """Forget every stored band key (their recipe changed); staged work goes too, as its keys are stale."""
        self.conn.execute("DELETE FROM article_bands")
        self.conn.execute("DELETE FROM staged_files")

    def add_bands(self, bands: dict[str, list[int]]) -> None:
        """Store the LSH band keys of published articles (call inside `atomic`)."""
        self.conn.executemany(
            "INSERT INTO article_bands VALUES (?, ?)",
            [(key, doc_id) for doc_id, keys in bands.items() for key in keys],
        )

    # -- export: reading a file's whole record, for copying the index elsewhere -----------------

    def files_after(self, after: str, limit: int) -> list[tuple[str, str]]:
        """(path, fingerprint) of published files in path order, from just after `after`."""
        return self.conn.execute(
            "SELECT path, fingerprint FROM files WHERE path > ? ORDER BY path LIMIT ?", (after, limit)
        ).fetchall()

    def files_up_to(self, path: str) -> list[str]:
        """Published files up to and including `path`, in path order."""
        return [row[0] for row in self.conn.execute("SELECT path FROM files WHERE path <= ? ORDER BY path", (path,))]

    def exported_articles(self, path: str) -> list[tuple[Article, list[int]]]:
        """The articles of a published file, in stored order, each with its LSH band keys."""
        rows = self.conn.execute(
            "SELECT doc_id, source_path, metadata, text FROM articles WHERE source_path = ? ORDER BY rowid", (path,)
        ).fetchall()
        return [
            (
                article_from_row(row),
                [key for (key,) in self.conn.execute("SELECT key FROM article_bands WHERE doc_id = ?", (row[0],))],
            )
            for row in rows
        ]

    def exported_passages(self, doc_id: str) -> tuple[list[Passage], np.ndarray, list[SentenceVectors]]:
        """An article's passages with their vectors and sentence vectors, as a build stages them."""
        rows = self.conn.execute(
            """SELECT id, ordinal, start, end, text FROM passages WHERE doc_id = ? ORDER BY ordinal""", (doc_id,)
        ).fetchall()
        ids = [row[0] for row in rows]
        _, vectors = self.vectors(ids)
        stored = self.sentence_vectors(ids)
        passages = [
            Passage(doc_id=doc_id, ordinal=o, start=start, end=end, text=text) for _, o, start, end, text in rows
        ]
        sentences = [
            stored.get(pid, SentenceVectors([], np.zeros((0, vectors.shape[1] if vectors.size else 0)))) for pid in ids
        ]
        return passages, vectors, sentences

    def exported_files(self, after: str, limit: int) -> list[ExportedFile]:
        """Published files in path order from just after `after`, each with its copies and articles."""
        exported = []
        for path, fingerprint in self.files_after(after, limit):
            articles = []
            for article, bands in self.exported_articles(path):
                passages, vectors, sentences = self.exported_passages(article.doc_id)
                articles.append(ExportedArticle(article, bands, passages, vectors, sentences))
            exported.append(ExportedFile(path, fingerprint, self.exported_copies(path), articles))
        return exported

    def exported_copies(self, path: str) -> list[FoldedCopy]:
        """Each copy read from `path`, in the order folded."""
        rows = self.conn.execute(
            "SELECT source_path, original, listed, listing FROM copies WHERE source_path = ? ORDER BY id", (path,)
        )
        return [_copy_from_row(row) for row in rows]


def _refuse_unapplied_log(path: Path) -> None:
    """An immutable reader ignores the write-ahead log, so a database copied with a non-empty `-wal` file would
    show an older generation (or a torn one) as if it were the last: refuse, saying how to fold the log in."""
    wal = path.with_name(path.name + "-wal")
    try:
        pending = wal.stat().st_size
    except OSError:
        return
    if pending:
        raise StorageError(
            f"The index database {path} cannot be written here and its write-ahead log {wal.name} "
            f"holds {pending:,} bytes of changes a read-only reader cannot apply, so answers would come from an "
            "older index. Open the index once where it is writable (for example `qa status`), "
            "or copy it again after `qa index` has finished."
        )


def _copy_from_row(row: tuple[str, str, int, str]) -> FoldedCopy:
    path, original, listed, listing = row
    return FoldedCopy(path, original, bool(listed), Syndication.model_validate_json(listing))


def _published_from_row(row: tuple[str, str, str | None, str]) -> PublishedText:
    doc_id, path, published, text = row
    return PublishedText(doc_id, path, dt.date.fromisoformat(published) if published else None, text)
