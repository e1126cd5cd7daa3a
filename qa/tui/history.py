"""Questions asked before, kept between runs, walked with up/down like a shell history."""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

MAX_ENTRIES = 500
"""Older questions are dropped when the file is rewritten."""
MAX_BYTES = 1 << 20
"""Only the file's last MiB is read: 500 questions fit in it many times over, and a huge file cannot stall the start."""


class QuestionHistory:
    """One question per line in a text file; the newest last. A cursor walks it from the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries = self._load()
        self._cursor = len(self.entries)
        self._draft = ""

    def _load(self) -> list[str]:
        """The questions in the file; whatever is in it (bad UTF-8, a folder, a device) never stops the chat."""
        try:
            if not self.path.is_file():  # missing, or a folder, pipe or device that would block or never end
                return []
            with self.path.open("rb") as file:
                size = file.seek(0, os.SEEK_END)
                file.seek(max(0, size - MAX_BYTES))
                data = file.read(MAX_BYTES)
        except OSError as error:
            log.warning("cannot read the question history %s: %s", self.path, error)
            return []
        # Split on newlines only: str.splitlines would also split inside a question at \x1c or \x85.
        lines = data.decode("utf-8", errors="replace").split("\n")
        if size > MAX_BYTES:
            lines = lines[1:]  # the first line was cut by the seek
        return [line.rstrip("\r") for line in lines if line.strip()][-MAX_ENTRIES:]

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
