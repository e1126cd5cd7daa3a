"""The `--json` reports of `qa index`, `qa add`, `qa status` and `qa outlets`: a stable format for scripts.

Each report is one JSON document on stdout, an instance of the model here (the README shows
them). `report_version` changes only when a field changes meaning or goes away; new fields may be
added. Paths are absolute (scripts run from anywhere); files in the corpus are named relative to
it, as `qa index` prints them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

if TYPE_CHECKING:
    from qa.config import Settings
    from qa.store.build import SkippedFile, SyncReport
    from qa.store.records import IndexStatus, OutletSummary

REPORT_VERSION = 1
UNKNOWN_ROW = "unknown"
"""The name of the outlets report's row of articles without an outlet."""


class FileNote(BaseModel):
    """A file and what happened to it."""

    path: str
    """Relative to the corpus; for a file given to `qa add` and refused, as it was given."""
    reason: str


class IndexReport(BaseModel):
    """What one `qa index` or `qa add` run did (`--json`)."""

    report_version: Literal[1] = REPORT_VERSION
    corpus: str
    """The corpus folder, absolute."""
    index: str
    """The index folder (absolute), or the Milvus URI."""
    added: list[str]
    """Files new to the index."""
    updated: list[str]
    """Files whose content changed."""
    removed: list[str]
    """Files gone from the corpus, and so from the index."""
    unchanged: int
    """Files already indexed as they are."""
    skipped: list[FileNote]
    """Files left out whole (exit code 3): not readable as an article, bad metadata, links out of the corpus."""
    folded: list[FileNote]
    """Copies of a story kept once, under the original's "also published by"; not errors."""
    problems: list[FileNote]
    """Problems in files that were otherwise indexed: a record left out, a value left unknown."""
    articles: int
    """Articles embedded by this run."""
    passages: int
    """Passages embedded by this run (or by an interrupted run it finished)."""
    resumed_passages: int
    """Of those, passages an earlier interrupted run had embedded."""
    still_skipped: int
    """Files skipped by an earlier run and unchanged since: not read or reported again (`qa status` lists them)."""
    seconds: float


class IndexCounts(BaseModel):
    """What the index holds."""

    files: int
    articles: int
    articles_without_outlet: int
    articles_without_date: int
    passages: int


class StatusReport(BaseModel):
    """What the index holds and what built it (`qa status --json`)."""

    report_version: Literal[1] = REPORT_VERSION
    index: str
    """The index folder (absolute), or the Milvus URI."""
    backend: Literal["embedded", "milvus"]
    corpus: str
    """The corpus folder, absolute."""
    corpus_found: bool
    """False when the corpus folder is missing (an unmounted share?): `stale` is then unknown."""
    model: str | None
    """The embedding model of the indexed passages; None before the first build."""
    dimension: int | None
    embedded_by: str | None
    """How the passages were embedded ("onnxruntime, float32"); None for an index built before this was recorded."""
    built_at: str | None
    """When the last build was published (ISO 8601), None if never."""
    counts: IndexCounts
    search: str
    """How dense search runs, in words: "exact", "approximate (IVF)", "Milvus HNSW"."""
    approximate: bool
    generation: int
    """Increases with every published build."""
    stale: list[str] | None
    """Corpus files new, changed or removed since the last build (run `qa index`); None when the corpus is missing."""
    staged_passages: int
    """Passages embedded by an interrupted build, used by the next `qa index`."""
    skipped: list[FileNote]
    """Corpus files refused whole by the builds, with why; each is read again when it changes."""


class OutletRow(BaseModel):
    """One outlet and what the index holds of it."""

    outlet: str
    """The outlet as articles cite it; "unknown" for the articles with no known outlet (`known` false)."""
    known: bool
    """False for the one row of articles without an outlet."""
    articles: int
    """Articles cited to this outlet; a story carried by another site ("AP via HuffPost") counts for its outlet."""
    undated: int
    """Of those, articles without a date."""
    earliest: dt.date | None
    """The earliest published day of its dated articles (ISO 8601); None when none is dated."""
    latest: dt.date | None


class OutletsReport(BaseModel):
    """Each outlet the index holds (`qa outlets --json`), most articles first, then by name."""

    report_version: Literal[1] = REPORT_VERSION
    index: str
    """The index folder (absolute), or the Milvus URI."""
    outlets: list[OutletRow]


def outlets_report(outlets: list[OutletSummary], settings: Settings) -> OutletsReport:
    return OutletsReport(
        index=settings.index_location,
        outlets=[
            OutletRow(
                outlet=each.outlet if each.outlet is not None else UNKNOWN_ROW,
                known=each.outlet is not None,
                articles=each.articles,
                undated=each.undated,
                earliest=each.earliest,
                latest=each.latest,
            )
            for each in outlets
        ],
    )


def index_report(report: SyncReport, settings: Settings) -> IndexReport:
    return IndexReport(
        corpus=str(settings.corpus_dir),
        index=settings.index_location,
        added=report.added,
        updated=report.updated,
        removed=report.removed,
        unchanged=report.unchanged,
        skipped=_notes(report.skipped),
        folded=_notes(report.folded),
        problems=_notes(report.problems),
        articles=report.articles,
        passages=report.passages,
        resumed_passages=report.resumed_passages,
        still_skipped=report.still_refused,
        seconds=round(report.seconds, 3),
    )


def status_report(info: IndexStatus, settings: Settings, stale: list[str] | None) -> StatusReport:
    counts = info.counts
    return StatusReport(
        index=info.location,
        backend=settings.backend,
        corpus=str(settings.corpus_dir),
        corpus_found=stale is not None,
        model=info.model,
        dimension=info.dimension,
        embedded_by=info.document_encoder,
        built_at=info.built_at,
        counts=IndexCounts(
            files=counts.files,
            articles=counts.articles,
            articles_without_outlet=counts.articles_without_outlet,
            articles_without_date=counts.articles_without_date,
            passages=counts.passages,
        ),
        search=info.search,
        approximate=info.approximate,
        generation=info.generation,
        stale=stale,
        staged_passages=info.staged_passages,
        skipped=[FileNote(path=refused.path, reason=refused.reason) for refused in info.refused],
    )


def _notes(files: list[SkippedFile]) -> list[FileNote]:
    return [FileNote(path=file.path, reason=file.reason) for file in files]
