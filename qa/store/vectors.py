"""FAISS, a derived cache of the vectors in SQLite: exact inner-product search over passage ids.

Each file is named after the index generation it was built from, so a reader can tell at once
whether it matches the database; a missing or mismatched file is rebuilt from SQLite.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import faiss
import numpy as np

log = logging.getLogger(__name__)


def vectors_path(index_dir: Path, generation: int) -> Path:
    return index_dir / f"vectors-{generation}.faiss"


class VectorIndex:
    """Exact cosine search (normalized vectors, inner product) keyed by passage id."""

    def __init__(self, index: faiss.Index) -> None:
        self._index = index

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray, dimension: int) -> VectorIndex:
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
        if len(ids):
            index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))
        return cls(index)

    @classmethod
    def load(cls, path: Path) -> VectorIndex | None:
        """The index stored at `path`, or None when it is missing or unreadable (rebuild instead)."""
        if not path.is_file():
            return None
        try:
            return cls(faiss.read_index(str(path)))
        except RuntimeError as error:
            log.warning("vector file %s is unreadable (%s); rebuilding it from the database", path, error)
            return None

    def save(self, path: Path) -> None:
        """Write atomically: a temporary file, fsync, then rename over the target."""
        temporary = path.with_suffix(".tmp")
        faiss.write_index(self._index, str(temporary))
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)

    def __len__(self) -> int:
        return self._index.ntotal

    @property
    def dimension(self) -> int:
        return self._index.d

    def search(self, query: np.ndarray, limit: int) -> list[tuple[int, float]]:
        """(passage id, cosine similarity) pairs, best first."""
        if len(self) == 0:
            return []
        scores, ids = self._index.search(query.reshape(1, -1).astype(np.float32), min(limit, len(self)))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
