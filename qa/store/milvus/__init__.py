"""The index in Milvus, for a team sharing one archive: milvus-lite in a local file, or a Milvus server.

Everything lives in Milvus (see documents.py for the collections and how a build commits), so any
number of users can point `qa` at one server. Dense search runs on an HNSW index, lexical search on
Milvus's BM25 full-text function, and both are fused by Milvus's `hybrid_search` with RRF; filters
become filter expressions.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.errors import IndexMissingError, QAError
from qa.ingest.syndication import BANDS_VERSION
from qa.models import Article, Passage, SearchFilters
from qa.store.base import IndexStatus, SentenceVectors, StoredIndex
from qa.store.errors import IndexFormatError
from qa.store.lock import writer_lock
from qa.store.milvus.documents import (
    ARTICLES,
    FILES,
    FORMAT_VERSION,
    HNSW_BUILD,
    HNSW_SEARCH_EF,
    MAX_CLEANUP_JSON,
    META,
    MIGRATION_KEY,
    PASSAGES,
    MilvusDocuments,
    MilvusStorageError,
    State,
    create_collections,
    date_number,
    expression_list,
    lexical_form,
    load_collections,
    outlet_key,
)
from qa.store.ranking import DEFAULT_DEPTH, RRF_K, ScoredPassage

__all__ = ["MilvusIndex", "MilvusTarget"]

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5.0
"""How long a call to Milvus may take before the server counts as unreachable."""


@dataclass(frozen=True)
class MilvusTarget:
    uri: str
    """A milvus-lite data path, or a server address such as http://host:19530."""
    token: str | None
    cache_dir: Path
    """This machine's own state: the writers' lock and the question encoder's export."""

    @property
    def local(self) -> bool:
        return "://" not in self.uri


def connect(target: MilvusTarget):
    """A client for `target`, or a QAError naming the URI (within TIMEOUT_SECONDS, never a hang)."""
    try:
        from pymilvus import MilvusClient
    except ImportError as error:
        raise QAError(
            f"The milvus backend needs pymilvus and milvus-lite ({error.name} is missing): "
            "pip install 'qa[milvus]', or use the embedded backend."
        ) from error
    if target.local:
        Path(target.uri).parent.mkdir(parents=True, exist_ok=True)
        _quiet_milvus_lite()
    try:
        return MilvusClient(uri=target.uri, token=target.token or "", timeout=TIMEOUT_SECONDS)
    except Exception as error:  # pymilvus raises its own, grpc's and milvus-lite's errors here
        raise MilvusStorageError(_unreachable(target, error)) from error


class _DropMessages(logging.Filter):
    def __init__(self, *fragments: str) -> None:
        super().__init__()
        self.fragments = fragments

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(fragment in message for fragment in self.fragments)


def _quiet_milvus_lite() -> None:
    """Drop two harmless messages of milvus-lite's in-process server: it lacks the timestamp call
    pymilvus makes after creating an index and before paging through a query."""
    noise = _DropMessages("Method not implemented", "failed to get mvccTs")
    for name in ("grpc._server", "pymilvus.client.iterator.query_iterator"):
        logger = logging.getLogger(name)
        if not any(isinstance(each, _DropMessages) for each in logger.filters):
            logger.addFilter(noise)


def _unreachable(target: MilvusTarget, error: Exception) -> str:
    reason = getattr(error, "message", None) or str(error) or type(error).__name__
    if target.local:
        return (
            f"Cannot open the milvus-lite index {target.uri} ({reason}). Another qa process may have it "
            "open: milvus-lite serves one process at a time; for shared use run a Milvus server."
        )
    return (
        f"Cannot reach Milvus at {target.uri} ({reason}). Check that the server is running and the URI "
        "(--milvus-uri, QA_MILVUS_URI) and token (QA_MILVUS_TOKEN) are right."
    )


