"""What every command shares: the Typer app, the --corpus/--index options, settings from them."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qa.cli.output import PrintableLogFormatter, echo_line
from qa.errors import UsageError

if TYPE_CHECKING:
    from qa.config import ResolvedSettings, Settings

HELP_OPTION_NAMES = ["-h", "--help"]

app = typer.Typer(
    name="qa",
    help=(
        "Ask questions of your collected news articles and get passages that answer them, "
        "each attributed to its outlet and date.\n\n"
        "Add articles with `qa add FILE…` (or put them in the corpus folder and run `qa index`), "
        'then `qa ask "Who denied sales to Russia?"` or `qa chat`. `qa config` shows where your '
        "archive is and how to move it."
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": HELP_OPTION_NAMES},
)

STORAGE_PANEL = "Storage (also from QA_* variables and `qa config`)"
"""Options every data command shares, in their own help panel so the command's own options come first."""

CorpusOption = Annotated[
    Path | None,
    typer.Option(
        "--corpus",
        metavar="FOLDER",
        help="Folder of article files (QA_CORPUS).",
        show_default=False,
        rich_help_panel=STORAGE_PANEL,
    ),
]
IndexOption = Annotated[
    Path | None,
    typer.Option(
        "--index",
        metavar="FOLDER",
        help="Folder of the built index (QA_INDEX).",
        show_default=False,
        rich_help_panel=STORAGE_PANEL,
    ),
]
BackendOption = Annotated[
    str | None,
    typer.Option(
        "--backend",
        metavar="embedded|milvus",
        help="FAISS + SQLite in the index folder, or Milvus (QA_BACKEND).",
        show_default=False,
        rich_help_panel=STORAGE_PANEL,
    ),
]
MilvusUriOption = Annotated[
    str | None,
    typer.Option(
        "--milvus-uri",
        metavar="URI",
        help="A milvus-lite file or a server, http://host:19530 (QA_MILVUS_URI; token from QA_MILVUS_TOKEN).",
        show_default=False,
        rich_help_panel=STORAGE_PANEL,
    ),
]


def resolved_settings(
    corpus: Path | None = None, index: Path | None = None, backend: str | None = None, milvus_uri: str | None = None
) -> ResolvedSettings:
    """The settings from these flags, the environment, the config file and the defaults.

    Problems in the config file are warnings (one line each, on stderr) and the command goes on
    without the values concerned; a bad flag or variable is a usage error.
    """
    from qa.config import SettingError, resolve_settings

    flags = {"corpus": corpus, "index": index, "backend": backend, "milvus_uri": milvus_uri}
    try:
        resolved = resolve_settings(flags)
    except SettingError as error:
        raise UsageError(str(error)) from None
    for problem in resolved.problems:
        echo_line(f"Warning: {problem}", err=True)
    return resolved


def settings_from(
    corpus: Path | None, index: Path | None, backend: str | None = None, milvus_uri: str | None = None
) -> Settings:
    return resolved_settings(corpus, index, backend, milvus_uri).settings


def user_location(settings: Settings) -> str:
    """Where the index is, as a user can use it: a folder or milvus-lite file (absolute, or `~/…`), or a server."""
    from qa.locations import user_path

    location = settings.index_location
    return location if "://" in location else user_path(location)


def _print_version(asked: bool) -> None:
    """`qa --version`: the release, the default model and the index formats this release reads and writes."""
    if not asked:
        return
    from importlib.metadata import version

    from qa.config import BUNDLED_MODEL
    from qa.store.db import FORMAT_VERSION

    typer.echo(f"qa {version('qa')}\nmodel {BUNDLED_MODEL} (default; QA_MODEL for another)")
    typer.echo(f"index format {FORMAT_VERSION}")
    raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Show log messages and full tracebacks (accepted anywhere on the command line)."),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Show the version, model and index format."
        ),
    ] = False,
) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        PrintableLogFormatter("%(levelname)s %(name)s: %(message)s" if debug else "%(levelname)s: %(message)s")
    )
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, handlers=[handler])
