"""FAISS, a derived cache of the vectors in SQLite: cosine search over passage ids.

Each file is named after the index generation it holds, and the database records that file's
checksum and size, so a reader can tell at once whether file and database belong together.
Small indexes are searched exactly; above `APPROXIMATE_ABOVE` passages an inverted-file index
(IVF) answers in a fraction of the time with recall@10 >= 0.95 against exact search (measured by
bench/search_latency.py). Files are written with FAISS's own serializer, never pickle.
"""

from __future__ import annotations

import math
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import faiss
import numpy as np

from qa.errors import CorruptIndexError

APPROXIMATE_ABOVE = 50_000
"""From this many passages on, search is approximate (IVF); below it, exact (flat inner product)."""
PROBE_FRACTION = 1 / 8
"""Share of IVF lists scanned per query; measured to keep recall@10 >= 0.95 (bench/search_latency.py)."""
RETRAIN_GROWTH = 2.0
"""An IVF index is retrained from scratch once it holds this many times the vectors it was trained on."""


def vectors_path(index_dir: Path, generation: int) -> Path:
    return index_dir / f"vectors-{generation}.faiss"


@dataclass(frozen=True)
class Stamp:
    """What the database records about a vector file, to verify it on open."""

    checksum: str
    count: int

    def __str__(self) -> str:
        return f"{self.checksum}:{self.count}"

    @classmethod
    def parse(cls, text: str | None) -> Stamp | None:
        if not text or ":" not in text:
            return None
        checksum, count = text.split(":", 1)
        return cls(checksum, int(count))


def _checksum(data: np.ndarray) -> str:
    return f"crc32-{zlib.crc32(data.data):08x}-{len(data)}"


