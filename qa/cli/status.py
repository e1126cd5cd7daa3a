"""`qa status`: what the index holds, what built it, and which corpus files it does not reflect yet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from qa.cli.common import BackendOption, CorpusOption, IndexOption, MilvusUriOption, app, settings_from, user_location
from qa.cli.indexing import LISTED_FILES
from qa.cli.output import echo_line, write_json
from qa.locations import user_path

if TYPE_CHECKING:
    from qa.cli.reports import StatusReport


@app.command()
def status(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON document (fields in the README) instead of text.")
    ] = False,
    corpus: CorpusOption = None,
    index: IndexOption = None,
    backend: BackendOption = None,
    milvus_uri: MilvusUriOption = None,
) -> None:
    """Show what the index holds, what built it, and which corpus files are not indexed yet."""
    from qa.cli.reports import status_report
    from qa.engine import Engine

    settings = settings_from(corpus, index, backend, milvus_uri)
    engine = Engine(settings)
    try:
        info = engine.status()
        stale = engine.stale_files() if settings.corpus_dir.is_dir() else None
    finally:
        engine.close()
    report = status_report(info, settings, stale)
    if as_json:
        write_json(report.model_dump_json(indent=2))
        return
    for line in _lines(report, index_shown=user_location(settings)):
        echo_line(line)


def _unknown_embedder(report: StatusReport) -> str:
    """An index holding no passage was embedded by nothing; only an old one may not have recorded by what."""
    return "nothing yet" if not report.counts.passages else "unknown (index built before this was recorded)"


def _lines(report: StatusReport, *, index_shown: str) -> list[str]:
    counts = report.counts
    corpus = user_path(report.corpus)
    lines = [
        f"index       {index_shown}",
        f"corpus      {corpus}",
        f"model       {report.model} ({report.dimension} dimensions)" if report.model else "model       none yet",
        f"embedded by {report.embedded_by or _unknown_embedder(report)}",
        f"last build  {report.built_at or 'never'}",
        f"files       {counts.files}",
        f"articles    {counts.articles} "
        f"({counts.articles_without_outlet} without outlet, {counts.articles_without_date} undated)",
        f"passages    {counts.passages}",
        f"search      {report.search}, generation {report.generation}",
    ]
    stale = report.stale
    if stale is None:
        lines.append(
            f"stale       unknown: the corpus folder {corpus} is missing (not mounted?); "
            "`qa index` refuses to run until it is back"
        )
    else:
        lines.append(
            f"stale       {len(stale)} file(s) new, changed or removed since the last build"
            + (": run `qa index`" if stale else "")
        )
        lines += [f"            {path}" for path in stale[:LISTED_FILES]]
        if len(stale) > LISTED_FILES:
            lines.append(f"            … and {len(stale) - LISTED_FILES} more")
    if report.staged_passages:
        lines.append(
            f"unfinished  {report.staged_passages} passages embedded by an interrupted build: "
            "run `qa index` to finish it"
        )
    if report.skipped:
        lines.append(f"skipped     {len(report.skipped)} file(s) refused whole; each is read again when it changes:")
        lines += [f"            {refused.path}: {refused.reason}" for refused in report.skipped[:LISTED_FILES]]
        if len(report.skipped) > LISTED_FILES:
            lines.append(f"            … and {len(report.skipped) - LISTED_FILES} more")
    return lines
