"""Milvus filter expressions: lists, dates as numbers, the committed generation's rows, and paging of long lists."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

PAGE = 1_000
"""Rows per page when reading a whole collection, and values per `in [...]` filter."""
UNDATED = 0
"""`published` of an article without a date, as an integer YYYYMMDD."""

T = TypeVar("T")


def pages(values: Sequence[T], size: int = PAGE) -> Iterator[Sequence[T]]:
    """`values` in slices of at most `size`: a filter's `in [...]` list stays short enough for Milvus."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def expression_list(values: Iterable[object]) -> str:
    """Values as a list literal of Milvus's filter expressions (JSON's syntax, quotes escaped)."""
    return json.dumps(list(values), ensure_ascii=False)


def quoted(value: str) -> str:
    """A string literal of Milvus's filter expressions."""
    return json.dumps(value, ensure_ascii=False)


def date_number(date: dt.date | None) -> int:
    return date.year * 10_000 + date.month * 100 + date.day if date else UNDATED


def date_of(number: int) -> dt.date | None:
    return None if number == UNDATED else dt.date(number // 10_000, number // 100 % 100, number % 100)


@dataclass
class State:
    """The committed generation: what readers see (see qa/store/milvus/records.py)."""

    generation: int = 0
    floor: int = 0
    cleanup: list[str] = field(default_factory=list)

    def visible(self) -> str:
        """A filter expression for the rows of this generation."""
        expression = f"born >= {self.floor} and born <= {self.generation}"
        if self.cleanup:
            expression += f" and not (born < {self.generation} and source_path in {expression_list(self.cleanup)})"
        return expression
