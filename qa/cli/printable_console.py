"""The Rich console of the CLI's human output: strings printed as they are, never as markup or control.

Its own module so that Rich (a tenth of a second to import) is loaded only by commands that print
with it, through `qa.cli.output.console`; `qa --help` stays instant.
"""

from __future__ import annotations

from rich.console import Console

from qa.cli.closed_pipe import stop_writing_stdout
from qa.printable import printable


class PrintableConsole(Console):
    """A console whose `print` shows control characters in strings as pictures; `Text` should come from `styled`."""

    def print(self, *objects, **kwargs) -> None:  # noqa: A003 - Rich's name
        super().print(*(printable(o) if isinstance(o, str) else o for o in objects), **kwargs)

    def on_broken_pipe(self) -> None:
        """The reader left (`qa ask … | head -1`): end quietly with exit 0, as the CLI's other writes do
        (Rich's own handler exits with 1)."""
        import typer

        stop_writing_stdout()
        raise typer.Exit(0)
