"""Where qa keeps things, as functions tests can override, and paths written so users can use them.

The defaults follow the platform (platformdirs), so `qa` works from any folder: the archive (corpus
and index) in the user data folder, `config.toml` in the user config folder. QA_DATA_DIR and
QA_CONFIG_DIR move them (tests, several setups side by side), as llm's LLM_USER_PATH does.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "qa"
CONFIG_DIR_ENV = "QA_CONFIG_DIR"
DATA_DIR_ENV = "QA_DATA_DIR"
CONFIG_FILE_NAME = "config.toml"


def config_dir() -> Path:
    """The folder of `config.toml`: QA_CONFIG_DIR, or the platform's (`~/.config/qa` on Linux)."""
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        return absolute_path(override)
    import platformdirs

    return platformdirs.user_config_path(APP_NAME)


def data_dir() -> Path:
    """The folder of the default archive: QA_DATA_DIR, or the platform's (`~/.local/share/qa` on Linux)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return absolute_path(override)
    import platformdirs

    return platformdirs.user_data_path(APP_NAME)


def cache_dir() -> Path:
    """The folder of what qa can make again (the ONNX export of each model): the platform's user cache
    folder (`$XDG_CACHE_HOME/qa`, by default `~/.cache/qa`, on Linux)."""
    import platformdirs

    return platformdirs.user_cache_path(APP_NAME)


def config_file() -> Path:
    return config_dir() / CONFIG_FILE_NAME


def absolute_path(value: str | Path, *, relative_to: Path | None = None) -> Path:
    """`value` with `~` expanded, made absolute against `relative_to` (the current folder by default)."""
    path = Path(value).expanduser()
    if relative_to is not None and not path.is_absolute():
        path = relative_to / path
    return path.absolute()


def user_path(path: Path | str) -> str:
    """A path as a user can use it from any folder: absolute, with the home folder written `~`."""
    absolute = absolute_path(path)
    home = Path.home()
    if absolute == home:
        return "~"
    if absolute.is_relative_to(home):
        return f"~/{absolute.relative_to(home).as_posix()}"
    return str(absolute)
