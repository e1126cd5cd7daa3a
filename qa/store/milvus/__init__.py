"""The index in Milvus, for a team sharing one archive: milvus-lite in a local file, or a Milvus server.

Everything lives in Milvus (see records.py for how a build commits, schema.py for the collections), so any
number of users can point `qa` at one server. Dense search runs on an HNSW index, lexical search on
Milvus's BM25 full-text function, and both are fused by Milvus's `hybrid_search` with RRF; filters
become filter expressions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from qa.errors import IndexMissingError
from qa.ingest.syndication import BANDS_VERSION
from qa.models import Article, Passage, SearchFilters
from qa.store.lock import writer_lock
from qa.store.milvus.client import MilvusStorageError, MilvusTarget, TranslatingClient, connect
from qa.store.milvus.expressions import State, date_number, expression_list
from qa.store.milvus.records import MAX_CLEANUP_JSON
from qa.store.milvus.schema import (
    ARTICLES,
    FILES,
    FORMAT_VERSION,
    HNSW_BUILD,
    HNSW_SEARCH_EF,
    META,
    PASSAGES,
    create_collections,
    load_collections,
)
from qa.store.milvus.staging import MilvusRecords
from qa.store.milvus.words import lexical_form
from qa.store.outlets import outlet_key
from qa.store.ranking import DEFAULT_DEPTH, ScoredPassage, best_fused
from qa.store.reading import refuse_newer_format
from qa.store.records import (
    ArticleSummary,
    IndexCounts,
    MetaKey,
    OutletSummary,
    RefusedFile,
    SearchKind,
    SentenceVectors,
)
from qa.store.writing import IndexWriter, WritableIndex, built_manifest, record_built

__all__ = ["MilvusIndex", "MilvusStorageError", "MilvusTarget"]


class MilvusIndex(WritableIndex):
    """The index's collections in one Milvus database; a reader sees one committed generation until `refresh`."""

    def __init__(self, target: MilvusTarget, client: TranslatingClient) -> None:
        self.target = target
        self.location = target.uri
        self._client = client
        self._records = MilvusRecords(client)

    @property
    def writer(self) -> IndexWriter:
        return self._records

    def meta(self, key: MetaKey) -> str | None:
        return self._records.get_meta(key)

    @classmethod
    def open(cls, target: MilvusTarget) -> MilvusIndex:
        index = cls(target, connect(target))
        try:
            if index._client.has_collection(META):
                load_collections(index._client)
            if not index._client.has_collection(META) or index.meta(MetaKey.FORMAT_VERSION) is None:
                raise IndexMissingError(target.uri)
            index._refuse_newer_format()
            index._records.read_state()
        except BaseException:
            index.close()
            raise
        return index

    @classmethod
    @contextmanager
    def writing(
        cls,
        target: MilvusTarget,
        *,
        wait: bool = True,
        on_wait: Callable[[], None] | None = None,
        keep: str | None = None,
    ) -> Iterator[MilvusIndex]:
        """The index opened for a build: collections created when missing, an interrupted build's rows dropped.

        A rebuild needs nothing here: the build records it in meta and publishes it with a new floor.

        `keep` names the source of a migration to resume: its rows, up to the last step recorded,
        stay. The lock is this machine's: writers on other machines must take turns by arrangement.
        """
        target.cache_dir.mkdir(parents=True, exist_ok=True)
        with writer_lock(target.cache_dir, wait=wait, on_wait=on_wait):
            index = cls(target, connect(target))
            try:
                index._prepare(keep)
                yield index
            finally:
                index.close()

    def _prepare(self, keep: str | None) -> None:
        records = self._records
        create_collections(self._client, dimension=None)
        load_collections(self._client)
        if records.get_meta(MetaKey.FORMAT_VERSION) is None:
            records.set_meta(MetaKey.FORMAT_VERSION, str(FORMAT_VERSION))
            records.set_meta(MetaKey.SYNDICATION_BANDS, BANDS_VERSION)
        self._refuse_newer_format()
        records.read_state()
        records.finish_cleanup()
        migration = json.loads(records.get_meta(MetaKey.MIGRATION) or "null")
        if migration is not None and migration["source"] == keep:
            records.drop_uncommitted(after=migration["done"])
        else:
            records.delete_meta(MetaKey.MIGRATION)
            records.drop_uncommitted()

    def _refuse_newer_format(self) -> None:
        refuse_newer_format(
            f"The index in Milvus at {self.target.uri}",
            recorded=self.meta(MetaKey.FORMAT_VERSION),
            supported=FORMAT_VERSION,
            rebuildable=False,
        )

    def close(self) -> None:
        self._client.close()

    @property
    def generation(self) -> int:
        return self._records.state.generation

    def refresh(self) -> bool:
        before = self._records.state.generation
        return self._records.read_state().generation != before

    # -- migrating into it (`qa migrate`) ----------------------------------------------------

    def migration_done(self, source: str) -> str | None:
        """The last file a migration from `source` copied before it was interrupted (None: start afresh)."""
        recorded = json.loads(self._records.get_meta(MetaKey.MIGRATION) or "null")
        return str(recorded["done"]) if recorded and recorded["source"] == source else None

    def record_migration(self, source: str, done: str | None) -> None:
        """Remember how far a migration from `source` got (None: it is finished)."""
        if done is None:
            self._records.delete_meta(MetaKey.MIGRATION)
        else:
            self._records.set_meta(MetaKey.MIGRATION, json.dumps({"source": source, "done": done}))

    # -- writing -----------------------------------------------------------------------------

    def publish(self, replaced: list[str], model: str, *, rebuilding: bool, encoder: str) -> None:
        db = self._records
        staged = {row["source_path"] for row in db.rows(FILES, f"born == {db.pending}", ["source_path"])}
        if not (replaced or staged or rebuilding):
            record_built(db, model=None, dimension=None, encoder=encoder)
            return
        dimension = db.dimension or (db.stored_dimension() if rebuilding else None)
        floor = db.pending if rebuilding else db.state.floor
        cleanup = [] if rebuilding else sorted((set(replaced) | staged) & set(db.file_fingerprints()))
        if len(json.dumps(cleanup)) > MAX_CLEANUP_JSON:  # too long for every reader's filter
            db.delete_older(cleanup, than=db.pending)  # readers miss these files until the commit below
            cleanup = []
        manifest = built_manifest(model=model, dimension=dimension, encoder=encoder)
        db.write_state(State(db.pending, floor, cleanup), manifest)  # the commit, with the manifest it goes with
        db.delete_meta(MetaKey.REBUILD_PENDING)
        db.finish_cleanup()
        db.flush()

    # -- searching ---------------------------------------------------------------------------

    def _where(self, filters: SearchFilters | None = None) -> str:
        """The committed generation's rows, narrowed by the filters: a Milvus filter expression."""
        parts = [self._records.state.visible()]
        if filters is not None and filters.outlets:
            parts.append(f"outlet in {_outlet_keys(filters.outlets)}")
        if filters is not None and filters.since is not None:
            parts.append(f"published >= {date_number(filters.since)}")
        if filters is not None and filters.until is not None:
            parts.append(f"published <= {date_number(filters.until)} and published > 0")
        return " and ".join(parts)

    def is_empty(self) -> bool:
        return self._records.count(PASSAGES) == 0

    def matching_passages(self, filters: SearchFilters) -> int:
        return self._records.count(PASSAGES, self._where(filters))

    def count_undated_articles(self, *, outlets: list[str] | None = None) -> int:
        where = "published == 0"
        if outlets:
            where += f" and outlet in {_outlet_keys(outlets)}"
        return self._records.count(ARTICLES, where)

    def retrieve(
        self,
        query: np.ndarray,
        question: str,
        *,
        limit: int,
        depth: int = DEFAULT_DEPTH,
        filters: SearchFilters | None = None,
    ) -> list[ScoredPassage]:
        depth = max(depth, limit)
        where = self._where(filters)
        # The two searches run apart and are fused here by qa.store.ranking's weighted RRF, as the embedded
        # index fuses them, so each passage keeps its rank on either side: the answer step weighs an article both
        # sides find (qa/evidence.py).
        [dense] = self._client.search(
            PASSAGES,
            data=[query.astype(np.float32).tolist()],
            anns_field="dense",
            limit=depth,
            filter=where,
            search_params=_dense_params(depth),
            output_fields=["dense"],
        )
        lexical: list[Any] = []
        words = lexical_form(question)
        if words:  # BM25 needs a word to match: a question of only punctuation searches densely alone
            [lexical] = self._client.search(
                PASSAGES,
                data=[words],
                anns_field="sparse",
                limit=depth,
                filter=where,
                search_params={"metric_type": "BM25"},
                output_fields=["dense"],
            )
        similarity = {int(hit["id"]): float(np.dot(hit["entity"]["dense"], query)) for hit in [*dense, *lexical]}
        return best_fused([int(hit["id"]) for hit in dense], [int(hit["id"]) for hit in lexical], similarity, limit)

    def search_dense(
        self, query: np.ndarray, limit: int, *, filters: SearchFilters | None = None
    ) -> list[tuple[int, float]]:
        [hits] = self._client.search(
            PASSAGES,
            data=[query.astype(np.float32).tolist()],
            anns_field="dense",
            limit=limit,
            filter=self._where(filters),
            search_params=_dense_params(limit),
            output_fields=["id"],
        )
        return [(int(hit["id"]), float(hit["distance"])) for hit in hits]

    def search_lexical(self, question: str, limit: int) -> list[int]:
        words = lexical_form(question)
        if not words:
            return []
        [hits] = self._client.search(
            PASSAGES,
            data=[words],
            anns_field="sparse",
            limit=limit,
            filter=self._where(),
            search_params={"metric_type": "BM25"},
            output_fields=["id"],
        )
        return [int(hit["id"]) for hit in hits]

    def passages_with_articles(self, ids: list[int]) -> dict[int, tuple[Passage, Article]]:
        return self._records.passages_with_articles(ids)

    def sentence_vectors(self, ids: list[int]) -> dict[int, SentenceVectors]:
        return self._records.sentence_vectors(ids)

    def article(self, doc_id: str) -> Article | None:
        return self._records.article(doc_id)

    # -- what it holds -----------------------------------------------------------------------

    def indexed_files(self) -> dict[str, str]:
        return self._records.file_fingerprints()

    def refused_files(self) -> list[RefusedFile]:
        return self._records.refused_files()

    def counts(self) -> IndexCounts:
        count = self._records.count
        return IndexCounts(
            files=count(FILES),
            articles=count(ARTICLES),
            passages=count(PASSAGES),
            articles_without_outlet=count(ARTICLES, 'outlet == ""'),
            articles_without_date=count(ARTICLES, "published == 0"),
        )

    def outlets(self) -> list[OutletSummary]:
        return self._records.outlets()

    def articles_with_prefix(self, prefix: str, limit: int) -> list[ArticleSummary]:
        return self._records.articles_with_prefix(prefix, limit)

    def search_kind(self) -> SearchKind:
        return SearchKind(f"Milvus HNSW (M={HNSW_BUILD['M']}, ef={HNSW_SEARCH_EF}) and BM25", approximate=True)


def _outlet_keys(outlets: list[str]) -> str:
    """The outlets as stored rows hold them: folded as `outlet_key` folds them, or as an index written before
    accents and a leading "The" were folded holds them: only case-folded, with or without the "the "."""
    keys: set[str] = set()
    for outlet in outlets:
        older = outlet.casefold().removeprefix("the ")
        keys |= {outlet_key(outlet), older, f"the {older}"}
    return expression_list(sorted(keys))


def _dense_params(limit: int) -> dict[str, Any]:
    return {"metric_type": "IP", "params": {"ef": max(HNSW_SEARCH_EF, limit)}}
