"""`qa index` and `qa status`: keep the index in step with the corpus and say what it holds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from qa.cli.common import CorpusOption, IndexOption, app, settings_from
from qa.errors import QAError

if TYPE_CHECKING:
    from qa.config import Settings
    from qa.store.index import SyncReport


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

    settings = settings_from(corpus, index)
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

    settings = settings_from(corpus, index)
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
