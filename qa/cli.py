"""`qa`: the command line. Parses, calls the library, prints text or JSON; nothing more."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qa.errors import QAError, UsageError

if TYPE_CHECKING:
    from rich.text import Text

    from qa.config import Settings
    from qa.models import Answer
    from qa.store.index import SyncReport

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
        help="Directory of article files. [env: QA_CORPUS; default: ./corpus]",
        show_default=False,
    ),
]
IndexOption = Annotated[
    Path | None,
    typer.Option(
        "--index",
        envvar="QA_INDEX",
        help="Directory of the built index. [env: QA_INDEX; default: ./index]",
        show_default=False,
    ),
]


def _settings(corpus: Path | None, index: Path | None) -> Settings:
    from qa.config import Settings

    overrides = {"corpus_dir": corpus, "index_dir": index}
    return Settings(**{key: value for key, value in overrides.items() if value is not None})


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show log messages and full tracebacks.")] = False,
) -> None:
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, stream=sys.stderr)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in plain words.", show_default=False)],
    k: Annotated[int, typer.Option("-k", "--top", min=1, help="How many passages to show at most.")] = 5,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON document (schema in the README) instead of text.")
    ] = False,
    corpus: CorpusOption = None,
    index: IndexOption = None,
) -> None:
    """Answer a question with attributed passages from the index.

    Each passage is led by its outlet and date; the sentence that best answers the question is
    emphasized. When nothing in the corpus is close enough, it says so instead of guessing.

    Example: qa ask "Who denied sales to Russia?" -k 3
    """
    if not question.strip():
        raise UsageError('The question is empty. Ask something, e.g. qa ask "Who denied sales to Russia?"')
    from qa.engine import Engine

    answer = Engine(_settings(corpus, index)).ask(question, k=k)
    if as_json:
        sys.stdout.write(answer.model_dump_json(indent=2) + "\n")
    else:
        _print_answer(answer)


INDENT = 3


def _print_answer(answer: Answer) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False)
    if answer.abstained:
        console.print(answer.message)
        return
    for hit in answer.passages:
        citation = hit.citation
        heading = Text(f"{hit.rank}. ", style="bold")
        heading.append(citation.label, style="bold cyan")
        if citation.via:
            heading.append(f"  ({citation.via})", style="dim")
        body = [Text(hit.title or "untitled", style="italic")]
        if hit.url:
            body.append(Text(hit.url, style="dim"))
        body.append(_passage_text(hit.text, hit.highlight, plain=not console.is_terminal))
        body.append(Text(f"similarity {hit.similarity:.2f} · doc {hit.doc_id}", style="dim"))
        console.print(heading)
        for part in body:
            for line in part.wrap(console, console.width - INDENT):
                line.rstrip()
                console.print(Text(" " * INDENT) + line if line.plain else line)
        console.print()


def _passage_text(text: str, highlight: tuple[int, int] | None, *, plain: bool) -> Text:
    """The passage with its answer sentence bold (between ** when the output is not a terminal)."""
    from rich.text import Text

    if highlight is None:
        return Text(text)
    start, end = highlight
    passage = Text(text[:start])
    sentence = text[start:end]
    passage.append(f"**{sentence}**" if plain else sentence, style=None if plain else "bold yellow")
    passage.append(text[end:])
    return passage


@app.command("index")
def index_command(
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Discard the index and embed the whole corpus again.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only problems.")] = False,
    corpus: CorpusOption = None,
    index: IndexOption = None,
) -> None:
    """Build or refresh the index from the corpus.

    Only new or changed files are read and embedded; removed files leave the index. A file that
    cannot be used (bad metadata, no text) is skipped with the reason, and the rest still index.
    """
    from qa.engine import Engine

    settings = _settings(corpus, index)
    if not settings.corpus_dir.is_dir():
        raise QAError(
            f"The corpus directory {settings.corpus_dir} does not exist. "
            "Create it and put articles in it, or point --corpus / QA_CORPUS at yours."
        )
    engine = Engine(settings)
    with _progress(quiet) as on_progress:
        report = engine.build_index(rebuild=rebuild, on_progress=on_progress)
    _print_report(report, settings, quiet=quiet)


def _progress(quiet: bool):
    """A progress bar on a terminal; otherwise silence (the summary follows)."""
    from contextlib import nullcontext

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        return nullcontext(None)

    class _Bar:
        def __enter__(self):
            self.progress = Progress(
                TextColumn("{task.description:<10}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )
            self.progress.start()
            self.tasks: dict[str, int] = {}
            return self.update

        def update(self, stage: str, done: int, total: int) -> None:
            if stage not in self.tasks:
                self.tasks[stage] = self.progress.add_task(stage, total=total)
            self.progress.update(self.tasks[stage], completed=done, total=total)

        def __exit__(self, *exc):
            self.progress.stop()

    return _Bar()


def _print_report(report: SyncReport, settings: Settings, *, quiet: bool) -> None:
    for skipped in report.skipped:
        typer.echo(f"skipped {settings.corpus_dir / skipped.path}: {skipped.reason}", err=True)
    if quiet:
        return
    if not (report.changed or report.unchanged or report.skipped):
        typer.echo(f"The corpus {settings.corpus_dir} has no article files (.txt, .md); the index is empty.")
        return
    skipped = f", {len(report.skipped)} skipped" if report.skipped else ""
    typer.echo(
        f"Indexed {settings.corpus_dir} into {settings.index_dir}: {len(report.added)} new, "
        f"{len(report.updated)} changed, {len(report.removed)} removed, {report.unchanged} unchanged "
        f"files{skipped}; {report.articles} articles, {report.passages} passages embedded "
        f"in {report.seconds:.1f} s."
    )


@app.command()
def status(corpus: CorpusOption = None, index: IndexOption = None) -> None:
    """Show what the index holds, what built it, and which corpus files are not indexed yet."""
    from qa.engine import Engine

    settings = _settings(corpus, index)
    engine = Engine(settings)
    info = engine.status()
    counts = info.counts
    stale = engine.stale_files() if settings.corpus_dir.is_dir() else []
    lines = [
        f"index       {info.directory}",
        f"corpus      {settings.corpus_dir}",
        f"model       {info.model or 'none yet'} ({info.dimension or '?'} dimensions)",
        f"last build  {info.built_at or 'never'}",
        f"files       {counts['files']}",
        f"articles    {counts['articles']} "
        f"({counts['articles_without_outlet']} without outlet, {counts['articles_without_date']} undated)",
        f"passages    {counts['passages']}",
        f"stale       {len(stale)} file(s) new, changed or removed since the last build"
        + (": run `qa index`" if stale else ""),
    ]
    lines += [f"            {path}" for path in stale[:20]]
    typer.echo("\n".join(lines))


@app.command()
def chat(corpus: CorpusOption = None, index: IndexOption = None) -> None:
    """Open the terminal chat: ask questions, read attributed answer cards."""
    from qa.tui.app import QAApp

    QAApp(_settings(corpus, index)).run()


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs a command; QAErrors become one `Error: …` line (exit 1, or 2 for usage)."""
    args = sys.argv[1:] if argv is None else argv
    try:
        app(args=args, prog_name="qa")
    except QAError as error:
        if "--debug" in args:
            raise
        typer.echo(f"Error: {error}", err=True)
        sys.exit(2 if isinstance(error, UsageError) else 1)
