"""One writer at a time per index directory: an OS file lock, released even when the writer is killed."""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from qa.store.errors import IndexBusyError, StorageError

LOCK_NAME = "write.lock"


@contextmanager
def writer_lock(directory: Path, *, wait: bool = True, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the directory's write lock; when another writer has it, wait (telling `on_wait`) or fail."""
    lock = FileLock(directory / LOCK_NAME)
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if not wait:
                raise IndexBusyError(
                    f"Another qa process is writing the index in {directory}. "
                    "Wait for it to finish, or run the command again without --no-wait to wait for it."
                ) from None
            if on_wait is not None:
                on_wait()
            lock.acquire()
    except OSError as error:
        raise cannot_write(directory, error) from error
    try:
        yield
    finally:
        lock.release()


def cannot_write(directory: Path, error: OSError) -> StorageError:
    """A user-facing error for an OS failure while writing the index directory."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return StorageError(
            f"The disk holding {directory} is full ({error.strerror}). Free some space and run the command "
            "again; the index is unchanged."
        )
    return StorageError(
        f"Cannot write to the index directory {directory} ({error.strerror or error}). "
        "Check that it exists and is writable; the index is unchanged."
    )
