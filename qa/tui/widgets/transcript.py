"""The scrolling list of questions and answers."""

from __future__ import annotations

from textual.containers import VerticalScroll


class Transcript(VerticalScroll, can_focus=False):
    """Not focusable itself, so Tab from the question goes straight to the first answer card."""
