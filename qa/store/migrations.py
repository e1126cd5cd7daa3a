"""The SQLite schema's history: small numbered migrations, each applied once and recorded in `migrations`."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from qa.store.connection import Connection


def _m001_initial(conn: Connection) -> None:
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


def _execute_each(conn: Connection, script: str) -> None:
    """Run statements one by one inside the caller's transaction (executescript would commit)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""


def _m002_titles_in_fts_and_staging(conn: Connection) -> None:
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


def _m003_syndicated_copies(conn: Connection) -> None:
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


def _m004_sentence_vectors(conn: Connection) -> None:
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


def _m005_refused_files(conn: Connection) -> None:
    """Files the readers refused whole, so a build reports each once per change of the file."""
    conn.execute("CREATE TABLE refused_files (path TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, reason TEXT NOT NULL)")


MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("001_initial", _m001_initial),
    ("002_titles_in_fts_and_staging", _m002_titles_in_fts_and_staging),
    ("003_syndicated_copies", _m003_syndicated_copies),
    ("004_sentence_vectors", _m004_sentence_vectors),
    ("005_refused_files", _m005_refused_files),
]
SCHEMA_VERSION = len(MIGRATIONS)
FORMAT_VERSION = 5
"""The on-disk format of an index directory (database schema plus vector files); recorded in `meta`."""
