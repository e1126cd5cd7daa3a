"""`qa outlets`: which outlets the index holds, how many articles of each, and over which days."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from qa.cli.common import BackendOption, CorpusOption, IndexOption, MilvusUriOption, app, settings_from
from qa.cli.output import echo_line, write_json

if TYPE_CHECKING:
    from qa.cli.reports import OutletsReport


@app.command()
def outlets(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON document (fields in the README) instead of text.")
    ] = False,
    corpus: CorpusOption = None,
    index: IndexOption = None,
    backend: BackendOption = None,
    milvus_uri: MilvusUriOption = None,
) -> None:
    """List each outlet in the index with its article count and date range, most articles first.

    An article is counted under the outlet it is cited to, not the site that carried it ("Associated
    Press via HuffPost" counts for Associated Press); `qa ask --outlet` matches that outlet, ignoring
    case, accents and a leading "The".
    """
    from qa.cli.reports import outlets_report
    from qa.engine import Engine

    settings = settings_from(corpus, index, backend, milvus_uri)
    engine = Engine(settings)
    try:
        summaries = engine.outlets()
    finally:
        engine.close()
    report = outlets_report(summaries, settings)
    if as_json:
        write_json(report.model_dump_json(indent=2))
        return
    for line in _lines(report):
        echo_line(line)


def _lines(report: OutletsReport) -> list[str]:
    """One line per outlet: `  12  Reuters  3 Jan 2024 – 9 Feb 2025 (2 undated)`, names aligned."""
    from qa.models import format_date

    if not report.outlets:
        return ["The index holds no articles yet: run `qa add` or `qa index`."]
    width = max(len(row.outlet) for row in report.outlets)
    count_width = max(len(str(row.articles)) for row in report.outlets)
    lines = []
    for row in report.outlets:
        span = "undated"
        if row.earliest is not None and row.latest is not None:
            span = format_date(row.earliest)
            if row.latest != row.earliest:
                span += f" – {format_date(row.latest)}"
            if row.undated:
                span += f" ({row.undated} undated)"
        lines.append(f"{row.articles:>{count_width}}  {row.outlet:<{width}}  {span}")
    return lines
