"""The SQLite edge: one connection whose every statement turns a sqlite3 error into a QAError naming the file.

Nothing above it sees a raw sqlite3 error, whether the statement runs inside `Database.atomic` or is
a reader's query (a damaged page, a disk failing, a file locked by another program).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from qa.errors import CorruptIndexError, QAError
from qa.store.errors import IndexDatabaseError, IndexReadOnlyError, StorageError

SQLITE_CORRUPT = 11
SQLITE_NOTADB = 26
CORRUPTION_MESSAGES = ("database disk image is malformed", "file is not a database")


class Rows:
    """A cursor whose fetching translates errors too (SQLite reads pages as rows are fetched)."""

    def __init__(self, cursor: sqlite3.Cursor, path: Path) -> None:
        self._cursor = cursor
        self._path = path

    def fetchone(self) -> Any:
        try:
            return self._cursor.fetchone()
        except sqlite3.Error as error:
            raise storage_error(error, self._path) from error

    def fetchall(self) -> list[Any]:
        try:
            return self._cursor.fetchall()
        except sqlite3.Error as error:
            raise storage_error(error, self._path) from error

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class Connection:
    """A sqlite3 connection to the index database at `path`, translating every error once, here."""

    def __init__(self, target: str | Path, path: Path, *, uri: bool) -> None:
        self.path = path
        try:
            self._conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False, timeout=30, uri=uri)
        except sqlite3.Error as error:
            raise storage_error(error, path) from error

    def execute(self, sql: str, parameters: Iterable[Any] = ()) -> Rows:
        try:
            return Rows(self._conn.execute(sql, tuple(parameters)), self.path)
        except sqlite3.Error as error:
            raise storage_error(error, self.path) from error

    def executemany(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        try:
            self._conn.executemany(sql, rows)
        except sqlite3.Error as error:
            raise storage_error(error, self.path) from error

    def create_function(self, name: str, arguments: int, function: Callable[..., Any]) -> None:
        self._conn.create_function(name, arguments, function, deterministic=True)

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    def close(self) -> None:
        self._conn.close()


def storage_error(error: sqlite3.Error, path: Path) -> QAError:
    """A user-facing error for a failure of the database file at `path`."""
    message = str(error)
    if "full" in message:
        return StorageError(
            f"The disk holding {path} is full ({message}). Free some space and run the command again; "
            "the index is unchanged."
        )
    if "readonly" in message or "read-only" in message or "unable to open" in message:
        return IndexReadOnlyError(
            f"Cannot write the index database {path} ({message}). Check that its directory is writable."
        )
    if "disk I/O error" in message:
        return StorageError(
            f"A write to the index database {path} failed ({message}): is the disk full or the directory "
            "read-only? Free some space and run the command again; the index is unchanged."
        )
    if "locked" in message or "busy" in message:
        return StorageError(f"The index database {path} is busy ({message}). Try again in a moment.")
    if _is_corruption(error):
        return CorruptIndexError(
            f"The index database {path} cannot be read ({message}). "
            "Run `qa index --rebuild` to rebuild it from the corpus."
        )
    return IndexDatabaseError(
        f"SQLite refused an operation on the index database {path} ({message}). The index is kept as it is; "
        "this is probably a bug in qa: please report it with this message."
    )


def _is_corruption(error: sqlite3.Error) -> bool:
    """Only a damaged or foreign file is corruption; a rebuild deletes the database on it, so nothing else may be."""
    primary_code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    if primary_code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return True
    message = str(error)
    return any(text in message for text in CORRUPTION_MESSAGES)
