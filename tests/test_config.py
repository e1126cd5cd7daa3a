"""Settings from anywhere: flags > environment > config file > defaults, and `qa config` to see and change them.

The autouse `env_setup` fixture points QA_CONFIG_DIR and QA_DATA_DIR at tmp (and sets QA_CORPUS /
QA_INDEX); tests here that need the lower levels remove those variables first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qa.cli import main
from qa.config import BUNDLED_MODEL, Origin, resolve_settings
from qa.config_file import read_config, set_config_value
from qa.locations import config_file, data_dir, user_path


def qa(*args: str | os.PathLike, capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return (exit_.value.code or 0), captured.out, captured.err


@pytest.fixture
def no_path_variables(monkeypatch):
    """Only the config file and the defaults decide the folders."""
    for name in ("QA_CORPUS", "QA_INDEX", "QA_BACKEND", "QA_MILVUS_URI", "QA_MODEL"):
        monkeypatch.delenv(name, raising=False)


def write_config(text: str) -> Path:
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def sources(**flags) -> dict[str, tuple[str | None, Origin]]:
    return {source.key.name: (source.value, source.origin) for source in resolve_settings(flags).sources}


# -- precedence ----------------------------------------------------------------------------


def test_without_settings_the_archive_is_in_the_user_data_folder(no_path_variables, tmp_path):
    settings = resolve_settings().settings
    assert data_dir() == tmp_path / "data"  # QA_DATA_DIR, as the autouse fixture sets it
    assert (settings.corpus_dir, settings.index_dir) == (tmp_path / "data/corpus", tmp_path / "data/index")
    assert (settings.backend, settings.milvus_uri, settings.model) == ("embedded", None, BUNDLED_MODEL)
    assert {origin for _, origin in sources().values()} == {Origin.DEFAULT}


def test_flags_beat_the_environment_which_beats_the_config_file_which_beats_the_defaults(
    no_path_variables, monkeypatch, tmp_path
):
    write_config('corpus = "/from/file/corpus"\nindex = "/from/file/index"\nbackend = "milvus"\n')
    monkeypatch.setenv("QA_INDEX", "/from/env/index")
    monkeypatch.setenv("QA_BACKEND", "embedded")
    assert sources(backend="milvus") == {
        "corpus": ("/from/file/corpus", Origin.CONFIG_FILE),
        "index": ("/from/env/index", Origin.ENVIRONMENT),
        "backend": ("milvus", Origin.FLAG),
        "milvus_uri": (None, Origin.DEFAULT),
        "model": (BUNDLED_MODEL, Origin.DEFAULT),
    }
    settings = resolve_settings({"index": tmp_path / "flag-index"}).settings
    assert settings.index_dir == tmp_path / "flag-index"
    assert settings.corpus_dir == Path("/from/file/corpus")


def test_paths_in_the_config_file_may_start_at_home_or_at_the_files_folder(no_path_variables, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    path = write_config('corpus = "~/news"\nindex = "archive/index"\nmilvus_uri = "lite.db"\n')
    settings = resolve_settings().settings
    assert settings.corpus_dir == tmp_path / "home/news"
    assert settings.index_dir == path.parent / "archive/index"
    assert settings.milvus_uri == str(path.parent / "lite.db")
    assert sources()["corpus"] == ("~/news", Origin.CONFIG_FILE)


def test_relative_flags_are_made_absolute_from_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = resolve_settings({"corpus": "here", "milvus_uri": "lite.db"}).settings
    assert settings.corpus_dir == tmp_path / "here"
    assert settings.milvus_uri == str(tmp_path / "lite.db")
    server = resolve_settings({"milvus_uri": "http://localhost:19530"}).settings
    assert server.milvus_uri == "http://localhost:19530"


def test_paths_under_home_are_shown_from_home_and_others_absolute(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    assert user_path(tmp_path / "home/news") == "~/news"
    assert user_path("relative") == str(tmp_path / "relative")
    assert user_path("/srv/news") == "/srv/news"


# -- qa config -----------------------------------------------------------------------------


def test_qa_config_shows_each_setting_and_where_it_came_from(no_path_variables, monkeypatch, tmp_path, capsys):
    write_config('# my archive\ncorpus = "/srv/news"\n')
    monkeypatch.setenv("QA_MODEL", "/models/mine")
    code, out, err = qa("config", "--index", tmp_path / "idx", capsys=capsys)
    assert (code, err) == (0, "")
    rows = {line.split()[0]: line for line in out.splitlines()}
    assert rows["config"] == f"config file  {config_file()}"
    assert rows["corpus"].split() == ["corpus", "/srv/news", "config", "file,", "line", "2"]
    assert rows["index"].split() == ["index", str(tmp_path / "idx"), "flag:", "--index"]
    assert rows["backend"].split()[:3] == ["backend", "embedded", "default:"]
    assert rows["model"].split() == ["model", "/models/mine", "environment:", "QA_MODEL"]


def test_qa_config_set_writes_the_file_and_later_commands_use_it(no_path_variables, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    news = tmp_path / "home/news"
    code, out, _ = qa("config", "set", "corpus", news, capsys=capsys)
    assert code == 0
    assert out == f"corpus = ~/news in {config_file()}\n"
    assert config_file().read_text(encoding="utf-8") == 'corpus = "~/news"\n'
    assert resolve_settings().settings.corpus_dir == news
    code, _, err = qa("index", capsys=capsys)  # from any folder, the configured corpus
    assert code == 1
    assert err.startswith("Error: The corpus folder ~/news does not exist. Add articles with `qa add FILE…`")


def test_qa_config_set_keeps_comments_and_replaces_the_old_value(no_path_variables, capsys):
    write_config('# chosen by hand\nbackend = "milvus"  # for the server\n[extra]\nbackend = "x"\n')
    assert qa("config", "set", "backend", "embedded", capsys=capsys)[0] == 0
    assert (
        config_file().read_text(encoding="utf-8") == '# chosen by hand\nbackend = "embedded"\n[extra]\nbackend = "x"\n'
    )
    assert qa("config", "unset", "backend", capsys=capsys)[:2] == (0, f"backend removed from {config_file()}\n")
    assert "backend" not in read_config(config_file(), known=("backend",)).values


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["corpse", "x"],
            "Error: There is no setting 'corpse'; the settings are corpus, index, backend, "
            "milvus_uri, model. Did you mean corpus?\n",
        ),
        (["backend", "sqlite"], "Error: 'sqlite' is not a backend; choose embedded or milvus.\n"),
    ],
)
def test_qa_config_set_refuses_what_no_command_could_use(args, message, capsys):
    assert qa("config", "set", *args, capsys=capsys) == (2, "", message)
    assert not config_file().exists()


def test_a_value_with_quotes_and_controls_is_written_as_valid_toml(tmp_path):
    path = tmp_path / "config.toml"
    set_config_value(path, "model", 'odd "name"\\ \x1b[2J')
    assert read_config(path, known=("model",)).values["model"].value == 'odd "name"\\ \x1b[2J'


# -- a config file with mistakes -----------------------------------------------------------


def test_each_mistake_in_the_config_file_is_one_line_and_the_rest_still_counts(no_path_variables, tmp_path, capsys):
    path = write_config(
        'corpus = "/srv/news"\n'
        'corpuss = "/typo"\n'
        "index = 3\n"
        "model = [\n"
        'backend = "sqlite"\n'
        f'index = "{tmp_path / "idx"}"\n'
    )
    code, out, err = qa("status", capsys=capsys)
    assert code == 1  # it ran, on the settings that could be read: no index there yet
    assert err.splitlines() == [
        f"Warning: {path}, line 2, key corpuss: unknown key (did you mean corpus? known: corpus, index, backend, "
        "milvus_uri, model); ignored",
        f'Warning: {path}, line 3, key index: should be text in quotes, e.g. index = "…"; ignored',
        f"Warning: {path}, line 4, key model: is not TOML (invalid value); line ignored",
        f"Warning: {path}, line 5, key backend: 'sqlite' is not a backend; choose embedded or milvus; ignored",
        f"Error: No index in {tmp_path / 'idx'}. Run `qa index` to build it from the corpus.",
    ]
    settings = resolve_settings().settings
    assert (settings.corpus_dir, settings.index_dir, settings.backend) == (
        Path("/srv/news"),
        tmp_path / "idx",
        "embedded",
    )


def test_a_config_file_that_is_valid_toml_but_has_a_table_names_it(no_path_variables, capsys):
    path = write_config('corpus = "/srv/news"\n\n[milvus]\nuri = "http://x"\n')
    stored = read_config(path, known=("corpus",))
    assert [str(problem) for problem in stored.problems] == [
        f"{path}, line 3, key milvus: unknown key (known: corpus); ignored"
    ]
    assert stored.values["corpus"].value == "/srv/news"


def test_a_config_file_that_is_not_text_is_one_warning(no_path_variables, capsys, tmp_path):
    path = config_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(b'corpus = "\xff"\n')
    code, _, err = qa("config", capsys=capsys)
    assert code == 0
    assert err == f"Warning: {path}, line 1: is not UTF-8 text; the file is ignored\n"


@pytest.mark.parametrize("command", [("set", "corpus", "/srv/news"), ("unset", "corpus")])
def test_qa_config_set_and_unset_on_a_file_that_is_not_text_is_one_line(no_path_variables, capsys, command):
    path = config_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(b'corpus = "\xff"\n')
    code, out, err = qa("config", *command, capsys=capsys)
    assert (code, out) == (1, "")
    assert err == f"Error: Cannot change {path}: it is not UTF-8 text. Fix or remove the file, then try again.\n"
    assert path.read_bytes() == b'corpus = "\xff"\n'


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare for a read-only bind mount")
@pytest.mark.parametrize("command", [("set", "corpus", "/srv/news"), ("unset", "corpus")])
def test_qa_config_set_and_unset_in_a_read_only_folder_is_one_line(no_path_variables, command):
    path = write_config('corpus = "/srv/old"\n')
    folder = path.parent
    script = (
        f'mount --bind "{folder}" "{folder}" && mount -o remount,bind,ro "{folder}" && '
        f'exec "{Path(sys.executable).parent / "qa"}" config "$@"'
    )
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, "sh", *command],
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"Error: Cannot write {path}") and "Traceback" not in result.stderr
    assert result.stderr.endswith("Check that the file and its folder are writable, then try again.\n")
    assert path.read_text(encoding="utf-8") == 'corpus = "/srv/old"\n'


def test_a_bad_value_from_a_flag_or_the_environment_is_a_usage_error(monkeypatch, capsys):
    monkeypatch.setenv("QA_BACKEND", "sqlite")
    assert qa("status", capsys=capsys) == (
        2,
        "",
        "Error: QA_BACKEND: 'sqlite' is not a backend; choose embedded or milvus.\n",
    )
