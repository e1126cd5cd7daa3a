"""`qa`: the command line. Parses, calls the library, prints text or JSON; nothing more.

Each command lives in its own module, registered on the shared Typer app by importing it.
"""

from __future__ import annotations

import io
import sys

import typer

# Importing a command module registers its commands; `qa --help` lists them in this order.
# isort: off
from qa.cli import ask, indexing, status, outlets, evaluate, show, chat, migrate, configure  # noqa: F401

# isort: on
from qa.cli.closed_pipe import stop_writing_stdout
from qa.cli.common import HELP_OPTION_NAMES, app
from qa.cli.output import echo, echo_line, flush_stdout
from qa.errors import QAError, UsageError

DEBUG_FLAG = "--debug"


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs a command; QAErrors become one `Error: …` line (exit 1, or 2 for usage).

    The message may quote a file name, a flag value or record text: it is printed as one line
    with control characters shown (`qa.printable`), never obeyed. Click's own usage errors
    ("No such option: …", "Got unexpected extra argument …") quote what the user typed, so they
    are printed here too, through `printable`, instead of by Click. A reader that stops reading
    (`qa ask … | head -1`) ends the command quietly with exit 0, as it ends `cat`.
    """
    args = with_debug_first(sys.argv[1:] if argv is None else argv)
    try:
        code = command()(args=args, prog_name="qa", standalone_mode=False)
        flush_stdout()
    except QAError as error:
        if DEBUG_FLAG in args:
            raise
        echo_line(f"Error: {error}", err=True)
        sys.exit(2 if isinstance(error, UsageError) else 1)
    except typer.TyperException as error:  # Click's ClickException and its usage errors, as Typer exports them
        _show_printable(error)
        sys.exit(error.exit_code)
    except typer.Abort:
        echo("Aborted!", err=True)
        sys.exit(1)
    except BrokenPipeError:  # a write outside qa.cli.output's helpers: same quiet end
        stop_writing_stdout()
        sys.exit(0)
    sys.exit(code if isinstance(code, int) else 0)  # without standalone mode, Click returns the exit code


def with_debug_first(args: list[str]) -> list[str]:
    """`--debug` moved before the command, so it works anywhere (`qa ask x --debug`); after `--` it is data."""
    end = args.index("--") if "--" in args else len(args)
    if DEBUG_FLAG not in args[:end]:
        return args
    return [DEBUG_FLAG, *(arg for arg in args[:end] if arg != DEBUG_FLAG), *args[end:]]


def command():
    """The Click command behind `qa`, its help in plain names: `--json`, not `--json <bool>`; `PATH…`, not
    `{paths}... <list[Path]>` (Typer shows value types; a metavar says more)."""
    root = typer.main.get_command(app)
    _readable_help(root)
    return root


def _readable_help(node) -> None:
    help_option = node.get_help_option(typer.Context(node, help_option_names=HELP_OPTION_NAMES))
    for param in [*node.params, *([help_option] if help_option else [])]:
        if param.param_type_name == "option" and getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""  # a flag takes no value
        elif param.param_type_name == "argument" and param.metavar:
            shown = param.metavar if param.required else f"[{param.metavar}]"
            param.display_type_rich = lambda ctx: None
            param.get_usage_pieces = lambda ctx, shown=shown: [shown]
    for child in getattr(node, "commands", {}).values():
        _readable_help(child)


def _show_printable(error: typer.TyperException) -> None:
    """What Click would print for `error` (usage, hint, `Error: …`), with control characters shown."""
    shown = io.StringIO()
    error.show(file=shown)
    echo(shown.getvalue().rstrip("\n"), err=True)
