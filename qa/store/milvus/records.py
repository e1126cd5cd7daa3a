"""Milvus collections holding everything a shared index needs: manifest, articles, passages, copies, meta.

Milvus has no transactions, so rows carry the generation (`born`) that wrote them. A build writes
its rows as the next generation, invisible to readers, then commits by rewriting one row, the
state: (generation, floor, cleanup). Readers see rows with floor <= born <= generation, minus the
older rows of the files being cleaned up. The writer then deletes those old rows and empties the
cleanup list. Killed at any point, the next writer finishes a pending cleanup and deletes rows of
an uncommitted generation, so nothing is lost or duplicated.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import numpy as np

from qa.models import Article, Passage, Syndication
from qa.store.milvus.expressions import PAGE, State, date_of, expression_list, pages, quoted
from qa.store.milvus.schema import (
    ARTICLES,
    COPIES,
    FILES,
    GENERATIONAL,
    MAX_BANDS,
    META,
    PASSAGES,
    REFUSED,
    TEXTS,
)
from qa.store.milvus.words import fit
from qa.store.records import (
    ArticleSummary,
    ArticleText,
    FoldedCopy,
    MetaKey,
    OutletSummary,
    PublishedText,
    RefusedFile,
    SentenceVectors,
    merged_outlets,
    prefix_end,
)

MAX_CLEANUP_JSON = 30_000
"""The longest list of replaced files the state row (and so every reader's filter) carries; a build
replacing more deletes their old rows just before it commits instead."""
QUERY_LIMIT = 16_384
"""Milvus's most rows for one plain query."""
UNUSED = [0.0, 0.0]
"""Milvus wants a vector in every collection: the plain ones carry this one, never searched."""


class CommittedRecords:
    """The index's rows in Milvus as readers see them: the committed generation, its meta, and the reads."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.state = State()

    # -- the committed state -----------------------------------------------------------------

    def read_state(self) -> State:
        raw = self.get_meta(MetaKey.STATE)
        self.state = State(**json.loads(raw)) if raw else State()
        return self.state

    def write_state(self, state: State, manifest: dict[MetaKey, str] | None = None) -> None:
        """Write the state row, with the build's `manifest` (model, dimension...) in the same single upsert:
        a writer killed before it leaves the old generation and its manifest, one killed after the new ones."""
        entries = {**(manifest or {}), MetaKey.STATE: json.dumps(state.__dict__)}
        rows = [{"key": key.value, "value": value, "unused": UNUSED} for key, value in entries.items()]
        self.client.upsert(META, rows)
        self.state = state

    @property
    def pending(self) -> int:
        """The generation a build writes: invisible until `write_state` commits it."""
        return self.state.generation + 1

    def finish_cleanup(self) -> None:
        """Delete the rows the committed generation replaced (again, if a writer died doing it)."""
        state = self.state
        for name in GENERATIONAL:
            if self.client.has_collection(name):
                self.client.delete(name, filter=f"born < {state.floor}")
        self.delete_older(state.cleanup, than=state.generation)
        if state.cleanup:
            self.write_state(State(state.generation, state.floor, []))

    def delete_older(self, paths: list[str], *, than: int) -> None:
        """Delete the rows of `paths` written before generation `than`."""
        for name in GENERATIONAL:
            if self.client.has_collection(name):
                for chunk in pages(paths):
                    self.client.delete(name, filter=f"born < {than} and source_path in {expression_list(chunk)}")

    def flush(self) -> None:
        """Seal what was written into segments, so Milvus indexes them (unsealed rows are scanned one by one)."""
        for name in GENERATIONAL:
            if self.client.has_collection(name):
                self.client.flush(name)

    def drop_uncommitted(self, *, after: str | None = None) -> None:
        """Delete rows written by a build that never committed (only those of files after `after`, when given)."""
        where = f"born > {self.state.generation}"
        if after is not None:
            where += f" and source_path > {quoted(after)}"
        for name in GENERATIONAL:
            if self.client.has_collection(name):
                self.client.delete(name, filter=where)

    # -- meta --------------------------------------------------------------------------------

    def atomic(self) -> AbstractContextManager[None]:
        """No transaction: a build's rows stay invisible until the state row commits them."""
        return nullcontext()

    def get_meta(self, key: MetaKey) -> str | None:
        rows = self.client.query(META, filter=f"key == {quoted(key.value)}", output_fields=["value"])
        return str(rows[0]["value"]) if rows else None

    def set_meta(self, key: MetaKey, value: str) -> None:
        self.client.upsert(META, [{"key": key.value, "value": value, "unused": UNUSED}])

    def delete_meta(self, key: MetaKey) -> None:
        self.client.delete(META, filter=f"key == {quoted(key.value)}")

    def refused_files(self) -> list[RefusedFile]:
        if not self.client.has_collection(REFUSED):
            return []
        rows = self.rows(REFUSED, 'source_path != ""', ["source_path", "fingerprint", "reason"])
        found = [RefusedFile(row["source_path"], row["fingerprint"], row["reason"]) for row in rows]
        return sorted(found, key=lambda each: each.path)

    def set_refused_files(self, refused: list[RefusedFile]) -> None:
        gone = sorted({each.path for each in self.refused_files()} - {each.path for each in refused})
        for chunk in pages(gone):
            self.client.delete(REFUSED, filter=f"source_path in {expression_list(chunk)}")
        if refused:
            self.client.upsert(
                REFUSED,
                [
                    {
                        "source_path": each.path,
                        "fingerprint": each.fingerprint,
                        "reason": fit(each.reason),
                        "unused": UNUSED,
                    }
                    for each in refused
                ],
            )

    # -- reading -----------------------------------------------------------------------------

    def rows(self, collection: str, expression: str, fields: list[str]) -> list[dict[str, Any]]:
        """Every row matching `expression`.

        One plain query answers the usual case (a question's few passages, articles and copies) in
        one round trip; it returns at most QUERY_LIMIT rows, so a full answer may be cut short and
        is read again page by page.
        """
        found: list[dict[str, Any]] = self.client.query(
            collection, filter=expression, output_fields=fields, limit=QUERY_LIMIT
        )
        if len(found) < QUERY_LIMIT:
            return found
        found = []
        iterator = self.client.query_iterator(collection, batch_size=PAGE, filter=expression, output_fields=fields)
        try:
            while batch := iterator.next():
                found.extend(batch)
        finally:
            iterator.close()
        return found

    def visible(self, collection: str, expression: str, fields: list[str]) -> list[dict[str, Any]]:
        """Rows of the committed generation matching `expression`."""
        where = f"({expression}) and {self.state.visible()}" if expression else self.state.visible()
        return self.rows(collection, where, fields)

    def count(self, collection: str, expression: str = "") -> int:
        if not self.client.has_collection(collection):
            return 0
        where = f"({expression}) and {self.state.visible()}" if expression else self.state.visible()
        return int(self.client.query(collection, filter=where, output_fields=["count(*)"])[0]["count(*)"])

    def file_fingerprints(self) -> dict[str, str]:
        return {
            row["source_path"]: row["fingerprint"] for row in self.visible(FILES, "", ["source_path", "fingerprint"])
        }

    def files_without_articles(self) -> set[str]:
        with_articles = {row["source_path"] for row in self.visible(ARTICLES, "", ["source_path"])}
        return set(self.file_fingerprints()) - with_articles

    def files_with_copies_of(self, paths: set[str]) -> set[str]:
        doc_ids: list[str] = []
        for chunk in pages(sorted(paths)):
            doc_ids += [
                row["doc_id"] for row in self.visible(ARTICLES, f"source_path in {expression_list(chunk)}", ["doc_id"])
            ]
        return {row["source_path"] for row in self._copies_of(doc_ids)}

    def _copies_of(self, doc_ids: list[str]) -> list[dict[str, Any]]:
        found = []
        for chunk in pages(doc_ids):
            found += self.visible(
                COPIES,
                f"original in {expression_list(chunk)}",
                ["key", "source_path", "original", "ordinal", "listed", "listing"],
            )
        return sorted(found, key=lambda row: (row["source_path"], row["ordinal"]))

    def copies_of(self, doc_id: str) -> list[FoldedCopy]:
        return [
            FoldedCopy(
                row["source_path"], row["original"], bool(row["listed"]), Syndication.model_validate(row["listing"])
            )
            for row in self._copies_of([doc_id])
        ]

    def listings(self, doc_ids: list[str]) -> dict[str, list[Syndication]]:
        found: dict[str, list[Syndication]] = {}
        for row in self._copies_of(doc_ids):
            if row["listed"]:
                found.setdefault(row["original"], []).append(Syndication.model_validate(row["listing"]))
        return found

    def articles(self, doc_ids: list[str]) -> dict[str, Article]:
        """Articles by doc_id with their full text and listings; unknown ids are left out."""
        rows = []
        for chunk in pages(doc_ids):
            rows += self.visible(
                ARTICLES,
                f"doc_id in {expression_list(chunk)}",
                ["doc_id", "source_path", "metadata"],
            )
        texts = self._texts([row["doc_id"] for row in rows])
        found = {
            row["doc_id"]: Article.model_validate(
                {
                    **row["metadata"],
                    "doc_id": row["doc_id"],
                    "source_path": row["source_path"],
                    "text": texts.get(row["doc_id"], ""),
                }
            )
            for row in rows
        }
        for doc_id, listed in self.listings(list(found)).items():
            found[doc_id].also_published_by = listed
        return found

    def outlets(self) -> list[OutletSummary]:
        """Counted here from every article's row: Milvus groups no query (its `outlet` column is folded, too)."""
        found: dict[str | None, list[dt.date | None]] = {}
        for row in self.visible(ARTICLES, "", ["metadata", "published"]):
            found.setdefault(row["metadata"].get("outlet"), []).append(date_of(row["published"]))
        summaries = []
        for outlet, dates in found.items():
            dated = [date for date in dates if date is not None]
            summaries.append(
                OutletSummary(
                    outlet, len(dates), len(dates) - len(dated), min(dated, default=None), max(dated, default=None)
                )
            )
        return merged_outlets(summaries)

    def articles_with_prefix(self, prefix: str, limit: int) -> list[ArticleSummary]:
        rows = self.visible(
            ARTICLES,
            f"doc_id >= {quoted(prefix)} and doc_id < {quoted(prefix_end(prefix))}",
            ["doc_id", "metadata", "published"],
        )
        return [
            ArticleSummary(
                row["doc_id"], row["metadata"].get("outlet"), row["metadata"].get("title"), date_of(row["published"])
            )
            for row in sorted(rows, key=lambda row: str(row["doc_id"]))[:limit]
        ]

    def _texts(self, doc_ids: list[str]) -> dict[str, str]:
        parts: dict[str, list[tuple[int, str]]] = {}
        for chunk in pages(doc_ids):
            for row in self.visible(TEXTS, f"doc_id in {expression_list(chunk)}", ["doc_id", "part", "text"]):
                parts.setdefault(row["doc_id"], []).append((row["part"], row["text"]))
        return {doc_id: "".join(text for _, text in sorted(each)) for doc_id, each in parts.items()}

    def article(self, doc_id: str) -> Article | None:
        return self.articles([doc_id]).get(doc_id)

    def _published(self, rows: list[dict[str, Any]]) -> list[PublishedText]:
        texts = self._texts([row["doc_id"] for row in rows])
        return [
            PublishedText(row["doc_id"], row["source_path"], date_of(row["published"]), texts.get(row["doc_id"], ""))
            for row in rows
        ]

    def articles_sharing_bands(self, keys: list[int]) -> list[PublishedText]:
        if not keys:
            return []
        rows = self.visible(
            ARTICLES, f"array_contains_any(bands, {expression_list(keys)})", ["doc_id", "source_path", "published"]
        )
        return self._published(sorted(rows, key=lambda row: row["doc_id"]))

    def published_article(self, doc_id: str) -> PublishedText | None:
        rows = self.visible(ARTICLES, f"doc_id == {quoted(doc_id)}", ["doc_id", "source_path", "published"])
        return self._published(rows)[0] if rows else None

    def article_texts(self, after: str, limit: int) -> list[ArticleText]:
        rows = self.visible(ARTICLES, f"doc_id > {quoted(after)}", ["doc_id"])
        doc_ids = sorted(row["doc_id"] for row in rows)[:limit]
        texts = self._texts(doc_ids)
        return [ArticleText(doc_id, texts.get(doc_id, "")) for doc_id in doc_ids]

    def clear_bands(self) -> None:
        """Nothing to do: `add_bands` replaces each article's keys whole."""

    def add_bands(self, bands: dict[str, list[int]]) -> None:
        for chunk in pages(list(bands)):
            rows = self.visible(ARTICLES, f"doc_id in {expression_list(chunk)}", ["*"])
            self.client.upsert(ARTICLES, [{**row, "bands": bands[row["doc_id"]][:MAX_BANDS]} for row in rows])

    def passages(self, ids: list[int], fields: list[str]) -> list[dict[str, Any]]:
        rows = []
        for chunk in pages(ids):
            rows += self.visible(PASSAGES, f"id in {expression_list(chunk)}", fields)
        return rows

    def sentence_vectors(self, ids: list[int]) -> dict[int, SentenceVectors]:
        found: dict[int, SentenceVectors] = {}
        for row in self.passages(ids, ["id", "sentences"]):
            stored = row["sentences"]
            if not stored:
                continue
            spans = [(int(start), int(end)) for start, end in stored["spans"]]
            vectors = np.frombuffer(base64.b64decode(stored["vectors"]), dtype=np.float16).astype(np.float32)
            found[row["id"]] = SentenceVectors(spans, vectors.reshape(len(spans), -1))
        return found

    def passages_with_articles(self, ids: list[int]) -> dict[int, tuple[Passage, Article]]:
        rows = self.passages(ids, ["id", "doc_id", "ordinal", "start", "end"])  # sentences are read on their own
        articles = self.articles(sorted({row["doc_id"] for row in rows}))
        found: dict[int, tuple[Passage, Article]] = {}
        for row in rows:
            article = articles.get(row["doc_id"])
            if article is not None:
                text = article.text[row["start"] : row["end"]]
                found[row["id"]] = (
                    Passage(
                        doc_id=row["doc_id"], ordinal=row["ordinal"], start=row["start"], end=row["end"], text=text
                    ),
                    article,
                )
        return found