@contextmanager
def _translated(target: MilvusTarget) -> Iterator[None]:
    """Milvus failures become one clear QAError naming the URI."""
    from pymilvus.exceptions import MilvusException

    try:
        yield
    except MilvusException as error:
        raise MilvusStorageError(f"Milvus at {target.uri} refused the request: {error.message}") from error


class MilvusIndex(StoredIndex):
    """The index's collections in one Milvus database; a reader sees one committed generation until `refresh`."""

    def __init__(self, target: MilvusTarget, client) -> None:
        self.target = target
        self.location = target.uri
        self.client = client
        self.db = MilvusDocuments(client, target.uri)

    @classmethod
    def open(cls, target: MilvusTarget) -> MilvusIndex:
        index = cls(target, connect(target))
        with _translated(target):
            if index.client.has_collection(META):
                load_collections(index.client)
            if not index.client.has_collection(META) or index.db.get_meta("format_version") is None:
                index.close()
                raise IndexMissingError(target.uri)
            index._refuse_newer_format()
            index.db.read_state()
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
                with _translated(target):
                    index._prepare(keep)
                    yield index
            finally:
                index.close()

    def _prepare(self, keep: str | None) -> None:
        create_collections(self.client, dimension=None)
        load_collections(self.client)
        if self.db.get_meta("format_version") is None:
            self.db.set_meta("format_version", str(FORMAT_VERSION))
            self.db.set_meta("syndication_bands", BANDS_VERSION)
        self._refuse_newer_format()
        self.db.read_state()
        self.db.finish_cleanup()
        migration = json.loads(self.db.get_meta(MIGRATION_KEY) or "null")
        if migration is not None and migration["source"] == keep:
            self.db.drop_uncommitted(after=migration["done"])
        else:
            self.db.delete_meta(MIGRATION_KEY)
            self.db.drop_uncommitted()

    def _refuse_newer_format(self) -> None:
        recorded = self.db.get_meta("format_version")
        if recorded is not None and (not recorded.isdigit() or int(recorded) > FORMAT_VERSION):
            raise IndexFormatError(
                f"The index in Milvus at {self.target.uri} was written by a newer version of qa (format {recorded}); "
                f"this qa reads format {FORMAT_VERSION}. Upgrade qa."
            )

    def close(self) -> None:
        self.client.close()

    def refresh(self) -> bool:
        before = self.db.state.generation
        with _translated(self.target):
            return self.db.read_state().generation != before

    # -- writing -----------------------------------------------------------------------------

    def publish(self, replaced: list[str], model: str, *, rebuilding: bool, encoder: str) -> None:
        db = self.db
        staged = {row["source_path"] for row in db.rows(FILES, f"born == {db.pending}", ["source_path"])}
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        if not (replaced or staged or rebuilding):
            db.set_meta("built_at", now)
            return
        db.set_meta("model", model)
        dimension = db.dimension or (db.stored_dimension() if rebuilding else None)
        if dimension is not None:
            db.set_meta("dimension", str(dimension))
            db.set_meta("document_encoder", encoder)
        db.set_meta("built_at", now)
        floor = db.pending if rebuilding else db.state.floor
        cleanup = [] if rebuilding else sorted((set(replaced) | staged) & set(db.file_fingerprints()))
        if len(json.dumps(cleanup)) > MAX_CLEANUP_JSON:  # too long for every reader's filter
            db.delete_older(cleanup, than=db.pending)  # readers miss these files until the commit below
            cleanup = []
        db.write_state(State(db.pending, floor, cleanup))  # the commit
        db.delete_meta("rebuild_pending")
        db.finish_cleanup()
        db.flush()

    # -- searching ---------------------------------------------------------------------------

    def _where(self, filters: SearchFilters | None = None) -> str:
        """The committed generation's rows, narrowed by the filters: a Milvus filter expression."""
        parts = [self.db.state.visible()]
        if filters is not None and filters.outlets:
            parts.append(f"outlet in {expression_list(outlet_key(outlet) for outlet in filters.outlets)}")
        if filters is not None and filters.since is not None:
            parts.append(f"published >= {date_number(filters.since)}")
        if filters is not None and filters.until is not None:
            parts.append(f"published <= {date_number(filters.until)} and published > 0")
        return " and ".join(parts)

    def is_empty(self) -> bool:
        with _translated(self.target):
            return self.db.count(PASSAGES) == 0

    def matching_passages(self, filters: SearchFilters) -> int:
        with _translated(self.target):
            return self.db.count(PASSAGES, self._where(filters))

    def count_undated_articles(self, *, outlets: list[str] | None = None) -> int:
        where = "published == 0"
        if outlets:
            where += f" and outlet in {expression_list(outlet_key(outlet) for outlet in outlets)}"
        with _translated(self.target):
            return self.db.count(ARTICLES, where)

    def retrieve(
        self,
        query: np.ndarray,
        question: str,
        *,
        limit: int,
        depth: int = DEFAULT_DEPTH,
        filters: SearchFilters | None = None,
    ) -> list[ScoredPassage]:
        from pymilvus import AnnSearchRequest, RRFRanker

        depth = max(depth, limit)
        where = self._where(filters)
        requests = [
            AnnSearchRequest(
                data=[query.astype(np.float32).tolist()],
                anns_field="dense",
                param=_dense_params(depth),
                limit=depth,
                expr=where,
            )
        ]
        words = lexical_form(question)
        if words:  # BM25 needs a word to match: a question of only punctuation searches densely alone
            requests.append(
                AnnSearchRequest(
                    data=[words], anns_field="sparse", param={"metric_type": "BM25"}, limit=depth, expr=where
                )
            )
        with _translated(self.target):
            [hits] = self.client.hybrid_search(
                PASSAGES, requests, ranker=RRFRanker(RRF_K), limit=limit, output_fields=["dense"]
            )
        scored = [
            ScoredPassage(int(hit["id"]), float(hit["distance"]), float(np.dot(hit["entity"]["dense"], query)))
            for hit in hits
        ]
        return sorted(scored, key=lambda each: (-each.fused, -each.similarity))

    def search_dense(self, query: np.ndarray, limit: int) -> list[tuple[int, float]]:
        with _translated(self.target):
            [hits] = self.client.search(
                PASSAGES,
                data=[query.astype(np.float32).tolist()],
                anns_field="dense",
                limit=limit,
                filter=self._where(),
                search_params=_dense_params(limit),
                output_fields=["id"],
            )
        return [(int(hit["id"]), float(hit["distance"])) for hit in hits]

    def search_lexical(self, question: str, limit: int) -> list[int]:
        words = lexical_form(question)
        if not words:
            return []
        with _translated(self.target):
            [hits] = self.client.search(
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
        with _translated(self.target):
            return self.db.passages_with_articles(ids)

    def sentence_vectors(self, ids: list[int]) -> dict[int, SentenceVectors]:
        with _translated(self.target):
            return self.db.sentence_vectors(ids)

    def article(self, doc_id: str) -> Article | None:
        with _translated(self.target):
            return self.db.article(doc_id)

    def status(self) -> IndexStatus:
        db = self.db
        with _translated(self.target):
            dimension = db.get_meta("dimension")
            return IndexStatus(
                location=self.target.uri,
                model=self.model,
                dimension=int(dimension) if dimension else None,
                document_encoder=db.get_meta("document_encoder"),
                built_at=db.get_meta("built_at"),
                counts={
                    "files": db.count(FILES),
                    "articles": db.count(ARTICLES),
                    "passages": db.count(PASSAGES),
                    "articles_without_outlet": db.count(ARTICLES, 'outlet == ""'),
                    "articles_without_date": db.count(ARTICLES, "published == 0"),
                },
                search=f"Milvus HNSW (M={HNSW_BUILD['M']}, ef={HNSW_SEARCH_EF}) and BM25",
                generation=db.state.generation,
                approximate=True,
            )


def _dense_params(limit: int) -> dict:
    return {"metric_type": "IP", "params": {"ef": max(HNSW_SEARCH_EF, limit)}}
