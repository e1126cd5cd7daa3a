"""Where a session export is written and how: a user folder, never the current folder. No UI here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from qa.models import Answer
from qa.tui.citing import session_markdown
from qa.tui.typed_paths import typed_path


def session_file_name(now: dt.datetime) -> str:
    return f"qa-session-{now:%Y%m%d-%H%M}.md"


def export_target(text: str, folder: Path) -> Path:
    """The file a typed answer names: `~/x.md` and `/x.md` as typed, a bare name or relative path inside `folder`.

    Relative paths are not taken from the current folder on purpose: the chat is often started in a
    git work tree, where a stray export gets committed. Type `./name.md` in full (`$PWD/name.md`) to want that.
    """
    path = typed_path(text)
    return path if path.is_absolute() else folder / path


def write_session(path: Path, answers: Sequence[Answer], *, exported: dt.datetime, folder: Path) -> None:
    """Write the session as Markdown to `path`; OSError says why it cannot.

    The export `folder` is made on first use; any other folder must exist (a typo is a notice, not a new folder).
    """
    if path.parent == folder:
        folder.mkdir(parents=True, exist_ok=True)
    path.write_text(session_markdown(answers, exported=exported), encoding="utf-8")
