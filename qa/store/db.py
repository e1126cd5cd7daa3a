"""SQLite, the source of truth: articles, passages, their vectors, full-text search and the manifest."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from qa.errors import CorruptIndexError, QAError
from qa.models import METADATA_FIELDS, Article, Passage, Syndication
from qa.store.base import SentenceVectors
from qa.store.errors import IndexFormatError, IndexReadOnlyError, StorageError


def _m001_initial(conn: sqlite3.Connection) -> None:
    _execute_each(
        conn,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE files (
            path TEXT PRIMARY KEY,          -- relative to the corpus directory
            fingerprint TEXT NOT NULL,      -- content hash of the file and its sidecar
            indexed_at TEXT NOT NULL
        );
        CREATE TABLE articles (
            doc_id TEXT PRIMARY KEY,
            source_path TEXT NOT NULL REFERENCES files(path) ON DELETE CASCADE,
            outlet TEXT,
            published TEXT,                 -- ISO date, for filters and ordering
            metadata TEXT NOT NULL,         -- JSON: every metadata field and its provenance
            text TEXT NOT NULL
        );
        CREATE INDEX articles_source ON articles(source_path);
        CREATE TABLE passages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused: it is the FAISS id
            doc_id TEXT NOT NULL REFERENCES articles(doc_id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            text TEXT NOT NULL,
            vector BLOB NOT NULL            -- float32, normalized
        );
        CREATE INDEX passages_doc ON passages(doc_id, ordinal);
        CREATE VIRTUAL TABLE passages_fts USING fts5(
            text, content='passages', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER passages_ai AFTER INSERT ON passages BEGIN
            INSERT INTO passages_fts(rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TRIGGER passages_ad AFTER DELETE ON passages BEGIN
            INSERT INTO passages_fts(passages_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END;
        """,
    )


