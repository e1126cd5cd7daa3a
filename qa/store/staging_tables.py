"""SQLite's staging tables: a build's work, committed chunk by chunk, invisible until published at once."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np

from qa.models import METADATA_FIELDS, Article, Passage
from qa.store.connection import Connection
from qa.store.records import FoldedCopy, SentenceVectors, StagedArticle


class StagingTables:
    """A build's staged files, articles, passages and copies (part of `Database`)."""

    conn: Connection

    def staged_files(self, model: str) -> dict[str, str]:
        """Staged files (path -> fingerprint) embedded with `model`; work of another model is dropped."""
        self.conn.execute("DELETE FROM staged_files WHERE model != ?", (model,))
        return dict(self.conn.execute("SELECT path, fingerprint FROM staged_files"))

    def staged_articles(self, path: str) -> list[StagedArticle]:
        """Each article staged for `path`, with its passage count."""
        rows = self.conn.execute(
            """SELECT a.doc_id, (SELECT COUNT(*) FROM staged_passages p WHERE p.doc_id = a.doc_id)
               FROM staged_articles a WHERE a.source_path = ? ORDER BY a.rowid""",
            (path,),
        ).fetchall()
        return [StagedArticle(doc_id, passages) for doc_id, passages in rows]

    def unstage(self, paths: list[str]) -> None:
        self.conn.execute(
            "DELETE FROM staged_files WHERE path IN (SELECT value FROM json_each(?))", (json.dumps(paths),)
        )

    def staged_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM staged_passages").fetchone()[0])

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

    def stage_copies(self, path: str, copies: list[FoldedCopy]) -> None:
        """Record each copy read from staged `path`, replacing any staged earlier."""
        self.conn.execute("DELETE FROM staged_copies WHERE source_path = ?", (path,))
        self.conn.executemany(
            "INSERT INTO staged_copies (source_path, original, listed, listing) VALUES (?, ?, ?, ?)",
            [(path, copy.original, int(copy.listed), copy.listing.model_dump_json()) for copy in copies],
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
