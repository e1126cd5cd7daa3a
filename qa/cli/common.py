"""What every command shares: the Typer app, the --corpus/--index options, settings from them."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from qa.config import Settings

app = typer.Typer(
    name="qa",
    help=(
        "Ask questions of your collected news articles and get passages that answer them, "
        "each attributed to its outlet and date.\n\n"
        "Put articles in ./corpus, run `qa index`, then `qa ask \"Who denied sales to Russia?\"` "
        "or `qa chat`."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

CorpusOption = Annotated[
    Path | None,
    typer.Option(
        "--corpus",
        envvar="QA_CORPUS",
        help="Directory of article files. [default: ./corpus]",
        show_default=False,
    ),
]
IndexOption = Annotated[
    Path | None,
    typer.Option(
        "--index",
        envvar="QA_INDEX",
        help="Directory of the built index. [default: ./index]",
        show_default=False,
    ),
]


def settings_from(corpus: Path | None, index: Path | None) -> Settings:
    from qa.config import Settings

    overrides = {"corpus_dir": corpus, "index_dir": index}
    return Settings(**{key: value for key, value in overrides.items() if value is not None})


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show log messages and full tracebacks.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s" if debug else "%(levelname)s: %(message)s",
        stream=sys.stderr,
    )


