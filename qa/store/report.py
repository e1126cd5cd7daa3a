"""What a build tells its caller: progress as it goes, and what it changed, skipped and folded."""

from __future__ import annotations

from dataclasses import dataclass, field

from qa.models import UNKNOWN_OUTLET, format_date
from qa.progress import ProgressCallback
from qa.store.folding import Fold

__all__ = ["ProgressCallback", "SkippedFile", "SyncReport", "fold_reason"]


@dataclass
class SkippedFile:
    path: str
    reason: str


@dataclass
class SyncReport:
    """What one `qa index` run changed."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    folded: list[SkippedFile] = field(default_factory=list)
    """Copies of a story kept once (not errors: their text is in the index): listed under it as "also published
    by" when they name an outlet or URL of their own; an exact repeat (same outlet and date, or none named) adds
    nothing to list. A collection with repeated records (Reuters-21578 has 214) still exits 0."""
    still_refused: int = 0
    """Files refused whole by an earlier build and unchanged since: not reported again (`qa status` lists them)."""
    problems: list[SkippedFile] = field(default_factory=list)
    """Problems in files that were otherwise indexed, one line each: a record left out (a broken JSONL line) or a
    value left unknown (a date that names no day); each line says which."""
    articles: int = 0
    passages: int = 0
    resumed_passages: int = 0
    """Passages embedded by an earlier run that was cut short, published by this one."""
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def fold_reason(fold: Fold) -> str:
    """`same article text as a.txt`, or `folded as a syndicated copy of a.txt (also published by X, 12 Feb 2024)`.

    In an export of many articles, both the copy and the original are named by their line.
    """
    if fold.listings:
        shown = ", ".join(f"{s.outlet or UNKNOWN_OUTLET}, {format_date(s.published)}" for s in fold.listings)
        reason = f"folded as a syndicated copy of {fold.original_location} (also published by {shown})"
    elif fold.same_text:
        reason = f"same article text as {fold.original_location}"
    elif fold.unlisted.outlet is None and fold.unlisted.url is None:
        reason = f"same story as {fold.original_location}, with no outlet or URL of its own: kept once"
    else:
        reason = f"same story as {fold.original_location}, from the same outlet and date: kept once"
    return f"{fold.copy.place}: {reason}" if fold.copy.place else reason
