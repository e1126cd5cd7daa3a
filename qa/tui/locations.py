"""Where the chat keeps its own files; functions, so tests and users can point them elsewhere."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def state_dir() -> Path:
    """`$XDG_STATE_HOME/qa`, else `~/.local/state/qa`: per-user state that is not configuration."""
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "qa"


def history_path() -> Path:
    """The question history file: `QA_HISTORY` if set, else `chat-history` in the state directory."""
    override = os.environ.get("QA_HISTORY")
    return Path(override) if override else state_dir() / "chat-history"


def export_dir() -> Path:
    """Where session exports go: `QA_EXPORT_DIR` if set, else `qa` in the user's documents folder.

    Never the current folder: the chat is often started inside a git work tree, and an export
    there ends up committed by accident. A name typed without a folder lands here too.
    """
    override = os.environ.get("QA_EXPORT_DIR")
    if override:
        return Path(override).expanduser().absolute()
    return Path(platformdirs.user_documents_dir()) / "qa"


def full_path(path: Path) -> str:
    """A path as the user can type it back from any folder: absolute, `~` expanded."""
    return str(path.expanduser().absolute())
