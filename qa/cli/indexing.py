"""`qa index` and `qa add`: keep the index in step with the corpus, and report what changed (text or --json)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qa.cli.common import (
    BackendOption,
    CorpusOption,
    IndexOption,
    MilvusUriOption,
    app,
    settings_from,
    user_location,
)
from qa.cli.output import echo_line, write_json
from qa.cli.progress_display import Progress
from qa.dates import DateOrder
from qa.errors import QAError, UsageError
from qa.locations import user_path

if TYPE_CHECKING:
    from qa.config import Settings
    from qa.store.build import SyncReport

QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print only problems.")]
NoWaitOption = Annotated[
    bool,
    typer.Option("--no-wait", help="Fail at once if another qa process is writing the index, instead of waiting."),
]
JsonReportOption = Annotated[
    bool,
    typer.Option("--json", help="Print the report as one JSON document (fields in the README) instead of text."),
]
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
    as_json: JsonReportOption = False,
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
            f"The corpus folder {user_path(settings.corpus_dir)} does not exist. Add articles with "
            "`qa add FILE…`, or point --corpus, QA_CORPUS or `qa config set corpus FOLDER` at yours."
        )
    with Progress(settings, quiet=quiet) as on_progress:
        report = Engine(settings).build_index(
            rebuild=rebuild,
            on_progress=on_progress,
            wait=not no_wait,
            follow_symlinks=follow_symlinks,
            allow_empty=allow_empty,
        )
    print_report(report, settings, quiet=quiet, as_json=as_json)
    exit_for(report)


@app.command()
def add(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Article files or folders to copy into the corpus.", metavar="PATH…", show_default=False),
    ],
    outlet: Annotated[
        str | None, typer.Option("--outlet", metavar="OUTLET", help="Outlet of every added article.")
    ] = None,
    date: Annotated[
        str | None,
        typer.Option("--date", metavar="DATE", help="Publication date of every added article (YYYY-MM-DD)."),
    ] = None,
    url: Annotated[str | None, typer.Option("--url", metavar="URL", help="Address of the added article.")] = None,
    title: Annotated[str | None, typer.Option("--title", metavar="TITLE", help="Title of the added article.")] = None,
    field_map: Annotated[
        str | None,
        typer.Option(
            "--map",
            metavar="FIELD=PATH,…",
            help="Fields of JSON/CSV records, e.g. text=body,outlet=source.name,date=published_at.",
        ),
    ] = None,
    date_order: Annotated[
        DateOrder | None,
        typer.Option(
            "--date-order",
            metavar="DMY|MDY",
            case_sensitive=False,
            help="How to read numeric dates such as 03/04/2024 in the files: DMY (3 April) or MDY (4 March).",
        ),
    ] = None,
    follow_symlinks: FollowSymlinksOption = False,
    quiet: QuietOption = False,
    no_wait: NoWaitOption = False,
    as_json: JsonReportOption = False,
    corpus: CorpusOption = None,
    index: IndexOption = None,
    backend: BackendOption = None,
    milvus_uri: MilvusUriOption = None,
) -> None:
    """Copy files into the corpus and index them in one step.

    Flags apply to every added article and are kept beside the copies for later `qa index` runs.
    A file that cannot be read as an article is reported and not copied.

    Exit codes: 0 every file went in; 3 finished, but some files were skipped (each named on
    stderr); 1 error; 2 usage error.
    """
    from qa.engine import Engine

    missing = [path for path in paths if not path.exists()]
    if missing:
        raise UsageError(f"No such file or folder: {', '.join(map(user_path, missing))}")
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
    print_report(report, settings, quiet=quiet, as_json=as_json)
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


def print_report(report: SyncReport, settings: Settings, *, quiet: bool, as_json: bool = False) -> None:
    """Skipped files and problems on stderr; unless quiet, what changed on stdout (as JSON with `as_json`).

    Each line names a file and may quote its content: printed as one line, controls shown.
    """
    corpus = user_path(settings.corpus_dir)
    for skipped in report.skipped:
        echo_line(f"skipped {user_path(settings.corpus_dir / skipped.path)}: {skipped.reason}", err=True)
    for problem in report.problems:
        echo_line(f"problem in {user_path(settings.corpus_dir / problem.path)}: {problem.reason}", err=True)
    if as_json:
        from qa.cli.reports import index_report

        write_json(index_report(report, settings).model_dump_json(indent=2))
        return
    if quiet:
        return
    if not (report.changed or report.unchanged or report.skipped or report.still_refused):
        echo_line(f"The corpus {corpus} has no article files; the index is empty.")
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
    if report.folded:
        skipped += f", {len(report.folded)} copies of stories kept once"
    if report.still_refused:
        skipped += f", {report.still_refused} still skipped as before (unchanged; `qa status` lists them)"
    resumed = (
        f" ({report.resumed_passages} of them embedded by an earlier interrupted run)"
        if report.resumed_passages
        else ""
    )
    echo_line(
        f"Indexed {corpus} into {user_location(settings)}: {len(report.added)} new, "
        f"{len(report.updated)} changed, {len(report.removed)} removed, {report.unchanged} unchanged "
        f"files{skipped}; {report.articles} articles, {report.passages} passages embedded{resumed} "
        f"in {report.seconds:.1f} s."
    )


def exit_for(report: SyncReport) -> None:
    """Exit with SKIPPED_EXIT_CODE when any file was skipped whole; return (exit 0) when all went in."""
    if report.skipped:
        raise typer.Exit(SKIPPED_EXIT_CODE)
