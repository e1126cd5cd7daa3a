"""Questions asked before, kept between runs, walked with up/down like a shell history."""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

MAX_ENTRIES = 500
"""Older questions are dropped when the file is rewritten."""


class QuestionHistory:
    """One question per line in a text file; the newest last. A cursor walks it from the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries = self._load()
        self._cursor = len(self.entries)
        self._draft = ""

    def _load(self) -> list[str]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        except OSError as error:
            log.warning("cannot read the question history %s: %s", self.path, error)
            return []
        return [line for line in lines if line.strip()][-MAX_ENTRIES:]

    def add(self, question: str) -> None:
        """Remember a question (a repeat of the last one is not stored twice) and save the file."""
        question = " ".join(question.split())
        if question and (not self.entries or self.entries[-1] != question):
            self.entries.append(question)
            del self.entries[:-MAX_ENTRIES]
            self._save()
        self._cursor = len(self.entries)
        self._draft = ""

    def _save(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(self.path.name + ".tmp")
            temporary.write_text("\n".join(self.entries) + "\n", encoding="utf-8")
            temporary.replace(self.path)
        except OSError as error:
            # Losing the history must never stop anyone from asking questions.
            log.warning("cannot save the question history to %s: %s", self.path, error)

    def previous(self, current: str) -> str | None:
        """The question before the cursor, or None at the oldest; `current` is kept as a draft."""
        if self._cursor == 0:
            return None
        if self._cursor == len(self.entries):
            self._draft = current
        self._cursor -= 1
        return self.entries[self._cursor]

    def next(self) -> str | None:
        """The question after the cursor, the draft past the newest, None when already there."""
        if self._cursor >= len(self.entries):
            return None
        self._cursor += 1
        return self.entries[self._cursor] if self._cursor < len(self.entries) else self._draft
