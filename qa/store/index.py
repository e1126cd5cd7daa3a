"""The index on disk: open it to search, or to write under its lock, and publish new generations.

A build (qa/store/build.py) stages its work in SQLite chunk by chunk, invisible to readers; then
`publish` writes the FAISS file of the next generation and, in one transaction, swaps the staged
rows in and records that generation with the file's checksum. Killed at any moment, the previous
generation stays whole, and the next build resumes from the staged chunks.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from qa.errors import CorruptIndexError, IndexMissingError, QAError
from qa.models import Article, Passage, SearchFilters
from qa.store.db import Database, ExportedFile
from qa.store.errors import IndexFormatError
from qa.store.lock import cannot_write, writer_lock
from qa.store.ranking import DEFAULT_DEPTH, ScoredPassage, best_fused
from qa.store.records import (
    ArticleSummary,
    IndexCounts,
    MetaKey,
    OutletSummary,
    RefusedFile,
    SearchKind,
    SentenceVectors,
)
from qa.store.vectors import Stamp, VectorIndex, vectors_path
from qa.store.writing import IndexWriter, WritableIndex, record_built

__all__ = ["DB_NAME", "Index"]

log = logging.getLogger(__name__)

DB_NAME = "qa.sqlite3"
APPROXIMATE, EXACT = "ivf", "exact"
"""How the published FAISS file searches, recorded in `meta` so `qa status` need not load it."""
COMPACT_ABOVE_FREE_SHARE = 0.25
"""A publish leaving more of the SQLite file than this free compacts it: a first build or rebuild of
Reuters-21578 left 47% free (274 of 582 MiB), and VACUUM took 2.9 s to give it back."""
EXACT_AMONG_LIMIT = 20_000
"""A filtered dense search over at most this many passages scores them exactly, even in an IVF index."""


class Index(WritableIndex):
    """SQLite (source of truth) plus the FAISS file derived from it for one generation.

    A reader (`open`) sees one committed generation until `refresh`; a writer (`writing`) holds
    the directory's lock.
    """

    def __init__(self, directory: Path, db: Database) -> None:
        self.directory = directory
        self.location = str(directory)
        self._db = db
        self._vectors: VectorIndex | None = None
        self._filtered: tuple[str, np.ndarray] | None = None
        """The passage ids of the last filters asked about, so counting and searching look them up once."""

    @classmethod
    def open(cls, directory: Path) -> Index:
        """An existing index for reading; raises IndexMissingError telling the user to run `qa index`."""
        if not (directory / DB_NAME).is_file():
            raise IndexMissingError(directory)
        index = cls(directory, Database.for_reading(directory / DB_NAME))
        index._db.pin_snapshot()
        return index

    @property
    def writer(self) -> IndexWriter:
        return self._db

    def meta(self, key: MetaKey) -> str | None:
        return self._db.get_meta(key)

    @classmethod
    def create(cls, directory: Path, *, rebuild: bool = False) -> Index:
        """The index opened for writing, created when missing; `writing` adds the directory's lock.

        With `rebuild`, a database that cannot be opened at all (damaged, or from a newer qa) is
        deleted first; a readable one is kept until the rebuilt index replaces it.
        """
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise cannot_write(directory, error) from error
        try:
            db = Database(directory / DB_NAME)
        except (CorruptIndexError, IndexFormatError):
            if not rebuild:
                raise
            log.warning("discarding the unreadable index database in %s", directory)
            _delete_index_files(directory)
            db = Database(directory / DB_NAME)
        return cls(directory, db)

    @classmethod
    @contextmanager
    def writing(
        cls,
        directory: Path,
        *,
        rebuild: bool = False,
        wait: bool = True,
        on_wait: Callable[[], None] | None = None,
    ) -> Iterator[Index]:
        """The index opened for writing under the directory's lock (one writer at a time).

        A directory that cannot be written fails here, before anything is touched.
        """
        try:
            directory.mkdir(parents=True, exist_ok=True)
            tempfile.TemporaryFile(dir=directory).close()
        except OSError as error:
            raise cannot_write(directory, error) from error
        with writer_lock(directory, wait=wait, on_wait=on_wait):
            index = cls.create(directory, rebuild=rebuild)
            try:
                yield index
            finally:
                index.close()

    def close(self) -> None:
        self._db.close()

    @property
    def read_only(self) -> bool:
        """Opened as an immutable reader: the directory cannot be written (a read-only mount)."""
        return self._db.read_only

    def refresh(self) -> bool:
        """Move a reader to the newest published generation; True when it changed."""
        before = self.generation
        self._db.pin_snapshot()
        if self.generation == before:
            return False
        self._vectors = None
        self._filtered = None
        return True

    # -- searching ---------------------------------------------------------------------------

    def vectors(self) -> VectorIndex:
        """The FAISS index of this generation, verified against the database.

        A missing file is rebuilt in memory from SQLite; a damaged one raises CorruptIndexError.
        """
        if self._vectors is None:
            stamp = Stamp.parse(self._db.get_meta(MetaKey.VECTORS))
            path = vectors_path(self.directory, self.generation)
            loaded = VectorIndex.load(path, stamp)
            if loaded is None or (stamp is None and len(loaded) != self._db.passage_count()):
                if self.generation:
                    log.warning("vector file %s is missing or stale; rebuilding it from the database", path)
                loaded = self._vectors_from_db()
            self._vectors = loaded
        return self._vectors

    def _vectors_from_db(self) -> VectorIndex:
        ids, matrix = self._db.vectors()
        return VectorIndex.build(ids, matrix, self._dimension(matrix))

    def _dimension(self, matrix: np.ndarray) -> int:
        return int(matrix.shape[1] if matrix.size else self._db.get_meta(MetaKey.DIMENSION) or 1)

    def search_dense(
        self,
        query: np.ndarray,
        limit: int,
        *,
        among: np.ndarray | None = None,
        filters: SearchFilters | None = None,
    ) -> list[tuple[int, float]]:
        """(passage id, cosine) best first; only passages in `among`, or that `filters` leave, when given
        (exact when few)."""
        if among is None and filters is not None and filters.active:
            among = self._passage_ids(filters)
        vectors = self.vectors()
        if among is not None and vectors.approximate and len(among) <= EXACT_AMONG_LIMIT:
            ids, matrix = self._db.vectors(among)
            if not len(ids):
                return []
            scores = matrix @ query.astype(np.float32)
            best = np.argsort(-scores)[:limit]
            return [(int(ids[i]), float(scores[i])) for i in best]
        return vectors.search(query, limit, among=among)

    def search_lexical(self, question: str, limit: int, *, among: np.ndarray | None = None) -> list[int]:
        """Passage ids by BM25 over passage text and article title; only `among` these when given."""
        return self._db.lexical_search(question, limit, among=among)

    def is_empty(self) -> bool:
        return len(self.vectors()) == 0

    def retrieve(
        self,
        query: np.ndarray,
        question: str,
        *,
        limit: int,
        depth: int = DEFAULT_DEPTH,
        filters: SearchFilters | None = None,
    ) -> list[ScoredPassage]:
        among = self._passage_ids(filters) if filters is not None and filters.active else None
        if among is not None and len(among) == 0:
            return []
        dense = self.search_dense(query, max(depth, limit), among=among)
        lexical = self.search_lexical(question, max(depth, limit), among=among)
        similarity = dict(dense)
        lexical_only = [pid for pid in lexical if pid not in similarity]
        if lexical_only:
            ids, vectors = self._db.vectors(lexical_only)
            similarity.update(zip(ids.tolist(), (vectors @ query).tolist(), strict=True))
        return best_fused([pid for pid, _ in dense], lexical, similarity, limit)

    def matching_passages(self, filters: SearchFilters) -> int:
        return len(self._passage_ids(filters))

    def _passage_ids(self, filters: SearchFilters) -> np.ndarray:
        key = filters.model_dump_json()
        if self._filtered is None or self._filtered[0] != key:
            ids = self.passage_ids_where(outlets=filters.outlets, since=filters.since, until=filters.until)
            self._filtered = (key, ids)
        return self._filtered[1]

    def passage_ids_where(
        self, *, outlets: list[str], since: dt.date | None = None, until: dt.date | None = None
    ) -> np.ndarray:
        """Ids (int64) of passages whose article matches: outlet case-insensitive, dates inclusive.

        A date bound excludes undated articles; an empty `outlets` list does not filter by outlet.
        """
        return self._db.passage_ids_where(outlets=outlets, since=since, until=until)

    def count_undated_articles(self, *, outlets: list[str] | None = None) -> int:
        return self._db.count_undated_articles(outlets=outlets)

    def passages_with_articles(self, ids: list[int]) -> dict[int, tuple[Passage, Article]]:
        return self._db.passages_with_articles(ids)

    def sentence_vectors(self, ids: list[int]) -> dict[int, SentenceVectors]:
        return self._db.sentence_vectors(ids)

    def article(self, doc_id: str) -> Article | None:
        return self._db.article(doc_id)

    def indexed_files(self) -> dict[str, str]:
        return self._db.file_fingerprints()

    def refused_files(self) -> list[RefusedFile]:
        return self._db.refused_files()

    def counts(self) -> IndexCounts:
        return self._db.counts()

    def outlets(self) -> list[OutletSummary]:
        return self._db.outlets()

    def articles_with_prefix(self, prefix: str, limit: int) -> list[ArticleSummary]:
        return self._db.articles_with_prefix(prefix, limit)

    def search_kind(self) -> SearchKind:
        approximate = self._db.get_meta(MetaKey.VECTOR_SEARCH) == APPROXIMATE
        return SearchKind("approximate (IVF)" if approximate else "exact", approximate)

    def staged_passages(self) -> int:
        return self._db.staged_count()

    def stored_vectors(self, ids: list[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(ids, matrix) of the published passage vectors as SQLite holds them: all, or the ones asked for."""
        return self._db.vectors(ids)

    # -- copying elsewhere (`qa migrate`) -----------------------------------------------------

    def files_up_to(self, path: str) -> int:
        """How many published files sort up to and including `path`."""
        return len(self._db.files_up_to(path))

    def exported_files(self, after: str, limit: int) -> list[ExportedFile]:
        """Published files in path order from just after `after`, each with its copies and articles."""
        return self._db.exported_files(after, limit)

    # -- keeping in step with the corpus -----------------------------------------------------

    def publish(self, replaced: list[str], model: str, *, rebuilding: bool, encoder: str) -> None:
        """Write the next generation's FAISS file, then swap the staged work in with one transaction."""
        staged_ids, staged_matrix = self._db.staged_vectors()
        staged_paths = list(self._db.staged_files(model))
        if not (replaced or staged_paths or rebuilding):
            self._repair_vectors()
            with self._db.atomic():
                record_built(self._db, model=None, dimension=None, encoder=encoder)
            return
        removed_ids = self._db.passage_ids_of_files(replaced + staged_paths)
        count = self._db.passage_count() - len(removed_ids) + len(staged_ids)
        dimension = int(staged_matrix.shape[1]) if staged_matrix.size else self._dimension(np.zeros((0, 0)))
        old = None if rebuilding else self._verified_vectors()
        if old is None or old.dimension != dimension or old.should_rebuild(count):
            ids, matrix = (np.zeros(0, np.int64), np.zeros((0, dimension), np.float32))
            if not rebuilding:
                ids, matrix = self._db.vectors()
                keep = ~np.isin(ids, removed_ids)
                ids, matrix = ids[keep], matrix[keep].reshape(-1, dimension)
            ids = np.concatenate([ids, staged_ids])
            matrix = np.vstack([matrix.reshape(-1, dimension), staged_matrix.reshape(-1, dimension)])
            new = VectorIndex.build(ids, matrix, dimension)
        else:
            new = old.updated(removed_ids, staged_ids, staged_matrix)
        generation = self.generation + 1
        stamp = self._save(new, generation)
        with self._db.atomic():
            self._db.publish_staged(replaced)
            if self._db.passage_count() != stamp.count:
                raise CorruptIndexError(
                    f"The index in {self.directory} would hold {self._db.passage_count()} passages but "
                    f"{stamp.count} vectors; nothing was changed. Run `qa index --rebuild`."
                )
            self._db.set_meta(MetaKey.GENERATION, str(generation))
            self._db.set_meta(MetaKey.VECTORS, str(stamp))
            self._db.set_meta(MetaKey.VECTOR_SEARCH, APPROXIMATE if new.approximate else EXACT)
            record_built(
                self._db,
                model=model,
                dimension=dimension if staged_matrix.size or rebuilding else None,
                encoder=encoder,
            )
            self._db.delete_meta(MetaKey.REBUILD_PENDING)
        self._vectors = new
        self._drop_old_vector_files(keep={generation, generation - 1})
        self._compact_if_mostly_free()

    def _compact_if_mostly_free(self) -> None:
        """Give back the disk space a large build's emptied staging area (or a rebuild's old rows) left.

        Published already: a compaction that fails (a full disk, say) leaves the index whole, only larger.
        """
        if self._db.free_share() <= COMPACT_ABOVE_FREE_SHARE:
            return
        try:
            self._db.compact()
        except QAError as error:
            log.warning("Compacting the index database after the build failed: %s The new index is complete.", error)

    def _verified_vectors(self) -> VectorIndex | None:
        """The current generation's vectors for updating, or None when they must be rebuilt."""
        try:
            loaded = VectorIndex.load(
                vectors_path(self.directory, self.generation), Stamp.parse(self._db.get_meta(MetaKey.VECTORS))
            )
        except CorruptIndexError as error:
            log.warning("%s Rebuilding it from the database.", error)
            return None
        if loaded is not None and len(loaded) != self._db.passage_count():
            return None
        return loaded

    def _repair_vectors(self) -> None:
        """With nothing to publish, still rewrite this generation's FAISS file if it is missing or damaged."""
        if self._verified_vectors() is not None:
            return
        vectors = self._vectors_from_db()
        stamp = self._save(vectors, self.generation)
        with self._db.atomic():
            self._db.set_meta(MetaKey.VECTORS, str(stamp))
            self._db.set_meta(MetaKey.VECTOR_SEARCH, APPROXIMATE if vectors.approximate else EXACT)
        self._vectors = vectors

    def _save(self, vectors: VectorIndex, generation: int) -> Stamp:
        try:
            return vectors.save(vectors_path(self.directory, generation))
        except OSError as error:
            raise cannot_write(self.directory, error) from error

    def _drop_old_vector_files(self, keep: set[int]) -> None:
        """Older generations go; the previous one stays for readers that are just opening it."""
        wanted = {vectors_path(self.directory, generation) for generation in keep}
        for old in [*self.directory.glob("vectors-*.faiss"), *self.directory.glob("vectors-*.tmp")]:
            if old not in wanted:
                old.unlink(missing_ok=True)


def _delete_index_files(directory: Path) -> None:
    for path in directory.iterdir():
        if path.name.startswith(DB_NAME) or path.name.startswith("vectors-"):
            path.unlink()
