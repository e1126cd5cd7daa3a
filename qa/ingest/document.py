"""What a format reader hands back: clean text plus the metadata claims it found, and any problems."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from qa.ingest.bounds import Problems
from qa.ingest.metadata import Candidate


@dataclass
class Document:
    """One article as read from a file, before metadata precedence is applied."""

    text: str
    candidates: list[Candidate] = field(default_factory=list)
    where: str | None = None
    """The record within a multi-article file ("line 12", "record 3"); None for a one-article file."""


@dataclass
class Reading:
    """Everything a reader got from one file's text."""

    documents: Iterable[Document] = field(default_factory=list)
    """Record readers make them lazily, one per record, so take them once, in order."""
    problems: Problems = field(default_factory=Problems)
    """Per record that could not be read: where, what is wrong, what to do (bounded per file)."""
