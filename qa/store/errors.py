"""Errors of the index on disk, each saying what happened and the command that fixes it."""

from __future__ import annotations

from qa.errors import QAError


class IndexFormatError(QAError):
    """The index directory was written by a newer or unknown version of qa."""


class StorageError(QAError):
    """The index cannot be written: disk full, read-only directory, or a file held by someone else."""


class IndexDatabaseError(QAError):
    """SQLite refused an operation on a readable index (a constraint, a missing column, out of memory).

    Not corruption: the file is kept, and `qa index --rebuild` never deletes it for this.
    """


class IndexReadOnlyError(StorageError):
    """The index database or its directory cannot be written (a read-only mount, no permission)."""


class IndexBusyError(QAError):
    """Another process is writing the index and the caller chose not to wait."""
