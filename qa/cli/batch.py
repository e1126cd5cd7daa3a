"""`qa ask --batch`: the questions of a file, one per line, and the lines that cannot be asked.

A batch file comes from anywhere (an export, another script); one bad line must not cost the
answers to the others. A line that is not valid UTF-8 is not asked: it becomes a `BatchLineError`
in its place in the output. Blank lines (empty or only whitespace) are skipped without a result,
so a trailing newline or paragraph spacing in the file is not an error.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from pydantic import BaseModel

from qa.errors import UsageError
from qa.locations import user_path


@dataclass(frozen=True)
class BatchQuestion:
    """A line of the batch file to ask."""

    line: int
    """Its line number in the file, from 1."""
    question: str
    """The line without surrounding whitespace."""


class BatchLineError(BaseModel):
    """Written to the JSON Lines output in place of the answer to a line that could not be asked."""

    line: int
    """The line number in the batch file, from 1."""
    error: str
    """What is wrong with the line and what to do about it."""
    question: str
    """The line as far as it could be read: undecodable bytes become U+FFFD."""


@contextmanager
def open_batch(path: Path) -> Iterator[TextIO]:
    """The batch file (or stdin for `-`) as text, undecodable bytes kept as surrogates to be reported per line.

    Opened on entering, before any model is loaded, so a missing file is a usage error at once; the
    file is closed on leaving. Stdin is only read through: it stays open for the process.
    """
    if str(path) == "-":
        binary = getattr(sys.stdin, "buffer", None)
        if binary is None:  # stdin already replaced by text (a test, an embedding program)
            yield sys.stdin
            return
        text = io.TextIOWrapper(binary, encoding="utf-8", errors="surrogateescape")
        try:
            yield text
        finally:
            text.detach()  # closing the wrapper would close stdin's buffer
        return
    if path.is_dir():
        raise UsageError(f"The batch file {user_path(path)} is a folder. Give a text file with one question per line.")
    try:
        handle = path.open(encoding="utf-8", errors="surrogateescape")
    except OSError as error:
        raise UsageError(f"Cannot read the batch file {user_path(path)}: {error.strerror or error}.") from error
    with handle:
        yield handle


def read_batch(handle: TextIO) -> Iterator[BatchQuestion | BatchLineError]:
    """Each non-blank line as a question to ask, or as the error that stands in for its answer."""
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        undecodable = _undecodable(line)
        if undecodable is None:
            yield BatchQuestion(line=number, question=line.strip())
            continue
        raw, position = undecodable
        yield BatchLineError(
            line=number,
            error=(
                f"line {number} is not valid UTF-8 (byte 0x{raw[position]:02x} at byte {position + 1} of the line), "
                "so it was not asked; save the file as UTF-8"
            ),
            question=raw.decode("utf-8", errors="replace").strip(),
        )


def _undecodable(line: str) -> tuple[bytes, int] | None:
    """The line's bytes and the offset of the first invalid one, if the file held invalid UTF-8 there."""
    raw = line.encode("utf-8", errors="surrogateescape")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return raw, error.start
    return None
