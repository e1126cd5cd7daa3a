"""Counts as people write them: `1 passage`, `3 passages`, `no passages`; never `0 passage(s)`. No UI here."""

from __future__ import annotations


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """`counted(1, "passage")` is `1 passage`; 0 is `no passages`; thousands get separators."""
    noun = singular if number == 1 else (plural or singular + "s")
    return f"no {noun}" if number == 0 else f"{number:,} {noun}"
