"""List the files under a folder without leaving it: a symbolic link out of the folder is reported, not read.

Articles come from the open web and archives are shared, so a link in the corpus (or in a folder
given to `qa add`) may point anywhere on the machine: `/etc/passwd`, another user's notes. Such a
link is listed in `Walk.outside` and left alone unless the user asks to follow links. A link to a
folder inside the tree is never followed (that folder is walked where it is, so following it
would only list its files twice); a followed folder is walked once, so link loops end.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Walk:
    """What a walk found under its root."""

    files: list[Path] = field(default_factory=list)
    """Regular files, and links to files, reached without leaving the root (or by a link followed on request)."""
    outside: list[Path] = field(default_factory=list)
    """Links (to a file or a folder) whose target is outside the root: not followed."""
    undecodable: list[Path] = field(default_factory=list)
    """Files and folders whose name is not valid UTF-8 (an old archive's Latin-1 `café.txt`): not read, since
    the index keeps names as text and cannot store them; a folder's files are left with it."""


def walk_files(root: Path, *, follow_symlinks: bool = False) -> Walk:
    """Every non-hidden file under `root`, in a stable order, without following a link out of it unless asked.

    Broken links and folders that cannot be listed yield nothing. Paths keep the names they were found
    under (a followed link's files are listed below the link).
    """
    found = Walk()
    top = os.path.realpath(root)
    walked = {top}
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            continue
        folders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            if not _decodable(entry.name):
                found.undecodable.append(path)
                continue
            if not entry.is_symlink():
                if entry.is_dir(follow_symlinks=False):
                    folders.append(path)
                elif entry.is_file(follow_symlinks=False):
                    found.files.append(path)
                continue
            target = os.path.realpath(path)
            inside = is_within(target, top)
            if os.path.isdir(target):
                if inside:
                    continue  # walked where it is
                if not follow_symlinks:
                    found.outside.append(path)
                elif target not in walked:
                    walked.add(target)
                    folders.append(path)
            elif os.path.isfile(target):
                (found.files if inside or follow_symlinks else found.outside).append(path)
        pending.extend(reversed(folders))
    found.files.sort()
    found.outside.sort()
    found.undecodable.sort()
    return found


def _decodable(name: str) -> bool:
    """Whether a name read from the file system was valid UTF-8 (undecodable bytes come back as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown_name(path: Path | str) -> str:
    """A path as text that can be printed and stored: bytes that are not UTF-8 are shown escaped (`caf\\xe9.txt`)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def is_within(path: str, folder: str) -> bool:
    """Whether the resolved `path` is `folder` or below it (both resolved)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
