"""The plain baseline `qa eval --answers` compares against: stdlib SQLite FTS5 BM25 over fixed word windows.

Each article's text is cut into windows of a fixed number of words, overlapping by a quarter (stride 3/4 of
the window), and indexed in an in-memory FTS5 table with its default tokenizer. A question becomes an OR of
its words, each quoted, and the windows come back best BM25 first. Nothing here abstains: a question that
shares a word with some window always gets hits. This is deliberately the twenty-line search anyone could
write, so that `qa` is measured against it at equal reading cost (the window as long as a `qa` hit's mean).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

STRIDE_SHARE = 0.75
"""Windows start every 3/4 of a window: a quarter of each overlaps the next, so an answer cut by one
window's end is whole in the next."""
_QUESTION_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class WindowShape:
    """How articles are cut: `words` per window, a new window every `stride` words."""

    words: int
    stride: int

    @classmethod
    def of_length(cls, words: int) -> WindowShape:
        words = max(1, words)
        return cls(words=words, stride=max(1, round(words * STRIDE_SHARE)))


def windows(text: str, shape: WindowShape) -> list[str]:
    """The article's words in windows of `shape.words`, one every `shape.stride` words, joined by single spaces.

    The last window ends at the article's end (it may start less than a stride after the one before), so
    every word is in some window and no window is shorter than the article allows.
    """
    words = text.split()
    if len(words) <= shape.words:
        return [" ".join(words)] if words else []
    starts = list(range(0, len(words) - shape.words + 1, shape.stride))
    if starts[-1] + shape.words < len(words):
        starts.append(len(words) - shape.words)
    return [" ".join(words[start : start + shape.words]) for start in starts]


def fts_query(question: str) -> str | None:
    """Every word of the question, quoted (so no word is read as FTS5 syntax), joined by OR; None without words."""
    words = dict.fromkeys(word.casefold() for word in _QUESTION_WORD.findall(question))
    return " OR ".join(f'"{word}"' for word in words) or None


class WindowIndex:
    """An in-memory FTS5 table of fixed windows: built once per run, searched per question."""

    def __init__(self, shape: WindowShape) -> None:
        self.shape = shape
        self.windows = 0
        self._db = sqlite3.connect(":memory:")
        self._db.execute("CREATE VIRTUAL TABLE windows USING fts5(text)")

    def add(self, texts: Iterable[str]) -> None:
        """Cut each article text into windows and index them."""
        rows = [(window,) for text in texts for window in windows(text, self.shape)]
        with self._db:
            self._db.executemany("INSERT INTO windows (text) VALUES (?)", rows)
        self.windows += len(rows)

    def search(self, question: str, limit: int) -> list[str]:
        """The texts of the `limit` best windows for the question, best BM25 first."""
        query = fts_query(question)
        if query is None:
            return []
        rows = self._db.execute(
            "SELECT text FROM windows WHERE windows MATCH ? ORDER BY bm25(windows) LIMIT ?", (query, limit)
        )
        return [text for (text,) in rows]

    def close(self) -> None:
        self._db.close()
