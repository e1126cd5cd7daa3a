"""SQLite, the source of truth: articles, passages, their vectors, full-text search and the manifest."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from qa.errors import CorruptIndexError
from qa.models import METADATA_FIELDS, Article, Passage


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


MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = [
    ("001_initial", _m001_initial),
]
SCHEMA_VERSION = len(MIGRATIONS)

_FTS_TOKEN = re.compile(r"\w+", re.UNICODE)


def quote_fts(question: str) -> str | None:
    """Any user text as a safe FTS5 query: each word quoted, joined with OR; None if no words."""
    tokens = dict.fromkeys(token.lower() for token in _FTS_TOKEN.findall(question))
    return " OR ".join(f'"{token}"' for token in tokens) or None


class Database:
    """One connection to the index's SQLite file, with the queries the index needs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as error:
            raise CorruptIndexError(
                f"The index database {path} cannot be read ({error}). "
                "Run `qa index --rebuild` to rebuild it from the corpus."
            ) from error

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """One transaction: everything inside lands, or nothing does."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _migrate(self) -> None:
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        applied = {row[0] for row in self.conn.execute("SELECT name FROM migrations")}
        for name, migration in MIGRATIONS:
            if name in applied:
                continue
            with self.atomic() as conn:
                migration(conn)
                conn.execute(
                    "INSERT INTO migrations VALUES (?, ?)", (name, dt.datetime.now(dt.UTC).isoformat())
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

    def forget_file(self, path: str) -> None:
        """Remove a corpus file with its articles and passages (cascading, FTS kept in step)."""
        self.conn.execute("DELETE FROM files WHERE path = ?", (path,))

    def record_file(self, path: str, fingerprint: str) -> None:
        self.conn.execute(
            "INSERT INTO files VALUES (?, ?, ?)",
            (path, fingerprint, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
        )

    # -- articles and passages --------------------------------------------------------------

    def article_source(self, doc_id: str) -> str | None:
        row = self.conn.execute("SELECT source_path FROM articles WHERE doc_id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def insert_article(self, article: Article, passages: list[Passage], vectors: np.ndarray) -> None:
        metadata = article.model_dump(mode="json", include={*METADATA_FIELDS, "provenance"})
        self.conn.execute(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?)",
            (
                article.doc_id,
                article.source_path,
                article.outlet,
                article.published.isoformat() if article.published else None,
                json.dumps(metadata, ensure_ascii=False),
                article.text,
            ),
        )
        self.conn.executemany(
            "INSERT INTO passages (doc_id, ordinal, start, end, text, vector) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (p.doc_id, p.ordinal, p.start, p.end, p.text, vector.astype(np.float32).tobytes())
                for p, vector in zip(passages, vectors, strict=True)
            ],
        )

    def article(self, doc_id: str) -> Article | None:
        row = self.conn.execute(
            "SELECT doc_id, source_path, metadata, text FROM articles WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        return _article_from_row(row) if row else None

    def passages_with_articles(self, ids: list[int]) -> dict[int, tuple[Passage, Article]]:
        """Passages by id, each with its article; ids no longer in the index are left out."""
        if not ids:
            return {}
        placeholders = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"""SELECT p.id, p.doc_id, p.ordinal, p.start, p.end, p.text,
                       a.doc_id, a.source_path, a.metadata, a.text
                FROM passages p JOIN articles a ON a.doc_id = p.doc_id
                WHERE p.id IN ({placeholders})""",
            ids,
        ).fetchall()
        articles: dict[str, Article] = {}
        found = {}
        for row in rows:
            article = articles.get(row[1]) or articles.setdefault(row[1], _article_from_row(row[6:]))
            passage = Passage(doc_id=row[1], ordinal=row[2], start=row[3], end=row[4], text=row[5])
            found[row[0]] = (passage, article)
        return found

    def vectors(self, ids: list[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(ids, matrix) of stored passage vectors: all of them, or the ones asked for."""
        query = "SELECT id, vector FROM passages"
        params: list[int] = []
        if ids is not None:
            query += f" WHERE id IN ({','.join('?' * len(ids))})"
            params = ids
        rows = self.conn.execute(query + " ORDER BY id", params).fetchall()
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        found_ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        matrix = np.vstack([np.frombuffer(row[1], dtype=np.float32) for row in rows])
        return found_ids, matrix

    def lexical_search(self, question: str, limit: int) -> list[int]:
        """Passage ids ranked by BM25 for the words of the question."""
        match = quote_fts(question)
        if match is None:
            return []
        rows = self.conn.execute(
            "SELECT rowid FROM passages_fts WHERE passages_fts MATCH ? ORDER BY bm25(passages_fts) LIMIT ?",
            (match, limit),
        )
        return [row[0] for row in rows]

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


def _article_from_row(row: tuple) -> Article:
    doc_id, source_path, metadata, text = row
    return Article.model_validate(
        {**json.loads(metadata), "doc_id": doc_id, "source_path": source_path, "text": text}
    )
