"""What the CLI prints for a person: the one place text from files, flags and questions meets the terminal.

Every human-readable line goes through `echo`, `styled` or a console from `console`, so control
characters in an article, a file name or a flag value are shown as pictures (`qa.printable`) and
Rich never reads markup (`[bold]`, `[/x]`) or emoji codes from data. `--json` output keeps the
original text instead: JSON escapes the C0 controls, and `json_text` escapes DEL and C1 as well.

Every write here also ends the command quietly (exit 0, nothing on stderr) when the reader has gone,
as in `qa ask … | head -1`: Click would turn the broken pipe into exit 1.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from qa.cli.closed_pipe import stop_writing_stdout
from qa.printable import printable, printable_line

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


def echo(message: str = "", *, err: bool = False) -> None:
    """`typer.echo` with control characters made visible (newlines and tabs kept)."""
    with reader_may_leave():
        typer.echo(printable(message), err=err)


def echo_line(message: str, *, err: bool = False) -> None:
    """One line that stays one line: newlines in it are shown, not obeyed (errors, report lines)."""
    with reader_may_leave():
        typer.echo(printable_line(message), err=err)


def write_json(document: str) -> None:
    """One JSON document (or JSON Lines record) on stdout, flushed so a reader sees each as it comes."""
    with reader_may_leave():
        sys.stdout.write(json_text(document) + "\n")
        sys.stdout.flush()


@contextmanager
def reader_may_leave() -> Iterator[None]:
    """Writes whose reader may close the pipe: then stop writing and end the command with exit 0."""
    try:
        yield
    except BrokenPipeError:
        stop_writing_stdout()
        raise typer.Exit(0) from None


def flush_stdout() -> None:
    """What is still buffered, written before exit, where a closed pipe still ends quietly."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        stop_writing_stdout()


_LEFT_RAW_BY_JSON = re.compile(r"[\x7f-\x9f]")
"""DEL and the C1 controls: JSON need not escape them, and pydantic does not, but a terminal may obey them."""


def json_text(document: str) -> str:
    """A JSON document with DEL and C1 controls escaped too (`\\u009b`): it parses to the same values.

    They can only occur inside JSON strings, so the escape is always valid there.
    """
    return _LEFT_RAW_BY_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", document)


def styled(value: str, style: str = "") -> Text:
    """A Rich `Text` of untrusted `value`: never parsed as markup, controls shown as pictures.

    `printable` replaces each control character by one picture, so offsets into `value` (a
    highlighted sentence) still index the same characters of the result.
    """
    from rich.text import Text

    return Text(printable(value), style=style)


def console(*, stderr: bool = False) -> Console:
    """A Rich console that prints strings as they are: no markup, no `:emoji:` codes, no highlighting.

    Strings given to its `print` are made printable too; `Text` should come from `styled`.
    """
    from qa.cli.printable_console import PrintableConsole

    return PrintableConsole(stderr=stderr, markup=False, emoji=False, highlight=False)


class PrintableLogFormatter(logging.Formatter):
    """Log lines on stderr quote file names and record text from the library: shown, never obeyed."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))
