"""What every command shares: the Typer app, the --corpus/--index options, settings from them."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qa.cli.output import PrintableLogFormatter
from qa.printable import printable_line

if TYPE_CHECKING:
    from qa.config import Settings

app = typer.Typer(
    name="qa",
    help=(
        "Ask questions of your collected news articles and get passages that answer them, "
        "each attributed to its outlet and date.\n\n"
        'Put articles in ./corpus, run `qa index`, then `qa ask "Who denied sales to Russia?"` '
        "or `qa chat`."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
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


BackendOption = Annotated[
    str | None,
    typer.Option(
        "--backend",
        envvar="QA_BACKEND",
        help="Where the index lives: embedded (FAISS + SQLite in --index) or milvus (see --milvus-uri). "
        "[default: embedded]",
        show_default=False,
    ),
]
MilvusUriOption = Annotated[
    str | None,
    typer.Option(
        "--milvus-uri",
        envvar="QA_MILVUS_URI",
        help="With --backend milvus: a milvus-lite path, or a server such as http://host:19530 "
        "(token from QA_MILVUS_TOKEN). [default: INDEX/milvus.db]",
        show_default=False,
    ),
]


def settings_from(
    corpus: Path | None, index: Path | None, backend: str | None = None, milvus_uri: str | None = None
) -> Settings:
    from pydantic import ValidationError

    from qa.config import Settings

    if backend is not None and backend not in ("embedded", "milvus"):
        raise typer.BadParameter(
            f"'{printable_line(backend)}' is not a backend; choose embedded or milvus.", param_hint="--backend"
        )
    overrides = {"corpus_dir": corpus, "index_dir": index, "backend": backend, "milvus_uri": milvus_uri}
    try:
        return Settings(**{key: value for key, value in overrides.items() if value is not None})
    except ValidationError as error:  # QA_BACKEND set to something else
        raise typer.BadParameter(str(error.errors()[0]["msg"]), param_hint="--backend / QA_BACKEND") from error


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
    debug: Annotated[bool, typer.Option("--debug", help="Show log messages and full tracebacks.")] = False,
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
