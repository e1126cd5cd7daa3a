"""`qa index`, `qa add` and `qa status`: keep the index in step with the corpus and say what it holds."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qa.cli.common import BackendOption, CorpusOption, IndexOption, MilvusUriOption, app, settings_from
from qa.cli.output import console, echo_line
from qa.dates import DateOrder
from qa.errors import QAError, UsageError
from qa.printable import printable_line

if TYPE_CHECKING:
    from qa.config import Settings
    from qa.store.build import SyncReport

QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print only problems.")]
NoWaitOption = Annotated[
    bool,
    typer.Option("--no-wait", help="Fail at once if another qa process is writing the index, instead of waiting."),
]
PLAIN_EVERY_SECONDS = 10.0
"""Without a terminal, a progress line at most this often (and at each new stage)."""
FollowSymlinksOption = Annotated[
    bool,
    typer.Option(
        "--follow-symlinks",
        help="Also read files reached through links that lead out of the corpus (or out of a folder added).",
    ),
]
LISTED_FILES = 20
"""The report names at most this many files per kind of change."""
SKIPPED_EXIT_CODE = 3
"""`qa index`/`qa add` finished, but some files were skipped whole (each named on stderr): scripts can tell
this from success (0), an error (1) and a usage error (2)."""


@app.command("index")
def index_command(
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild",
            help="Embed the whole corpus again (other model, damaged index). The old index answers until it is done.",
        ),
    ] = False,
    allow_empty: Annotated[
        bool,
        typer.Option(
            "--allow-empty",
            help="Empty the index when the corpus folder has no article files (refused otherwise).",
        ),
    ] = False,
    follow_symlinks: FollowSymlinksOption = False,
    quiet: QuietOption = False,
    no_wait: NoWaitOption = False,
    corpus: CorpusOption = None,
    index: IndexOption = None,
    backend: BackendOption = None,
    milvus_uri: MilvusUriOption = None,
) -> None:
    """Build or refresh the index from the corpus.

    Only new or changed files are read and embedded; removed files leave the index. A file that
    cannot be used (bad metadata, no text) is skipped with the reason, and the rest still index.
    Interrupted (Ctrl-C, crash), the index keeps its previous state and the next run resumes.
    Links leading out of the corpus are skipped unless --follow-symlinks; an empty corpus folder
    (an unmounted share) never empties the index unless --allow-empty.

    Exit codes: 0 every file went in; 3 finished, but some files were skipped (each named on
    stderr); 1 error; 2 usage error.
    """
    from qa.engine import Engine

    settings = settings_from(corpus, index, backend, milvus_uri)
    if not settings.corpus_dir.is_dir():
        raise QAError(
            f"The corpus directory {settings.corpus_dir} does not exist. "
            "Create it and put articles in it, or point --corpus / QA_CORPUS at yours."
        )
    with Progress(settings, quiet=quiet) as on_progress:
        report = Engine(settings).build_index(
            rebuild=rebuild,
            on_progress=on_progress,
            wait=not no_wait,
            follow_symlinks=follow_symlinks,
            allow_empty=allow_empty,
        )
    print_report(report, settings, quiet=quiet)
    exit_for(report)


@app.command()
def add(
    paths: Annotated[
        list[Path], typer.Argument(help="Article files or folders to copy into the corpus.", show_default=False)
    ],
    outlet: Annotated[str | None, typer.Option("--outlet", help="Outlet of every added article.")] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Publication date of every added article (YYYY-MM-DD).")
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help="Address of the added article.")] = None,
    title: Annotated[str | None, typer.Option("--title", help="Title of the added article.")] = None,
    field_map: Annotated[
        str | None,
        typer.Option("--map", help="Fields of JSON/CSV records, e.g. text=body,outlet=source.name,date=published_at."),
    ] = None,
    date_order: Annotated[
        DateOrder | None,
        typer.Option(
            "--date-order",
            case_sensitive=False,
            help="How to read numeric dates such as 03/04/2024 in the files: DMY (3 April) or MDY (4 March).",
        ),
    ] = None,
    follow_symlinks: FollowSymlinksOption = False,
    quiet: QuietOption = False,
    no_wait: NoWaitOption = False,
    corpus: CorpusOption = None,
    index: IndexOption = None,
    backend: BackendOption = None,
    milvus_uri: MilvusUriOption = None,
) -> None:
    """Copy files into the corpus and index them in one step.

    Flags apply to every added article and are kept beside the copies, so each later `qa index`
    reads them the same way; adding a file again keeps its flags unless new ones are given.
    A file that cannot be read as an article is reported and not copied.

    Exit codes: 0 every file went in; 3 finished, but some files were skipped (each named on
    stderr); 1 error; 2 usage error.
    """
    from qa.engine import Engine

    missing = [path for path in paths if not path.exists()]
    if missing:
        raise UsageError(f"No such file or folder: {', '.join(map(str, missing))}")
    settings = settings_from(corpus, index, backend, milvus_uri)
    overrides = _explicit_metadata(outlet=outlet, published=date, url=url, title=title)
    mapping = _field_map(field_map)
    with Progress(settings, quiet=quiet) as on_progress:
        report = Engine(settings).add(
            paths,
            overrides=overrides,
            field_map=mapping,
            date_order=date_order,
            follow_symlinks=follow_symlinks,
            on_progress=on_progress,
            wait=not no_wait,
        )
    print_report(report, settings, quiet=quiet)
    exit_for(report)


def _explicit_metadata(**flags: str | None):
    from pydantic import ValidationError

    from qa.ingest import ExplicitMetadata

    given = {name: value for name, value in flags.items() if value is not None}
    if not given:
        return None
    try:
        return ExplicitMetadata.model_validate(given)
    except ValidationError as error:
        problem = error.errors()[0]
        flag = "--date" if problem["loc"][0] == "published" else f"--{problem['loc'][0]}"
        raise UsageError(f"{flag} {given[problem['loc'][0]]!r}: {problem['msg']}") from None


def _field_map(spec: str | None) -> dict[str, str] | None:
    if spec is None:
        return None
    from qa.ingest import parse_field_map

    return parse_field_map(spec)


class Progress:
    """Progress for a build: a live bar on a terminal, a plain line now and then otherwise, or nothing.

    Used as a context manager that yields the `on_progress(stage, done, total)` callback.
    """

    def __init__(self, settings: Settings, *, quiet: bool) -> None:
        self.settings = settings
        self.quiet = quiet
        self.console = console(stderr=True)
        self.bar = None
        self.tasks: dict[str, int] = {}
        self.started: dict[str, float] = {}
        """When each stage was first reported: stages interleave (embed a chunk, store it, ...)."""
        self.last_line: dict[str, float] = {}

    def __enter__(self):
        if self.quiet:
            return None
        if self.console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as Bar

            self.bar = Bar(
                TextColumn("{task.description:<18}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self.bar.start()
        return self.update

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()

    def update(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage not in self.started:
            self.started[stage] = now
            message = _STAGE_MESSAGES.get(stage)
            if message:
                index = printable_line(str(self.settings.index_location))  # a path: one line
                self.console.print(message.format(index=index), soft_wrap=True)
        if stage not in _COUNTED:
            return
        description, unit = _COUNTED[stage]
        elapsed = now - self.started[stage]
        rate = done / elapsed if elapsed > 0 and done else 0.0
        if self.bar is not None:
            if stage not in self.tasks:
                self.tasks[stage] = self.bar.add_task(f"{description} {unit}", total=total, rate="")
            self.bar.update(self.tasks[stage], completed=done, total=total, rate=f"{rate:.1f} {unit}/s")
        elif now - self.last_line.get(stage, -PLAIN_EVERY_SECONDS) >= PLAIN_EVERY_SECONDS or done == total:
            self.last_line[stage] = now
            left = f", about {_duration((total - done) / rate)} left" if rate and done < total else ""
            self.console.print(f"{description}: {done}/{total} {unit} ({rate:.1f} {unit}/s{left})", soft_wrap=True)


_COUNTED = {
    "reading": ("reading", "files"),
    "embedding": ("embedding", "passages"),
    "articles": ("storing", "articles"),
    "migrating": ("copying", "files"),
}
"""Stages with counts: (what the line says, unit)."""
_STAGE_MESSAGES = {
    "waiting": "Another qa process is writing the index in {index}; waiting for it to finish…",
    "loading model": "Loading the embedding model…",
    "saving": "Publishing the new index…",
}


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def print_report(report: SyncReport, settings: Settings, *, quiet: bool) -> None:
    """Skipped files and problems on stderr; unless quiet, what changed on stdout.

    Each line names a file and may quote its content: printed as one line, controls shown.
    """
    for skipped in report.skipped:
        echo_line(f"skipped {settings.corpus_dir / skipped.path}: {skipped.reason}", err=True)
    for problem in report.problems:
        echo_line(f"problem in {settings.corpus_dir / problem.path}: {problem.reason}", err=True)
    if quiet:
        return
    if not (report.changed or report.unchanged or report.skipped or report.still_refused):
        echo_line(f"The corpus {settings.corpus_dir} has no article files; the index is empty.")
        return
    for label, paths in (("new", report.added), ("changed", report.updated), ("removed", report.removed)):
        for path in paths[:LISTED_FILES]:
            echo_line(f"{label:<8} {path}")
        if len(paths) > LISTED_FILES:
            echo_line(f"{label:<8} … and {len(paths) - LISTED_FILES} more")
    for folded in report.folded[:LISTED_FILES]:
        echo_line(f"{'copy':<8} {folded.path}: {folded.reason}")
    if len(report.folded) > LISTED_FILES:
        echo_line(f"{'copy':<8} … and {len(report.folded) - LISTED_FILES} more")
    skipped = f", {len(report.skipped)} skipped" if report.skipped else ""
    if report.still_refused:
        skipped += f", {report.still_refused} still skipped as before (unchanged; `qa status` lists them)"
    resumed = (
        f" ({report.resumed_passages} of them embedded by an earlier interrupted run)"
        if report.resumed_passages
        else ""
    )
    echo_line(
        f"Indexed {settings.corpus_dir} into {settings.index_location}: {len(report.added)} new, "
        f"{len(report.updated)} changed, {len(report.removed)} removed, {report.unchanged} unchanged "
        f"files{skipped}; {report.articles} articles, {report.passages} passages embedded{resumed} "
        f"in {report.seconds:.1f} s."
    )


def exit_for(report: SyncReport) -> None:
    """Exit with SKIPPED_EXIT_CODE when any file was skipped whole; return (exit 0) when all went in."""
    if report.skipped:
        raise typer.Exit(SKIPPED_EXIT_CODE)


@app.command()
def status(
    corpus: CorpusOption = None,
    index: IndexOption = None,
    backend: BackendOption = None,
    milvus_uri: MilvusUriOption = None,
) -> None:
    """Show what the index holds, what built it, and which corpus files are not indexed yet."""
    from qa.engine import Engine

    settings = settings_from(corpus, index, backend, milvus_uri)
    engine = Engine(settings)
    corpus_found = settings.corpus_dir.is_dir()
    try:
        info = engine.status()
        stale = engine.stale_files() if corpus_found else []
    finally:
        engine.close()
    counts = info.counts
    lines = [
        f"index       {info.location}",
        f"corpus      {settings.corpus_dir}",
        f"model       {info.model or 'none yet'} ({info.dimension or '?'} dimensions)",
        f"embedded by {info.document_encoder or 'unknown (index built before this was recorded)'}",
        f"last build  {info.built_at or 'never'}",
        f"files       {counts.files}",
        f"articles    {counts.articles} "
        f"({counts.articles_without_outlet} without outlet, {counts.articles_without_date} undated)",
        f"passages    {counts.passages}",
        f"search      {info.search}, generation {info.generation}",
        f"stale       {len(stale)} file(s) new, changed or removed since the last build"
        + (": run `qa index`" if stale else "")
        if corpus_found
        else f"stale       unknown: the corpus folder {settings.corpus_dir} is missing (not mounted?); "
        "`qa index` refuses to run until it is back",
    ]
    lines += [f"            {path}" for path in stale[:LISTED_FILES]]
    if len(stale) > LISTED_FILES:
        lines.append(f"            … and {len(stale) - LISTED_FILES} more")
    if info.staged_passages:
        lines.append(
            f"unfinished  {info.staged_passages} passages embedded by an interrupted build: run `qa index` to finish it"
        )
    if info.refused:
        lines.append(f"skipped     {len(info.refused)} file(s) refused whole; each is read again when it changes:")
        lines += [f"            {refused.path}: {refused.reason}" for refused in info.refused[:LISTED_FILES]]
        if len(info.refused) > LISTED_FILES:
            lines.append(f"            … and {len(info.refused) - LISTED_FILES} more")
    for line in lines:
        echo_line(line)
