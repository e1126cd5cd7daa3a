"""Open the index the settings name: embedded in a directory (the default), or in Milvus."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from qa.store.index import Index
from qa.store.reading import IndexReader
from qa.store.writing import WritableIndex

if TYPE_CHECKING:
    from qa.config import Settings
    from qa.store.milvus import MilvusTarget


def milvus_target(settings: Settings) -> MilvusTarget:
    from qa.store.milvus import MilvusTarget

    return MilvusTarget(uri=settings.index_location, token=settings.milvus_token, cache_dir=settings.index_dir)


def open_index(settings: Settings) -> IndexReader:
    """The index for reading; raises IndexMissingError telling the user to run `qa index`."""
    if settings.backend == "milvus":
        from qa.store.milvus import MilvusIndex

        return MilvusIndex.open(milvus_target(settings))
    return Index.open(settings.index_dir)


def writing_index(
    settings: Settings, *, rebuild: bool = False, wait: bool = True, on_wait: Callable[[], None] | None = None
) -> AbstractContextManager[WritableIndex]:
    """The index opened for a build, one writer at a time."""
    if settings.backend == "milvus":
        from qa.store.milvus import MilvusIndex

        return MilvusIndex.writing(milvus_target(settings), wait=wait, on_wait=on_wait)
    return Index.writing(settings.index_dir, rebuild=rebuild, wait=wait, on_wait=on_wait)
