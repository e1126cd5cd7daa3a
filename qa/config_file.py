"""The config file (`config.toml`): flat `key = "value"` lines, read forgivingly and edited line by line.

A hand-edited file may hold a typo. Each problem (a line that is not TOML, an unknown key, a value
that is not text) becomes one `ConfigProblem` naming the file, line and key, and every other line
still counts: a command never stops over its config file. Setting a value rewrites only that
key's line, so the user's comments and order stay.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from qa.locations import user_path

MAX_CONFIG_BYTES = 64 * 1024
"""A config file is a few lines; anything bigger is not one (and is not read whole into memory)."""


@dataclass(frozen=True)
class ConfigProblem:
    """Something in the config file that was ignored, and why: shown as one line."""

    file: Path
    line: int | None
    """From 1; None when the file as a whole could not be read."""
    key: str | None
    message: str

    def __str__(self) -> str:
        where = user_path(self.file) + (f", line {self.line}" if self.line else "")
        return f"{where}" + (f", key {self.key}" if self.key else "") + f": {self.message}"


@dataclass(frozen=True)
class ConfigEntry:
    value: str
    line: int


@dataclass
class StoredConfig:
    """What the config file says: each usable key's value and line, and what was ignored."""

    values: dict[str, ConfigEntry] = field(default_factory=dict)
    problems: list[ConfigProblem] = field(default_factory=list)


_KEY_AT_LINE_START = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")
_TABLE_HEADER = re.compile(r"^\s*\[+\s*([^\]]*?)\s*\]+\s*(#.*)?$")


def read_config(path: Path, *, known: tuple[str, ...]) -> StoredConfig:
    """The file's usable settings among `known` keys; a missing file is an empty config, not a problem."""
    stored = StoredConfig()
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return stored
    except OSError as error:
        stored.problems.append(ConfigProblem(path, None, None, f"cannot be read ({error.strerror or error}); ignored"))
        return stored
    if len(raw) > MAX_CONFIG_BYTES:
        stored.problems.append(ConfigProblem(path, None, None, f"is over {MAX_CONFIG_BYTES // 1024} KB; ignored"))
        return stored
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        stored.problems.append(ConfigProblem(path, line, None, "is not UTF-8 text; the file is ignored"))
        return stored
    lines = text.splitlines()
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        document = None
    if document is not None:
        for key, value in document.items():
            _take(stored, path, known, key, value, _line_of(lines, key))
        return stored
    # Not TOML as a whole: read it line by line, so one bad line costs only itself.
    in_table: str | None = None
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        header = _TABLE_HEADER.match(line)
        if header:
            in_table = header.group(1)
            _take(stored, path, known, in_table, {}, number)
            continue
        if in_table is not None:
            continue  # inside a table named as a problem already
        try:
            parsed = tomllib.loads(line)
        except tomllib.TOMLDecodeError as error:
            reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)$", "", str(error))
            stored.problems.append(
                ConfigProblem(path, number, _key_in(line), f"is not TOML ({reason.lower()}); line ignored")
            )
            continue
        for key, value in parsed.items():
            _take(stored, path, known, key, value, number)
    return stored


def _take(stored: StoredConfig, path: Path, known: tuple[str, ...], key: str, value: object, line: int | None) -> None:
    if key not in known:
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        stored.problems.append(
            ConfigProblem(path, line, key, f"unknown key ({hint}known: {', '.join(known)}); ignored")
        )
    elif not isinstance(value, str):
        stored.problems.append(ConfigProblem(path, line, key, f'should be text in quotes, e.g. {key} = "…"; ignored'))
    else:
        stored.values[key] = ConfigEntry(value, line or 0)


def _key_in(line: str) -> str | None:
    match = _KEY_AT_LINE_START.match(line)
    return next((group for group in match.groups() if group is not None), None) if match else None


def _line_of(lines: list[str], key: str) -> int | None:
    """The line (from 1) where a top-level key or table is written."""
    for number, line in enumerate(lines, start=1):
        header = _TABLE_HEADER.match(line)
        if _key_in(line) == key or (header and header.group(1).split(".")[0].strip("\"' ") == key):
            return number
    return None


def set_config_value(path: Path, key: str, value: str) -> None:
    """Write `key = "value"` into the file: in place of the key's line(s) if present, else at the end.

    The folder and file are created when missing; other lines are kept as they are.
    """
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    assignment = f"{key} = {toml_string(value)}"
    lines = text.splitlines()
    kept: list[str] = []
    written = False
    for line in lines:
        if _key_in(line) == key and not _inside_table(kept):
            if not written:
                kept.append(assignment)
                written = True
            continue
        kept.append(line)
    if not written:
        first_table = next((i for i, line in enumerate(kept) if _TABLE_HEADER.match(line)), len(kept))
        kept.insert(first_table, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    _replace(path, "\n".join(kept) + "\n")


def unset_config_value(path: Path, key: str) -> bool:
    """Remove the key's line(s); False when the file did not set it."""
    if not path.is_file():
        return False
    lines = path.read_text(encoding="utf-8").splitlines()
    kept: list[str] = []
    for line in lines:
        if _key_in(line) == key and not _inside_table(kept):
            continue
        kept.append(line)
    if len(kept) == len(lines):
        return False
    _replace(path, "\n".join(kept) + ("\n" if kept else ""))
    return True


def _inside_table(previous_lines: list[str]) -> bool:
    return any(_TABLE_HEADER.match(line) for line in previous_lines)


def _replace(path: Path, text: str) -> None:
    """Write through a temporary file and rename, so a crash never leaves half a config file."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def toml_string(value: str) -> str:
    """`value` as a TOML basic string: quotes, backslashes and control characters escaped."""
    escaped = []
    for character in value:
        if character in '"\\':
            escaped.append("\\" + character)
        elif ord(character) < 0x20 or ord(character) == 0x7F:
            escaped.append(f"\\u{ord(character):04x}")
        else:
            escaped.append(character)
    return '"' + "".join(escaped) + '"'
