"""`qa`: the command line. Parses, calls the library, prints text or JSON; nothing more.

Each command lives in its own module, registered on the shared Typer app by importing it.
"""

from __future__ import annotations

import sys

# Importing a command module registers its commands; `qa --help` lists them in this order.
# isort: off
from qa.cli import ask, indexing, evaluate, show, chat, migrate  # noqa: F401

# isort: on
from qa.cli.common import app
from qa.cli.output import echo_line
from qa.errors import QAError, UsageError


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs a command; QAErrors become one `Error: …` line (exit 1, or 2 for usage).

    The message may quote a file name, a flag value or record text: it is printed as one line
    with control characters shown (`qa.printable`), never obeyed.
    """
    args = sys.argv[1:] if argv is None else argv
    try:
        app(args=args, prog_name="qa")
    except QAError as error:
        if "--debug" in args:
            raise
        echo_line(f"Error: {error}", err=True)
        sys.exit(2 if isinstance(error, UsageError) else 1)
