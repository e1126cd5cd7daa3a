"""`qa config`: each setting, its value and where it came from; `qa config set` / `unset` edit the config file."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qa.cli.common import (
    HELP_OPTION_NAMES,
    BackendOption,
    CorpusOption,
    IndexOption,
    MilvusUriOption,
    app,
    resolved_settings,
)
from qa.cli.output import echo_line
from qa.errors import QAError, UsageError

if TYPE_CHECKING:
    from qa.config import SettingKey, SettingSource

config_app = typer.Typer(
    name="config",
    subcommand_metavar="[set KEY VALUE | unset KEY]",
    rich_markup_mode="markdown",
    context_settings={"help_option_names": HELP_OPTION_NAMES},
)
app.add_typer(config_app)


def _complete_key(incomplete: str) -> list[str]:
    from qa.config import KEYS_BY_NAME

    return [name for name in KEYS_BY_NAME if name.startswith(incomplete)]


KeyArgument = Annotated[
    str,
    typer.Argument(
        metavar="KEY",
        help="corpus, index, backend, milvus_uri or model.",
        show_default=False,
        autocompletion=_complete_key,
    ),
]


@config_app.callback(invoke_without_command=True)
def config(
    context: typer.Context,
    corpus: CorpusOption = None,
    index: IndexOption = None,
    backend: BackendOption = None,
    milvus_uri: MilvusUriOption = None,
) -> None:
    """Show each setting, its value and where it came from; `set` and `unset` change the config file.

    Flags beat QA_* variables, which beat the config file, which beats the defaults (your archive
    in the user data folder). For example:

        qa config set corpus ~/news
    """
    if context.invoked_subcommand is not None:
        return
    from qa.locations import user_path

    resolved = resolved_settings(corpus, index, backend, milvus_uri)
    file_state = "" if resolved.config_file.is_file() else " (none yet: `qa config set KEY VALUE` writes it)"
    rows = [(source.key.name, source.value or "(none)", _origin(source)) for source in resolved.sources]
    width = max(len(value) for _, value, _ in rows)
    echo_line(f"{'config file':<12} {user_path(resolved.config_file)}{file_state}")
    for name, value, origin in rows:
        echo_line(f"{name:<12} {value:<{width}}  {origin}")


def _origin(source: SettingSource) -> str:
    from qa.config import Origin

    if source.origin is Origin.DEFAULT:
        return f"default: {source.detail}"
    if source.origin is Origin.CONFIG_FILE:
        return f"config file, {source.detail}"
    return f"{source.origin.value}: {source.detail}"


@config_app.command("set")
def set_command(
    key: KeyArgument,
    value: Annotated[str, typer.Argument(metavar="VALUE", help="The new value.", show_default=False)],
) -> None:
    """Set one setting in the config file (created if needed); other lines and comments stay as they are.

    Paths are stored absolute (or from ~), so the setting means the same folder from anywhere.
    """
    from qa.config import read_value, shown_value
    from qa.config_file import set_config_value
    from qa.locations import config_file, user_path

    setting = _key(key)
    try:
        stored = read_value(setting, value)
    except ValueError as error:
        raise UsageError(f"{error}.") from None
    if setting.kind == "model" and Path(value).expanduser().is_dir():
        stored = Path(value).expanduser().absolute()  # a local model folder, named as from anywhere
    shown = shown_value(setting, stored) or value
    path = config_file()
    try:
        set_config_value(path, setting.name, shown)
    except (OSError, UnicodeDecodeError) as error:
        raise _cannot_change(path, error) from None
    echo_line(f"{setting.name} = {shown} in {user_path(path)}")
    _note_overrides(setting)


@config_app.command("unset")
def unset_command(key: KeyArgument) -> None:
    """Remove one setting from the config file, so the default applies again."""
    from qa.config_file import unset_config_value
    from qa.locations import config_file, user_path

    setting = _key(key)
    path = config_file()
    try:
        removed = unset_config_value(path, setting.name)
    except (OSError, UnicodeDecodeError) as error:
        raise _cannot_change(path, error) from None
    if removed:
        echo_line(f"{setting.name} removed from {user_path(path)}")
    else:
        echo_line(f"{user_path(path)} does not set {setting.name}; nothing changed")
    _note_overrides(setting)


def _cannot_change(path: Path, error: OSError | UnicodeDecodeError) -> QAError:
    """Why the config file could not be edited, and what to do about it."""
    from qa.locations import user_path

    if isinstance(error, UnicodeDecodeError):
        return QAError(
            f"Cannot change {user_path(path)}: it is not UTF-8 text. Fix or remove the file, then try again."
        )
    return QAError(
        f"Cannot write {user_path(path)}: {error.strerror or error}. "
        "Check that the file and its folder are writable, then try again."
    )


def _key(name: str) -> SettingKey:
    from qa.config import KEYS_BY_NAME

    key = KEYS_BY_NAME.get(name.strip().lower().replace("-", "_"))
    if key is None:
        close = difflib.get_close_matches(name, KEYS_BY_NAME, n=1)
        hint = f" Did you mean {close[0]}?" if close else ""
        raise UsageError(f"There is no setting '{name}'; the settings are {', '.join(KEYS_BY_NAME)}.{hint}")
    return key


def _note_overrides(key: SettingKey) -> None:
    """The file is not the last word: say so when the environment sets the same thing."""
    import os

    if os.environ.get(key.env):
        echo_line(f"Note: {key.env} is set in the environment and takes precedence over the config file.")
