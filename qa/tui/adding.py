"""What the chat says once files are added: counts, and the files it could not use, named. No UI here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qa.printable import printable_line
from qa.tui.wording import counted

if TYPE_CHECKING:
    from qa.store.build import SyncReport

NAMED_SKIPS = 10
"""Skipped files named in the notice; more are counted. A toast is read at a glance, and a folder
of 10,000 bad files must not become a 10,000-line toast (`qa index` in a shell lists them all)."""


def added_message(report: SyncReport, passages: int) -> str:
    """`Added 2 files, updated none; skipped 1: a/scan.txt (binary). Ready · 15 passages indexed`."""
    skipped = ""
    if report.skipped:
        named = "; ".join(f"{printable_line(item.path)} ({item.reason})" for item in report.skipped[:NAMED_SKIPS])
        more = len(report.skipped) - NAMED_SKIPS
        skipped = f"; skipped {len(report.skipped)}: {named}" + (f"; and {more:,} more" if more > 0 else "")
    return (
        f"Added {counted(len(report.added), 'file')}, updated {len(report.updated) or 'none'}{skipped}. "
        f"Ready \u00b7 {counted(passages, 'passage')} indexed"
    )