class _ChecksummedWriter:
    """Writes chunks to `handle`, keeping the checksum `_checksum` gives the whole file."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._crc = 0
        self._size = 0

    def write(self, chunk: bytes) -> None:
        self._handle.write(chunk)
        self._crc = zlib.crc32(chunk, self._crc)
        self._size += len(chunk)

    def checksum(self) -> str:
        return f"crc32-{self._crc:08x}-{self._size}"


class _ArrayReader:
    """Hands FAISS's reader the bytes of a file already read, chunk by chunk: unlike `deserialize_index`,
    no second copy of the whole file is made first."""

    def __init__(self, data: np.ndarray) -> None:
        self._data = data
        self._position = 0

    def read(self, size: int) -> bytes:
        chunk = self._data[self._position : self._position + size].tobytes()
        self._position += len(chunk)
        return chunk


def _ivf_lists(count: int) -> int:
    """About 4 * sqrt(n) lists, each with enough vectors (>= 39, FAISS's minimum) to train on."""
    return max(1, min(int(4 * math.sqrt(count)), count // 39))


class VectorIndex:
    """Cosine search (normalized vectors, inner product) keyed by passage id: exact or IVF."""

    def __init__(self, index: faiss.Index, *, trained_on: int = 0) -> None:
        self._index = index
        self.trained_on = trained_on
        """How many vectors an IVF index was trained on (0 for exact search)."""

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray, dimension: int) -> VectorIndex:
        """An index of these vectors: exact when few, approximate (IVF, trained on them) when many."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, dimension)
        if len(ids) < APPROXIMATE_ABOVE:
            built = cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dimension)))
        else:
            lists = _ivf_lists(len(ids))
            ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, lists, faiss.METRIC_INNER_PRODUCT)
            sample = vectors[np.random.default_rng(0).permutation(len(vectors))[: lists * 64]]
            ivf.train(sample)
            ivf.nprobe = max(1, round(lists * PROBE_FRACTION))
            built = cls(ivf, trained_on=len(ids))
        if len(ids):
            built._index.add_with_ids(vectors, ids.astype(np.int64))
        return built

    @property
    def approximate(self) -> bool:
        return not isinstance(self._index, faiss.IndexIDMap2)

    def should_rebuild(self, count: int) -> bool:
        """Whether holding `count` vectors calls for the other kind of index, or for retraining."""
        if self.approximate:
            return count < APPROXIMATE_ABOVE / 2 or count > self.trained_on * RETRAIN_GROWTH
        return count >= APPROXIMATE_ABOVE

    def updated(self, remove: np.ndarray, add_ids: np.ndarray, add_vectors: np.ndarray) -> VectorIndex:
        """This index with passages removed and added, in place (the caller saves it under a new name)."""
        if len(remove):
            self._index.remove_ids(faiss.IDSelectorBatch(remove.astype(np.int64)))
        if len(add_ids):
            self._index.add_with_ids(np.ascontiguousarray(add_vectors, dtype=np.float32), add_ids.astype(np.int64))
        return self

    @classmethod
    def load(cls, path: Path, stamp: Stamp | None) -> VectorIndex | None:
        """The index stored at `path`, verified against the database's `stamp`; None when missing.

        A file that is truncated, damaged or from another build raises CorruptIndexError naming it.
        """
        try:
            data = np.fromfile(path, dtype=np.uint8)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise _damaged(path, error.strerror or str(error)) from error
        if stamp is not None and _checksum(data) != stamp.checksum:
            raise _damaged(path, "its checksum does not match the database")
        try:
            index = faiss.read_index(faiss.PyCallbackIOReader(_ArrayReader(data).read))  # type: ignore[attr-defined]  # not in the stubs
        except RuntimeError as error:
            raise _damaged(path, str(error).splitlines()[0]) from error
        if stamp is not None and index.ntotal != stamp.count:
            raise _damaged(path, f"it holds {index.ntotal} vectors, the database {stamp.count}")
        trained_on = index.ntotal if not isinstance(index, faiss.IndexIDMap2) else 0
        return cls(index, trained_on=trained_on)

    def save(self, path: Path) -> Stamp:
        """Write atomically (temporary file, fsync, rename, fsync the directory); returns its stamp."""
        temporary = path.with_name(path.name + ".tmp")
        with open(temporary, "wb") as handle:
            written = _ChecksummedWriter(handle)
            # streamed through Python's file (its OSError, a full disk's ENOSPC, propagates), not serialize_index:
            # no in-memory copy of a file of tens of megabytes
            faiss.write_index(self._index, faiss.PyCallbackIOWriter(written.write))  # type: ignore[attr-defined]  # not in the stubs
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        return Stamp(written.checksum(), self._index.ntotal)

    def __len__(self) -> int:
        return self._index.ntotal

    @property
    def dimension(self) -> int:
        return self._index.d

    def search(self, query: np.ndarray, limit: int, *, among: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(passage id, cosine similarity) pairs, best first; only ids in `among` when given."""
        if len(self) == 0 or limit < 1 or (among is not None and len(among) == 0):
            return []
        selector = faiss.IDSelectorBatch(among.astype(np.int64)) if among is not None else None
        # faiss's generated hints know neither these keyword arguments nor `nprobe`: typed as Any here
        parameters: Any = faiss.SearchParametersIVF if self.approximate else faiss.SearchParameters
        if self.approximate:
            params = parameters(sel=selector, nprobe=getattr(self._index, "nprobe"))  # noqa: B009
        else:
            params = parameters(sel=selector) if selector is not None else None
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)  # FAISS splits work by query: for one, a thread team only costs start-up time
        try:
            scores, ids = self._index.search(
                query.reshape(1, -1).astype(np.float32), min(limit, len(self)), params=params
            )
        finally:
            faiss.omp_set_num_threads(threads)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]


def _damaged(path: Path, reason: str) -> CorruptIndexError:
    return CorruptIndexError(
        f"The vector file {path} is damaged ({reason}). Run `qa index` to rewrite it from the database, "
        "or `qa index --rebuild` to rebuild the whole index."
    )
