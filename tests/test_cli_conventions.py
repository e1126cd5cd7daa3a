"""Conventions of well-loved CLIs: completion, readable help, --debug anywhere, a closed pipe, --json reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa.cli import main, with_debug_first
from qa.cli.reports import REPORT_VERSION, IndexReport, StatusReport
from qa.errors import IndexMissingError

QA_SCRIPT = Path(sys.executable).parent / "qa"
DATA_COMMANDS = ["ask", "index", "add", "status", "show", "chat", "config"]
COMMANDS = [*DATA_COMMANDS, "eval", "migrate", "config set", "config unset"]
ARTICLE = (
    "The Larchmere beekeepers' cooperative harvested four tonnes of heather honey this autumn, "
    "its best season since the cooperative was founded by twelve families in the valley.\n\n"
    "Members said the late flowering of the heather and a dry September kept the hives busy."
)


def qa(*args: str | os.PathLike, capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return (exit_.value.code or 0), captured.out, captured.err


def run_qa(*args: str | os.PathLike, env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **(env or {})}
    return subprocess.run(
        [str(QA_SCRIPT), *map(str, args)], env=environment, capture_output=True, text=True, check=False, **kwargs
    )


# -- shell completion ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shell", "marker"),
    [("bash", "complete -o default -F _qa_completion qa"), ("zsh", "#compdef qa"), ("fish", "complete --command qa")],
)
def test_show_completion_prints_the_script_for_each_shell(shell, marker, monkeypatch, capsys):
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")  # take the shell from the argument
    code, out, _ = qa("--show-completion", shell, capsys=capsys)
    assert code == 0
    assert marker in out and "_QA_COMPLETE" in out


def test_install_completion_writes_the_script_where_the_shell_reads_it(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    result = run_qa(
        "--install-completion", "bash", env={"HOME": str(home), "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    )
    assert result.returncode == 0, result.stderr
    script = home / ".bash_completions" / "qa.sh"
    assert "_QA_COMPLETE=complete_bash" in script.read_text()
    assert str(script) in (home / ".bashrc").read_text()


@pytest.mark.parametrize(
    ("words", "expected"), [("qa sta", "status"), ("qa config s", "set"), ("qa config set mi", "milvus_uri")]
)
def test_the_completion_script_completes_commands(words, expected):
    # What the installed bash function runs on Tab.
    result = run_qa(
        env={"_QA_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
    )
    assert (result.returncode, result.stdout.split()) == (0, [expected])


# -- help ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_help_names_values_in_words_and_fits_one_screen(command, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "100")
    code, out, _ = qa(*command.split(), "--help", capsys=capsys)
    assert code == 0 and out.lstrip().startswith(f"Usage: qa {command}")
    for typed in ("<str>", "<bool>", "<path>", "<list", "<int", "{"):
        assert typed not in out, typed
    assert len(out.rstrip().splitlines()) <= 45


def test_metavars_say_what_to_type(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    _, ask_help, _ = qa("ask", "-h", capsys=capsys)
    _, add_help, _ = qa("add", "-h", capsys=capsys)
    assert "Usage: qa ask [OPTIONS] [QUESTION]" in ask_help and "Usage: qa add [OPTIONS] PATH…" in add_help
    assert "--outlet           OUTLET" in ask_help and "--since            DATE" in ask_help
    assert "--date-order               DMY|MDY" in add_help


@pytest.mark.parametrize("command", DATA_COMMANDS)
def test_storage_options_have_their_own_panel_after_the_commands_own(command, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "100")
    _, out, _ = qa(command, "--help", capsys=capsys)
    panel = out.index("─ Storage")
    assert out.index("--help") < panel
    for option in ("--corpus", "--index", "--backend", "--milvus-uri"):
        assert out.index(option) > panel, option


# -- --debug anywhere ----------------------------------------------------------------------


@pytest.mark.parametrize("args", [["--debug", "status"], ["status", "--debug"], ["status", "--index", "x", "--debug"]])
def test_debug_is_accepted_anywhere_and_shows_the_full_error(args, tmp_path):
    with pytest.raises(IndexMissingError):  # with --debug, the error is raised (a traceback), not one line
        main(args)


def test_after_a_double_dash_debug_is_an_argument():
    assert with_debug_first(["ask", "--", "--debug"]) == ["ask", "--", "--debug"]
    assert with_debug_first(["ask", "q", "--debug", "-k", "2"]) == ["--debug", "ask", "q", "-k", "2"]


def test_without_debug_the_same_error_is_one_line(capsys, tmp_path):
    code, out, err = qa("status", capsys=capsys)
    assert (code, out) == (1, "") and err.count("\n") == 1 and err.startswith("Error: No index in ")


# -- a reader that stops reading -----------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["ask", "Who denied sales to Russia?"],
        ["ask", "--json", "Who denied sales to Russia?"],
        ["status", "--json"],
        ["status"],
        ["config"],
    ],
)
def test_a_closed_pipe_ends_the_command_quietly(args, seed_settings):
    # As `qa ask … | head -1` when head has already exited: every write finds the pipe closed.
    env = {**os.environ, "QA_INDEX": str(seed_settings.index_dir), "QA_CORPUS": str(seed_settings.corpus_dir)}
    read, write = os.pipe()
    os.close(read)
    process = subprocess.Popen([str(QA_SCRIPT), *args], stdout=write, stderr=subprocess.PIPE, env=env, text=True)
    os.close(write)
    _, err = process.communicate(timeout=600)
    assert (process.returncode, err) == (0, "")


# -- --json reports ------------------------------------------------------------------------


def test_status_json_is_one_status_report(seed_settings, capsys):
    code, out, _ = qa(
        "status", "--json", "--corpus", seed_settings.corpus_dir, "--index", seed_settings.index_dir, capsys=capsys
    )
    assert code == 0
    report = StatusReport.model_validate_json(out)
    assert set(json.loads(out)) == set(StatusReport.model_fields)
    assert report.report_version == REPORT_VERSION
    assert (report.index, report.corpus) == (str(seed_settings.index_dir), str(seed_settings.corpus_dir))
    assert (report.counts.files, report.counts.articles, report.stale, report.corpus_found) == (2, 2, [], True)
    assert report.model and report.dimension == 384 and report.generation >= 1


def test_status_json_says_when_the_corpus_is_missing(seed_settings, tmp_path, capsys):
    code, out, _ = qa(
        "status", "--json", "--corpus", tmp_path / "gone", "--index", seed_settings.index_dir, capsys=capsys
    )
    report = StatusReport.model_validate_json(out)
    assert (code, report.corpus_found, report.stale) == (0, False, None)


def test_add_and_index_json_are_index_reports(seed_copy, tmp_path, capsys):
    paths = ["--corpus", seed_copy.corpus_dir, "--index", seed_copy.index_dir]
    article = tmp_path / "honey.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    code, out, _ = qa("add", article, "--outlet", "Larchmere Post", "--json", "--quiet", *paths, capsys=capsys)
    assert code == 0
    added = IndexReport.model_validate_json(out)
    assert set(json.loads(out)) == set(IndexReport.model_fields)
    assert (added.added, added.updated, added.removed, added.unchanged) == (["honey.txt"], [], [], 2)
    assert added.articles == 1 and added.passages >= 1 and added.skipped == []
    assert (added.corpus, added.index) == (str(seed_copy.corpus_dir), str(seed_copy.index_dir))

    (seed_copy.corpus_dir / "honey.txt").unlink()
    (seed_copy.corpus_dir / "bad.txt").write_bytes(b"")
    code, out, err = qa("index", "--json", *paths, capsys=capsys)
    assert code == 3  # a file was skipped: the report still comes, on stdout
    indexed = IndexReport.model_validate_json(out)
    assert (indexed.added, indexed.removed, indexed.unchanged) == ([], ["honey.txt"], 2)
    assert [note.path for note in indexed.skipped] == ["bad.txt"]
    assert f"skipped {seed_copy.corpus_dir / 'bad.txt'}: " in err
