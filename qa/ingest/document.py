"""What a format reader hands back: clean text plus the metadata claims it found."""

from __future__ import annotations

from dataclasses import dataclass, field

from qa.ingest.metadata import Candidate


@dataclass
class Document:
    """One article as read from a file, before metadata precedence is applied."""

    text: str
    candidates: list[Candidate] = field(default_factory=list)
