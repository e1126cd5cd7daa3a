"""Paths as typed in the chat's prompts, turned into `Path`s or a message saying what is wrong. No UI here."""

from __future__ import annotations

import shlex
from pathlib import Path

from qa.errors import UsageError


def typed_path(text: str) -> Path:
    """`text` with `~` expanded; UsageError when the home folder it names is unknown (`~nosuchuser/x`)."""
    try:
        return Path(text).expanduser()
    except RuntimeError as error:  # pathlib's "Could not determine home directory"
        raise UsageError(f"Cannot expand {text}: no such user's home folder. Type the full path.") from error


def typed_paths(text: str) -> list[Path]:
    """Space-separated paths, quoted like a shell (`'with space'`), each expanded; UsageError naming a bad one."""
    try:
        parts = shlex.split(text)
    except ValueError as error:  # an unclosed quote
        raise UsageError(f"Cannot read the paths: {error}. Quote a path with spaces in it.") from error
    return [typed_path(part) for part in parts]
