"""Where the chat keeps its own files; functions, so tests and users can point them elsewhere."""

from __future__ import annotations

import os
from pathlib import Path


def state_dir() -> Path:
    """`$XDG_STATE_HOME/qa`, else `~/.local/state/qa`: per-user state that is not configuration."""
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "qa"


def history_path() -> Path:
    """The question history file: `QA_HISTORY` if set, else `chat-history` in the state directory."""
    override = os.environ.get("QA_HISTORY")
    return Path(override) if override else state_dir() / "chat-history"
