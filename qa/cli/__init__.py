"""`qa`: the command line. Parses, calls the library, prints text or JSON; nothing more.

Each command lives in its own module, registered on the shared Typer app by importing it.
"""

from __future__ import annotations

import io
import sys

import typer

# Importing a command module registers its commands; `qa --help` lists them in this order.
# isort: off
from qa.cli import ask, indexing, evaluate, show, chat, migrate  # noqa: F401

# isort: on
from qa.cli.common import app
from qa.cli.output import echo, echo_line
from qa.errors import QAError, UsageError


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs a command; QAErrors become one `Error: …` line (exit 1, or 2 for usage).

    The message may quote a file name, a flag value or record text: it is printed as one line
    with control characters shown (`qa.printable`), never obeyed. Click's own usage errors
    ("No such option: …", "Got unexpected extra argument …") quote what the user typed, so they
    are printed here too, through `printable`, instead of by Click.
    """
    args = sys.argv[1:] if argv is None else argv
    try:
        code = app(args=args, prog_name="qa", standalone_mode=False)
    except QAError as error:
        if "--debug" in args:
            raise
        echo_line(f"Error: {error}", err=True)
        sys.exit(2 if isinstance(error, UsageError) else 1)
    except typer.TyperException as error:  # Click's ClickException and its usage errors, as Typer exports them
        _show_printable(error)
        sys.exit(error.exit_code)
    except typer.Abort:
        echo("Aborted!", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)  # without standalone mode, Click returns the exit code


def _show_printable(error: typer.TyperException) -> None:
    """What Click would print for `error` (usage, hint, `Error: …`), with control characters shown."""
    shown = io.StringIO()
    error.show(file=shown)
    echo(shown.getvalue().rstrip("\n"), err=True)
