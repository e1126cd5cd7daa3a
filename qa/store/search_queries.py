"""SQLite's reads for answering: passages and their articles, vectors, BM25 and filters, counts."""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np

from qa.models import Article, Passage, Syndication
from qa.store.connection import Connection
from qa.store.outlets import outlet_key
from qa.store.records import (
    ArticleSummary,
    IndexCounts,
    OutletSummary,
    SentenceVectors,
    merged_outlets,
    prefix_end,
)

TITLE_WEIGHT = 0.5
"""BM25 weight of an article title against 1.0 for the passage text: every passage repeats it."""

_FTS_TOKEN = re.compile(r"\w+", re.UNICODE)


def quote_fts(question: str) -> str | None:
    """Any user text as a safe FTS5 query: each word quoted, joined with OR; None if no words."""
    tokens = dict.fromkeys(token.lower() for token in _FTS_TOKEN.findall(question))
    return " OR ".join(f'"{token}"' for token in tokens) or None


class SearchQueries:
    """The published rows, as answering reads them (part of `Database`)."""

    conn: Connection

    def article(self, doc_id: str) -> Article | None:
        """The article with every other outlet's copy of it listed in `also_published_by`."""
        row = self.conn.execute(
            "SELECT doc_id, source_path, metadata, text FROM articles WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        if row is None:
            return None
        article = article_from_row(row)
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
            article = articles.get(row[1]) or articles.setdefault(row[1], article_from_row(row[6:]))
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
        params: tuple[str, ...] = ()
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

    def lexical_search(self, question: str, limit: int, *, among: list[int] | np.ndarray | None = None) -> list[int]:
        """Passage ids ranked by BM25 over passage text and article title, optionally only `among` these."""
        match = quote_fts(question)
        if match is None or (among is not None and len(among) == 0):
            return []
        query = "SELECT rowid FROM passages_fts WHERE passages_fts MATCH ?"
        params: list[str | int] = [match]
        if among is not None:
            query += " AND rowid IN (SELECT value FROM json_each(?))"
            params.append(_json_ids(among))
        rows = self.conn.execute(query + f" ORDER BY bm25(passages_fts, 1.0, {TITLE_WEIGHT}) LIMIT ?", (*params, limit))
        return [row[0] for row in rows]

    def passage_ids_where(self, *, outlets: list[str], since: dt.date | None, until: dt.date | None) -> np.ndarray:
        """Ids of passages whose article matches every given filter; a date bound drops undated articles."""
        conditions, params = [], []
        if outlets:
            conditions.append("outlet_key(a.outlet) IN (SELECT value FROM json_each(?))")
            params.append(_outlet_keys(outlets))
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
            query += " AND outlet_key(outlet) IN (SELECT value FROM json_each(?))"
            params.append(_outlet_keys(outlets))
        return int(self.conn.execute(query, params).fetchone()[0])

    def counts(self) -> IndexCounts:
        def count(sql: str) -> int:
            return int(self.conn.execute(sql).fetchone()[0])

        return IndexCounts(
            files=count("SELECT COUNT(*) FROM files"),
            articles=count("SELECT COUNT(*) FROM articles"),
            passages=self.passage_count(),
            articles_without_outlet=count("SELECT COUNT(*) FROM articles WHERE outlet IS NULL"),
            articles_without_date=count("SELECT COUNT(*) FROM articles WHERE published IS NULL"),
        )

    def outlets(self) -> list[OutletSummary]:
        rows = self.conn.execute(
            """SELECT outlet, COUNT(*), SUM(published IS NULL), MIN(published), MAX(published)
               FROM articles GROUP BY outlet"""
        ).fetchall()
        return merged_outlets(
            [
                OutletSummary(outlet, int(articles), int(undated), _date(earliest), _date(latest))
                for outlet, articles, undated, earliest, latest in rows
            ]
        )

    def articles_with_prefix(self, prefix: str, limit: int) -> list[ArticleSummary]:
        rows = self.conn.execute(
            """SELECT doc_id, outlet, json_extract(metadata, '$.title'), published FROM articles
               WHERE doc_id >= ? AND doc_id < ? ORDER BY doc_id LIMIT ?""",
            (prefix, prefix_end(prefix), limit),
        ).fetchall()
        return [ArticleSummary(doc_id, outlet, title, _date(published)) for doc_id, outlet, title, published in rows]

    def passage_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0])


def _date(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


def _json_ids(ids: list[int] | np.ndarray) -> str:
    return json.dumps(np.asarray(ids, dtype=np.int64).tolist())


def _outlet_keys(outlets: list[str]) -> str:
    return json.dumps([outlet_key(outlet) for outlet in outlets], ensure_ascii=False)


def article_from_row(row: tuple[str, str, str, str]) -> Article:
    doc_id, source_path, metadata, text = row
    return Article.model_validate({**json.loads(metadata), "doc_id": doc_id, "source_path": source_path, "text": text})