def _execute_each(conn: sqlite3.Connection, script: str) -> None:
    """Run statements one by one inside the caller's transaction (executescript would commit)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""


def _m002_titles_in_fts_and_staging(conn: sqlite3.Connection) -> None:
    """BM25 over passage text and article title; staging tables so a build publishes all at once."""
    _execute_each(
        conn,
        """
        ALTER TABLE articles ADD COLUMN title TEXT;
        UPDATE articles SET title = json_extract(metadata, '$.title');
        DROP TRIGGER passages_ai;
        DROP TRIGGER passages_ad;
        DROP TABLE passages_fts;
        CREATE VIRTUAL TABLE passages_fts USING fts5(
            text, title, tokenize='porter unicode61 remove_diacritics 2'
        );
        INSERT INTO passages_fts(rowid, text, title)
            SELECT p.id, p.text, a.title FROM passages p JOIN articles a ON a.doc_id = p.doc_id;
        CREATE TRIGGER passages_ai AFTER INSERT ON passages BEGIN
            INSERT INTO passages_fts(rowid, text, title)
            VALUES (new.id, new.text, (SELECT title FROM articles WHERE doc_id = new.doc_id));
        END;
        CREATE TRIGGER passages_ad AFTER DELETE ON passages BEGIN
            DELETE FROM passages_fts WHERE rowid = old.id;
        END;
        CREATE INDEX articles_outlet ON articles(lower(outlet));
        CREATE INDEX articles_published ON articles(published);
        -- Work of a build in progress: invisible to readers, published in one transaction.
        CREATE TABLE staged_files (
            path TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            model TEXT NOT NULL
        );
        CREATE TABLE staged_articles (
            doc_id TEXT PRIMARY KEY,
            source_path TEXT NOT NULL REFERENCES staged_files(path) ON DELETE CASCADE,
            outlet TEXT,
            published TEXT,
            title TEXT,
            metadata TEXT NOT NULL,
            text TEXT NOT NULL
        );
        CREATE INDEX staged_articles_source ON staged_articles(source_path);
        CREATE TABLE staged_passages (
            id INTEGER PRIMARY KEY,         -- allocated above every id ever published
            doc_id TEXT NOT NULL REFERENCES staged_articles(doc_id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            text TEXT NOT NULL,
            vector BLOB NOT NULL
        );
        CREATE INDEX staged_passages_doc ON staged_passages(doc_id);
        """,
    )


def _m003_syndicated_copies(conn: sqlite3.Connection) -> None:
    """Copies of a story folded into one article, and LSH band keys so a new copy finds its original."""
    _execute_each(
        conn,
        """
        CREATE TABLE copies (
            id INTEGER PRIMARY KEY,
            source_path TEXT NOT NULL REFERENCES files(path) ON DELETE CASCADE,  -- where the copy was read
            original TEXT NOT NULL,         -- doc_id of the article it was folded into
            listed INTEGER NOT NULL,        -- 1: shown as "also published by"; 0: the same article again
            listing TEXT NOT NULL           -- JSON: outlet, published, url, doc_id, source_path
        );
        CREATE INDEX copies_original ON copies(original);
        CREATE INDEX copies_source ON copies(source_path);
        CREATE TABLE staged_copies (
            id INTEGER PRIMARY KEY,
            source_path TEXT NOT NULL REFERENCES staged_files(path) ON DELETE CASCADE,
            original TEXT NOT NULL,
            listed INTEGER NOT NULL,
            listing TEXT NOT NULL
        );
        CREATE INDEX staged_copies_source ON staged_copies(source_path);
        CREATE TABLE article_bands (
            key INTEGER NOT NULL,           -- an LSH band of the text's MinHash (qa.ingest.syndication)
            doc_id TEXT NOT NULL REFERENCES articles(doc_id) ON DELETE CASCADE
        );
        CREATE INDEX article_bands_key ON article_bands(key);
        CREATE INDEX article_bands_doc ON article_bands(doc_id);
        CREATE TABLE staged_article_bands (
            key INTEGER NOT NULL,
            doc_id TEXT NOT NULL REFERENCES staged_articles(doc_id) ON DELETE CASCADE
        );
        CREATE INDEX staged_article_bands_doc ON staged_article_bands(doc_id);
        """,
    )


def _m004_sentence_vectors(conn: sqlite3.Connection) -> None:
    """Each passage's sentence spans and vectors, so answering scores sentences without a model."""
    _execute_each(
        conn,
        """
        ALTER TABLE passages ADD COLUMN sentence_spans TEXT;
        ALTER TABLE passages ADD COLUMN sentence_vectors BLOB;
        ALTER TABLE staged_passages ADD COLUMN sentence_spans TEXT;
        ALTER TABLE staged_passages ADD COLUMN sentence_vectors BLOB;
        """,
    )
    # What was indexed before has no sentence vectors: the next `qa index` embeds it all again.
    conn.execute(
        """INSERT OR REPLACE INTO meta (key, value)
           SELECT 'rebuild_pending', value FROM meta WHERE key = 'model' AND EXISTS (SELECT 1 FROM passages)"""
    )


MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = [
    ("001_initial", _m001_initial),
    ("002_titles_in_fts_and_staging", _m002_titles_in_fts_and_staging),
    ("003_syndicated_copies", _m003_syndicated_copies),
    ("004_sentence_vectors", _m004_sentence_vectors),
]
SCHEMA_VERSION = len(MIGRATIONS)
FORMAT_VERSION = 4
"""The on-disk format of an index directory (database schema plus vector files); recorded in `meta`."""
TITLE_WEIGHT = 0.5
"""BM25 weight of an article title against 1.0 for the passage text: every passage repeats it."""

log = logging.getLogger(__name__)

_FTS_TOKEN = re.compile(r"\w+", re.UNICODE)


def quote_fts(question: str) -> str | None:
    """Any user text as a safe FTS5 query: each word quoted, joined with OR; None if no words."""
    tokens = dict.fromkeys(token.lower() for token in _FTS_TOKEN.findall(question))
    return " OR ".join(f'"{token}"' for token in tokens) or None


class Database:
    """One connection to the index's SQLite file, with the queries the index needs.

    A damaged file, a file from a newer qa, a full disk or a read-only directory each become
    a QAError naming the file; nothing else escapes as a raw sqlite3 error from here.
    """

    def __init__(self, path: Path, *, immutable: bool = False) -> None:
        """`immutable`: open read-only without SQLite's shared-memory and WAL files (see `for_reading`)."""
        self.path = path
        self.read_only = immutable
        target = f"{path.absolute().as_uri()}?mode=ro&immutable=1" if immutable else path
        try:
            self.conn = sqlite3.connect(
                target, isolation_level=None, check_same_thread=False, timeout=30, uri=immutable
            )
        except sqlite3.Error as error:
            raise storage_error(error, path) from error
        try:
            if not immutable:
                self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.Error as error:
            self.conn.close()
            raise storage_error(error, path) from error
        except BaseException:  # a QAError from _migrate (too new, an upgrade needing write access): no leaked handle
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
        pages = self.conn.execute("PRAGMA page_count").fetchone()[0]
        return self.conn.execute("PRAGMA freelist_count").fetchone()[0] / pages if pages else 0.0

    def compact(self) -> None:
        """Rewrite the file without its free pages (VACUUM: one transaction; readers keep their snapshot)."""
        try:
            self.conn.execute("VACUUM")
        except sqlite3.Error as error:
            raise storage_error(error, self.path) from error

    @contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """One transaction: everything inside lands, or nothing does."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise storage_error(error, self.path) from error
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except sqlite3.Error as error:
            self._rollback()
            raise storage_error(error, self.path) from error
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
        try:
            self.release_snapshot()
            self.conn.execute("BEGIN")
            self.conn.execute("SELECT COUNT(*) FROM meta").fetchone()
        except sqlite3.Error as error:
            raise storage_error(error, self.path) from error

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
            self.set_meta("format_version", str(FORMAT_VERSION))

    def _applied_migrations(self) -> set[str]:
        has_table = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'"
        ).fetchone()
        applied = {row[0] for row in self.conn.execute("SELECT name FROM migrations")} if has_table else set()
        newer = applied - {name for name, _ in MIGRATIONS}
        if newer:
            self._refuse_newer_format(", ".join(sorted(newer)))
        return applied

    def _refuse_newer_format(self, newer: str | None = None) -> None:
        recorded = self.get_meta("format_version")
        if newer is None and recorded is not None and (not recorded.isdigit() or int(recorded) > FORMAT_VERSION):
            newer = f"format {recorded}"
        if newer:
            raise IndexFormatError(
                f"The index database {self.path} was written by a newer version of qa "
                f"({newer}); this qa reads format {FORMAT_VERSION}. "
                "Upgrade qa, or run `qa index --rebuild` to rebuild the index for this version."
            )

    # -- manifest and metadata -------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def delete_meta(self, key: str) -> None:
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

    def article(self, doc_id: str) -> Article | None:
        """The article with every other outlet's copy of it listed in `also_published_by`."""
        row = self.conn.execute(
            "SELECT doc_id, source_path, metadata, text FROM articles WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        if row is None:
            return None
        article = _article_from_row(row)
        article.also_published_by = self.listings([doc_id]).get(doc_id, [])
        return article

    def listings(self, doc_ids: list[str]) -> dict[str, list[Syndication]]:
        """For each article, the other outlets' copies shown as "also published by", in the order folded."""
        rows = self.conn.execute(
            """SELECT original, listing FROM copies
               WHERE listed = 1 AND original IN (SELECT value FROM json_each(?)) ORDER BY id""",
            (json.dumps(doc_ids),),
        )
        found: dict[str, list[Syndication]] = {}
        for original, listing in rows:
            found.setdefault(original, []).append(Syndication.model_validate_json(listing))
        return found

    def copies_of(self, doc_id: str) -> list[tuple[str, bool, Syndication]]:
        """(file, listed, listing) of every copy folded into `doc_id`, in the order folded."""
        rows = self.conn.execute(
            "SELECT source_path, listed, listing FROM copies WHERE original = ? ORDER BY id", (doc_id,)
        )
        return [(path, bool(listed), Syndication.model_validate_json(listing)) for path, listed, listing in rows]

    def files_with_copies_of(self, paths: set[str]) -> set[str]:
        """Files holding a copy folded into an article of one of `paths`: read again when those change."""
        rows = self.conn.execute(
            """SELECT DISTINCT c.source_path FROM copies c JOIN articles a ON a.doc_id = c.original
               WHERE a.source_path IN (SELECT value FROM json_each(?))""",
            (json.dumps(sorted(paths)),),
        )
        return {row[0] for row in rows}

    def articles_sharing_bands(self, keys: list[int]) -> list[tuple[str, str, str | None, str]]:
        """(doc_id, source_path, published, text) of published articles with any of these LSH band keys."""
        if not keys:
            return []
        return self.conn.execute(
            """SELECT a.doc_id, a.source_path, a.published, a.text FROM articles a
               WHERE a.doc_id IN (SELECT doc_id FROM article_bands WHERE key IN (SELECT value FROM json_each(?)))
               ORDER BY a.doc_id""",
            (json.dumps(keys),),
        ).fetchall()

    def published_article(self, doc_id: str) -> tuple[str, str, str | None, str] | None:
        """(doc_id, source_path, published, text) of a published article."""
        return self.conn.execute(
            "SELECT doc_id, source_path, published, text FROM articles WHERE doc_id = ?", (doc_id,)
        ).fetchone()

    def article_texts(self, after: str, limit: int) -> list[tuple[str, str]]:
        """(doc_id, text) of published articles by doc_id, from just after `after`: for paging through all."""
        return self.conn.execute(
            "SELECT doc_id, text FROM articles WHERE doc_id > ? ORDER BY doc_id LIMIT ?", (after, limit)
        ).fetchall()

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

    def passages_with_articles(self, ids: list[int]) -> dict[int, tuple[Passage, Article]]:
        """Passages by id, each with its article; ids no longer in the index are left out."""
        if not ids:
            return {}
        rows = self.conn.execute(
            """SELECT p.id, p.doc_id, p.ordinal, p.start, p.end, p.text,
                      a.doc_id, a.source_path, a.metadata, a.text
               FROM passages p JOIN articles a ON a.doc_id = p.doc_id
               WHERE p.id IN (SELECT value FROM json_each(?))""",
            (_json_ids(ids),),
        ).fetchall()
        articles: dict[str, Article] = {}
        found = {}
        for row in rows:
            article = articles.get(row[1]) or articles.setdefault(row[1], _article_from_row(row[6:]))
            passage = Passage(doc_id=row[1], ordinal=row[2], start=row[3], end=row[4], text=row[5])
            found[row[0]] = (passage, article)
        for doc_id, listed in self.listings(list(articles)).items():
            articles[doc_id].also_published_by = listed
        return found

    def sentence_vectors(self, ids: list[int]) -> dict[int, SentenceVectors]:
        """The stored sentences of these passages; passages indexed before format 4 have none."""
        if not ids:
            return {}
        rows = self.conn.execute(
            """SELECT id, sentence_spans, sentence_vectors FROM passages
               WHERE id IN (SELECT value FROM json_each(?)) AND sentence_vectors IS NOT NULL""",
            (_json_ids(ids),),
        ).fetchall()
        found = {}
        for passage_id, spans_json, blob in rows:
            spans = [tuple(span) for span in json.loads(spans_json)]
            vectors = np.frombuffer(blob, dtype=np.float16).astype(np.float32).reshape(len(spans), -1 if spans else 0)
            found[passage_id] = SentenceVectors(spans, vectors)
        return found

    def vectors(self, ids: list[int] | np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(ids, matrix) of stored passage vectors: all of them, or the ones asked for."""
        return self._vectors("passages", ids)

    def staged_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, matrix) of the passages a build has staged but not yet published."""
        return self._vectors("staged_passages", None)

    def _vectors(self, table: str, ids: list[int] | np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        query = f"SELECT id, vector FROM {table}"
        params: tuple = ()
        if ids is not None:
            query += " WHERE id IN (SELECT value FROM json_each(?))"
            params = (_json_ids(ids),)
        rows = self.conn.execute(query + " ORDER BY id", params).fetchall()
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        found_ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        matrix = np.frombuffer(b"".join(row[1] for row in rows), dtype=np.float32).reshape(len(rows), -1)
        return found_ids, matrix

    def passage_ids_of_files(self, paths: list[str]) -> np.ndarray:
        rows = self.conn.execute(
            """SELECT p.id FROM passages p JOIN articles a ON a.doc_id = p.doc_id
               WHERE a.source_path IN (SELECT value FROM json_each(?))""",
            (json.dumps(paths),),
        ).fetchall()
        return np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))

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
                _article_from_row(row),
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

    def exported_copies(self, path: str) -> list[tuple[str, bool, Syndication]]:
        """(original doc_id, listed, listing) of each copy read from `path`, in the order folded."""
        rows = self.conn.execute(
            "SELECT original, listed, listing FROM copies WHERE source_path = ? ORDER BY id", (path,)
        )
        return [
            (original, bool(listed), Syndication.model_validate_json(listing)) for original, listed, listing in rows
        ]

    # -- search ------------------------------------------------------------------------------

    def lexical_search(self, question: str, limit: int, *, among: list[int] | np.ndarray | None = None) -> list[int]:
        """Passage ids ranked by BM25 over passage text and article title, optionally only `among` these."""
        match = quote_fts(question)
        if match is None or (among is not None and len(among) == 0):
            return []
        query = "SELECT rowid FROM passages_fts WHERE passages_fts MATCH ?"
        params: list = [match]
        if among is not None:
            query += " AND rowid IN (SELECT value FROM json_each(?))"
            params.append(_json_ids(among))
        rows = self.conn.execute(query + f" ORDER BY bm25(passages_fts, 1.0, {TITLE_WEIGHT}) LIMIT ?", (*params, limit))
        return [row[0] for row in rows]

    def passage_ids_where(self, *, outlets: list[str], since: dt.date | None, until: dt.date | None) -> np.ndarray:
        """Ids of passages whose article matches every given filter; a date bound drops undated articles."""
        conditions, params = [], []
        if outlets:
            conditions.append("lower(a.outlet) IN (SELECT lower(value) FROM json_each(?))")
            params.append(json.dumps(outlets))
        if since is not None:
            conditions.append("a.published >= ?")
            params.append(since.isoformat())
        if until is not None:
            conditions.append("a.published <= ?")
            params.append(until.isoformat())
        where = " WHERE " + " AND ".join(conditions) if conditions else ""
        rows = self.conn.execute(
            f"SELECT p.id FROM passages p JOIN articles a ON a.doc_id = p.doc_id{where} ORDER BY p.id", params
        ).fetchall()
        return np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))

    def count_undated_articles(self, *, outlets: list[str] | None = None) -> int:
        """Articles without a date, among those of `outlets` when given (what a date filter leaves out)."""
        query, params = "SELECT COUNT(*) FROM articles WHERE published IS NULL", []
        if outlets:
            query += " AND lower(outlet) IN (SELECT lower(value) FROM json_each(?))"
            params.append(json.dumps(outlets))
        return self.conn.execute(query, params).fetchone()[0]

    def counts(self) -> dict[str, int]:
        def count(sql: str) -> int:
            return self.conn.execute(sql).fetchone()[0]

        return {
            "files": count("SELECT COUNT(*) FROM files"),
            "articles": count("SELECT COUNT(*) FROM articles"),
            "passages": count("SELECT COUNT(*) FROM passages"),
            "articles_without_outlet": count("SELECT COUNT(*) FROM articles WHERE outlet IS NULL"),
            "articles_without_date": count("SELECT COUNT(*) FROM articles WHERE published IS NULL"),
        }

    # -- staging: a build's work, committed chunk by chunk, invisible until published ----------

    def staged_files(self, model: str) -> dict[str, str]:
        """Staged files (path -> fingerprint) embedded with `model`; work of another model is dropped."""
        self.conn.execute("DELETE FROM staged_files WHERE model != ?", (model,))
        return dict(self.conn.execute("SELECT path, fingerprint FROM staged_files"))

    def staged_doc_ids(self, path: str) -> list[tuple[str, int]]:
        """(doc_id, passage count) of each article staged for `path`."""
        return self.conn.execute(
            """SELECT a.doc_id, (SELECT COUNT(*) FROM staged_passages p WHERE p.doc_id = a.doc_id)
               FROM staged_articles a WHERE a.source_path = ? ORDER BY a.rowid""",
            (path,),
        ).fetchall()

    def unstage(self, paths: list[str]) -> None:
        self.conn.execute(
            "DELETE FROM staged_files WHERE path IN (SELECT value FROM json_each(?))", (json.dumps(paths),)
        )

    def staged_count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM staged_passages").fetchone()[0]

    def next_passage_id(self) -> int:
        """An id above every passage id ever published or staged: FAISS ids are never reused."""
        published = self.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'passages'").fetchone()
        staged = self.conn.execute("SELECT MAX(id) FROM staged_passages").fetchone()[0]
        return max(published[0] if published else 0, staged or 0) + 1

    def stage_file(self, path: str, fingerprint: str, model: str) -> None:
        """Start staging `path` afresh (call inside `atomic`); its articles follow with `stage_article`."""
        self.conn.execute("DELETE FROM staged_files WHERE path = ?", (path,))
        self.conn.execute("INSERT INTO staged_files VALUES (?, ?, ?)", (path, fingerprint, model))

    def stage_article(
        self,
        path: str,
        article: Article,
        passages: list[Passage],
        vectors: np.ndarray,
        sentences: list[SentenceVectors],
        *,
        bands: list[int],
    ) -> None:
        """Stage one article of a staged file: passages, vectors, sentence vectors, band keys (inside `atomic`)."""
        self.drop_staged_articles([article.doc_id])
        metadata = article.model_dump(mode="json", include={*METADATA_FIELDS, "provenance"})
        self.conn.execute(
            "INSERT INTO staged_articles VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                article.doc_id,
                path,
                article.outlet,
                article.published.isoformat() if article.published else None,
                article.title,
                json.dumps(metadata, ensure_ascii=False),
                article.text,
            ),
        )
        next_id = self.next_passage_id()
        self.conn.executemany(
            """INSERT INTO staged_passages (id, doc_id, ordinal, start, end, text, vector, sentence_spans,
                                            sentence_vectors) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (
                    next_id + i,
                    p.doc_id,
                    p.ordinal,
                    p.start,
                    p.end,
                    p.text,
                    v.astype(np.float32).tobytes(),
                    json.dumps(s.spans),
                    s.vectors.astype(np.float16).tobytes(),
                )
                for i, (p, v, s) in enumerate(zip(passages, vectors, sentences, strict=True))
            ],
        )
        self.conn.executemany("INSERT INTO staged_article_bands VALUES (?, ?)", [(k, article.doc_id) for k in bands])

    def stage_copies(self, path: str, copies: list[tuple[str, bool, Syndication]]) -> None:
        """Record (original doc_id, listed, listing) for each copy read from staged `path`, replacing any earlier."""
        self.conn.execute("DELETE FROM staged_copies WHERE source_path = ?", (path,))
        self.conn.executemany(
            "INSERT INTO staged_copies (source_path, original, listed, listing) VALUES (?, ?, ?, ?)",
            [(path, original, int(listed), listing.model_dump_json()) for original, listed, listing in copies],
        )

    def drop_staged_articles(self, doc_ids: list[str]) -> None:
        self.conn.execute(
            "DELETE FROM staged_articles WHERE doc_id IN (SELECT value FROM json_each(?))", (json.dumps(doc_ids),)
        )

    def publish_staged(self, replaced: list[str]) -> None:
        """Swap in the staged work (call inside `atomic`): drop the `replaced` files, move staged rows in."""
        self.conn.execute("DELETE FROM files WHERE path IN (SELECT value FROM json_each(?))", (json.dumps(replaced),))
        self.conn.execute("DELETE FROM files WHERE path IN (SELECT path FROM staged_files)")
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.conn.execute("INSERT INTO files SELECT path, fingerprint, ? FROM staged_files", (now,))
        self.conn.execute(
            """INSERT INTO articles (doc_id, source_path, outlet, published, metadata, text, title)
               SELECT doc_id, source_path, outlet, published, metadata, text, title FROM staged_articles"""
        )
        self.conn.execute(
            """INSERT INTO passages (id, doc_id, ordinal, start, end, text, vector, sentence_spans, sentence_vectors)
               SELECT id, doc_id, ordinal, start, end, text, vector, sentence_spans, sentence_vectors
               FROM staged_passages ORDER BY id"""
        )
        self.conn.execute(
            """INSERT INTO copies (source_path, original, listed, listing)
               SELECT source_path, original, listed, listing FROM staged_copies ORDER BY id"""
        )
        self.conn.execute("INSERT INTO article_bands SELECT key, doc_id FROM staged_article_bands")
        self.conn.execute("DELETE FROM staged_article_bands")
        self.conn.execute("DELETE FROM staged_copies")
        self.conn.execute("DELETE FROM staged_passages")
        self.conn.execute("DELETE FROM staged_articles")
        self.conn.execute("DELETE FROM staged_files")


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


def _json_ids(ids: list[int] | np.ndarray) -> str:
    return json.dumps(np.asarray(ids, dtype=np.int64).tolist())


def storage_error(error: sqlite3.Error, path: Path) -> QAError:
    """A user-facing error for a failure of the database file at `path`."""
    message = str(error)
    if "full" in message:
        return StorageError(
            f"The disk holding {path} is full ({message}). Free some space and run the command again; "
            "the index is unchanged."
        )
    if "readonly" in message or "read-only" in message or "unable to open" in message:
        return IndexReadOnlyError(
            f"Cannot write the index database {path} ({message}). Check that its directory is writable."
        )
    if "disk I/O error" in message:
        return StorageError(
            f"A write to the index database {path} failed ({message}): is the disk full or the directory "
            "read-only? Free some space and run the command again; the index is unchanged."
        )
    if "locked" in message or "busy" in message:
        return StorageError(f"The index database {path} is busy ({message}). Try again in a moment.")
    return CorruptIndexError(
        f"The index database {path} cannot be read ({message}). Run `qa index --rebuild` to rebuild it from the corpus."
    )


def _article_from_row(row: tuple) -> Article:
    doc_id, source_path, metadata, text = row
    return Article.model_validate({**json.loads(metadata), "doc_id": doc_id, "source_path": source_path, "text": text})
