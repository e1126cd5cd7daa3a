"""Hostile text through the real commands: escape sequences and Rich markup in articles, file names
and flags are shown, never obeyed; `--json` keeps them; `--batch` survives bad lines; exit codes."""

from __future__ import annotations

import gc
import io
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from qa.cli.batch import open_batch, read_batch
from qa.models import Answer
from tests.support.processes import QA_SCRIPT, UNATTRIBUTED_ARTICLE, hold_lock, qa

OSC_TITLE = "\x1b]0;pwned\x07"
"""Retitles the terminal window."""
CLEAR = "\x1b[2J"
"""Clears the screen."""
OSC_8 = "\x1b]8;;http://evil.example\x1b\\"
"""Starts a hyperlink to another address than the one shown."""
OSC_52 = "\x1b]52;c;cHduZWQ=\x07"
"""Writes "pwned" to the clipboard."""
CSI_8BIT = "\x9b31m"
"""The one-byte (C1) form of ESC [: red text on terminals that honour C1."""
HOSTILE = OSC_TITLE + CLEAR + OSC_8 + OSC_52 + CSI_8BIT
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""What must never reach the terminal from data: C0 but newline and tab, DEL, C1."""
STYLE = re.compile(r"\x1b\[[0-9;]*m")
"""Rich's own colour codes (SGR) on a terminal: the only escapes allowed out."""

PIER_TEXT = (
    "The harbour master said on Friday that a second pier would open to ferries next month, "
    f"{HOSTILE}easing the queues that have formed at the old terminal since the summer timetable began.\n\n"
    "Ferry operators welcomed the decision and said they would add evening crossings once the "
    "new pier is ready, while residents asked for quieter engines at night."
)
PIER_NAME = f"pier{OSC_TITLE}.txt"
PIER_QUESTION = "When will the second pier open to ferries?"
BAD_NAME = f"bad{CLEAR}.txt"
"""Skipped: its sidecar has an impossible date (with an OSC 52 in it, quoted by the reason)."""
COPY_NAME = f"copy{CLEAR}.txt"
"""Skipped: the same text as PIER_NAME, which its reason names."""
BEES = "The beekeepers of the valley harvested four tonnes of heather honey for the winter market this autumn."


def assert_never_obeyed(*outputs: str, terminal: bool = False) -> None:
    """No raw control character in what was printed (on a terminal, bar Rich's own SGR colours)."""
    for output in outputs:
        shown = STYLE.sub("", output) if terminal else output
        assert RAW_CONTROL.findall(shown) == [], output


def qa_run(*args, input: bytes | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The installed `qa` script in its own process; output kept as bytes (timeout: a hang guard only)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **(env or {})}
    return subprocess.run(
        [str(QA_SCRIPT), *map(str, args)], input=input, capture_output=True, env=env, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[list[str], subprocess.CompletedProcess]:
    """A corpus whose title, outlet, URL, text and file names carry escape sequences, indexed by the real
    `qa index`; (its --corpus/--index flags, the index run). Treat as read-only."""
    root = tmp_path_factory.mktemp("hostile")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / PIER_NAME).write_text(PIER_TEXT, encoding="utf-8")
    sidecar = {
        "title": f"Pier {HOSTILE}",
        "outlet": f"Harbour {HOSTILE} News",
        "published": "2024-03-01",
        "url": f"https://harbour.example/pier{OSC_8}",
    }
    (corpus / PIER_NAME.replace(".txt", ".meta.json")).write_text(json.dumps(sidecar), encoding="utf-8")
    (corpus / COPY_NAME).write_text(PIER_TEXT, encoding="utf-8")
    (corpus / BAD_NAME).write_text(BEES, encoding="utf-8")
    (corpus / BAD_NAME.replace(".txt", ".meta.json")).write_text(  # cut short: not JSON, so the file is refused
        json.dumps({"published": f"2024-03-01{OSC_52}"})[:-3], encoding="utf-8"
    )
    flags = ["--corpus", str(corpus), "--index", str(root / "index")]
    return flags, qa_run("index", *flags)


@pytest.mark.model
def test_the_index_report_shows_file_names_and_reasons_and_exits_3_for_the_skipped_file(hostile):
    flags, result = hostile
    out, err = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 3, err
    assert "new      pier␛]0;pwned␇.txt" in out.splitlines()
    assert "1 skipped, 1 copies of stories kept once; 1 articles" in out
    [skipped] = [line for line in err.splitlines() if line.startswith("skipped ")]
    corpus = Path(flags[1])
    assert skipped.startswith(f"skipped {corpus}/bad␛[2J.txt: bad␛[2J.meta.json: cannot be read")
    assert "copy     copy␛[2J.txt: same article text as pier␛]0;pwned␇.txt" in out.splitlines()
    assert_never_obeyed(out, err)


@pytest.mark.model
def test_ask_shows_hostile_title_outlet_url_and_text_as_pictures(hostile, capsys):
    flags, _ = hostile
    code, out, err = qa("ask", PIER_QUESTION, *flags, capsys=capsys)
    assert code == 0, err
    assert out.startswith("1. Harbour ␛]0;pwned␇␛[2J␛]8;;http://evil.example␛\\␛]52;c;cHduZWQ=␇\ufffd31m News")
    assert "https://harbour.example/pier␛]8;;http://evil.example␛\\" in out
    assert "␛]0;pwned␇␛[2J" in out.split("\n", 4)[-1]  # the passage text too
    assert_never_obeyed(out, err)


@pytest.mark.model
def test_ask_on_a_terminal_styles_its_own_text_but_never_obeys_the_data(hostile, capsys, monkeypatch):
    flags, _ = hostile
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    code, out, err = qa("ask", PIER_QUESTION, *flags, capsys=capsys)
    assert code == 0, err
    assert "\x1b[1;33m" in out  # the answering sentence is highlighted: the output is styled
    assert_never_obeyed(out, err, terminal=True)


@pytest.mark.model
def test_ask_json_keeps_the_original_text(hostile, capsys):
    flags, _ = hostile
    code, out, _ = qa("ask", PIER_QUESTION, "--json", *flags, capsys=capsys)
    [hit] = Answer.model_validate_json(out).passages
    assert code == 0
    assert (hit.outlet, hit.title) == (f"Harbour {HOSTILE} News", f"Pier {HOSTILE}")
    assert hit.url == f"https://harbour.example/pier{OSC_8}" and HOSTILE in hit.text
    assert_never_obeyed(out)  # JSON escapes ESC and BEL; qa escapes DEL and C1 too


@pytest.mark.model
def test_show_prints_pictures_and_show_json_the_original(hostile, capsys):
    flags, _ = hostile
    _, out, _ = qa("ask", PIER_QUESTION, "--json", *flags, capsys=capsys)
    doc_id = Answer.model_validate_json(out).passages[0].doc_id
    code, out, err = qa("show", doc_id, "--text", *flags, capsys=capsys)
    assert code == 0, err
    assert "  file       pier␛]0;pwned␇.txt" in out.splitlines()
    assert "  outlet     Harbour ␛]0;pwned␇␛[2J␛]8;;http://evil.example␛\\␛]52;c;cHduZWQ=␇\ufffd31m News" in out
    assert "second pier would open to ferries next month, ␛]0;pwned␇" in out
    assert_never_obeyed(out, err)
    code, out, _ = qa("show", doc_id, "--json", "--text", *flags, capsys=capsys)
    shown = json.loads(out)
    assert (shown["source_path"], shown["title"], shown["text"]) == (PIER_NAME, f"Pier {HOSTILE}", PIER_TEXT)


@pytest.mark.model
def test_status_lists_a_hostile_skipped_file_name_as_pictures(hostile, capsys):
    flags, _ = hostile
    code, out, err = qa("status", *flags, capsys=capsys)
    assert code == 0, err
    listed = "            bad␛[2J.txt: bad␛[2J.meta.json: cannot be read"
    assert any(line.startswith(listed) for line in out.splitlines())
    assert_never_obeyed(out, err)


@pytest.mark.model
@pytest.mark.parametrize("outlet", ["[/x]", "[bold red]X", f"X{OSC_TITLE}"])
def test_an_outlet_flag_is_never_markup_or_control(hostile, capsys, monkeypatch, outlet):
    flags, _ = hostile
    monkeypatch.setenv("FORCE_COLOR", "1")
    code, out, err = qa("ask", PIER_QUESTION, "--outlet", outlet, *flags, capsys=capsys)
    assert (code, err) == (0, "")
    shown = outlet.replace(OSC_TITLE, "␛]0;pwned␇")
    assert " ".join(out.split()) == (  # the message, wrapped to the terminal
        f'No article in the index matches the filters (outlet {shown}). No outlet "{shown}" in the index '
        "(`qa outlets` lists them)."
    )
    code, out, _ = qa("ask", PIER_QUESTION, "--outlet", outlet, "--json", *flags, capsys=capsys)
    assert Answer.model_validate_json(out).filters.outlets == [outlet]


@pytest.mark.parametrize(
    ("args", "code", "shown"),
    [
        (["ask", "--batch", f"missing{CLEAR}.txt"], 2, "/missing␛[2J.txt: No such file"),
        (["index", "--corpus", f"nowhere{OSC_TITLE}"], 1, "/nowhere␛]0;pwned␇ does not exist"),
        (["status", "--backend", f"x{OSC_52}"], 2, "'x␛]52;c;cHduZWQ=␇' is not a backend"),
        (["ask", "q", f"--x{OSC_TITLE}"], 2, "Error: No such option: --x"),
        ([f"x{CLEAR}"], 2, "Error: No such command 'x"),
    ],
)
def test_error_messages_quote_paths_and_values_as_pictures(tmp_path, capsys, args, code, shown):
    got, out, err = qa(*args, capsys=capsys)
    assert (got, out) == (code, "")
    assert shown in err
    assert_never_obeyed(err)


def test_a_usage_error_from_click_is_shown_as_pictures_even_when_click_quotes_the_value_raw(monkeypatch, capsys):
    """Click's own escaping of an unknown option's name (Typer 0.29's vendored Click) turned off, as older
    Clicks printed it: `main` still shows what the user typed as pictures."""
    monkeypatch.setattr("typer._click.exceptions._escape_control_characters", lambda value: value)
    code, out, err = qa("ask", "q", f"--x{OSC_TITLE}", capsys=capsys)
    assert (code, out) == (2, "")
    assert err.endswith("\n\nError: No such option: --x␛]0;pwned␇\n")
    assert err.startswith("Usage: qa ask [OPTIONS] [QUESTION]\nTry 'qa ask -h' for help.\n")


def test_a_warning_logged_by_the_library_quotes_a_path_as_pictures(tmp_path, seed_settings):
    index = shutil.copytree(
        seed_settings.index_dir, tmp_path / f"index{OSC_TITLE}", ignore=shutil.ignore_patterns("*-shm")
    )
    for vectors in index.glob("vectors-*.faiss"):
        vectors.unlink()  # rebuilt from SQLite, with a warning naming the file
    corpus = ["--corpus", str(seed_settings.corpus_dir), "--index", str(index)]
    result = qa_run("ask", "--json", "Who denied sales to Russia?", *corpus)
    err = result.stderr.decode()
    assert result.returncode == 0, err
    assert f"WARNING: vector file {tmp_path}/index␛]0;pwned␇/vectors-" in err
    assert_never_obeyed(err)


def test_the_waiting_message_shows_the_index_path_on_one_line(tmp_path, seed_copy):
    index = seed_copy.index_dir.rename(tmp_path / f"index{OSC_TITLE}\nforged")
    holder = hold_lock(seed_copy.model_copy(update={"index_dir": index}), 600)
    writer = subprocess.Popen(
        [str(QA_SCRIPT), "index", "--corpus", seed_copy.corpus_dir, "--index", index],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
    )
    try:
        first_line = writer.stderr.readline().decode()
    finally:
        holder.kill()
        holder.wait()
        writer.communicate(timeout=300)
    assert first_line.startswith(f"Another qa process is writing the index in {tmp_path}/index␛]0;pwned␇␊forged;")
    assert_never_obeyed(first_line)


# -- --batch -----------------------------------------------------------------------------------

DENIAL = "Who denied sales to Russia?"
STARLINK = "Which brigade was using Starlink?"
BAD_BATCH = f"{DENIAL}\n".encode() + b"\xff\xfeWho \x1b]0;x\x07 else?\n  \n\n" + f"{STARLINK}\n".encode()
"""A good question, an undecodable one (line 2), blank lines, a good one (line 5)."""


@pytest.fixture
def seed_flags(seed_settings) -> list[str]:
    return ["--corpus", str(seed_settings.corpus_dir), "--index", str(seed_settings.index_dir)]


def test_batch_json_answers_every_good_line_and_an_error_object_stands_in_for_a_bad_one(tmp_path, capsys, seed_flags):
    batch = tmp_path / "questions.txt"
    batch.write_bytes(BAD_BATCH)
    code, out, err = qa("ask", "--json", "--batch", batch, *seed_flags, capsys=capsys)
    assert code == 3
    first, error, last = (json.loads(line) for line in out.splitlines())
    assert Answer.model_validate(first).question == DENIAL
    assert Answer.model_validate(last).question == STARLINK
    assert error == {
        "line": 2,
        "error": "line 2 is not valid UTF-8 (byte 0xff at byte 1 of the line), so it was not asked; "
        "save the file as UTF-8",
        "question": "\ufffd\ufffdWho \x1b]0;x\x07 else?",
    }
    assert err == f"{batch}: {error['error']}\n"


def test_batch_in_human_mode_answers_the_good_lines_and_names_the_bad_one(tmp_path, capsys, seed_flags):
    batch = tmp_path / "questions.txt"
    batch.write_bytes(BAD_BATCH)
    code, out, err = qa("ask", "--batch", batch, *seed_flags, capsys=capsys)
    assert code == 3
    assert err.startswith(f"{batch}: line 2 is not valid UTF-8")
    assert out.count("similarity") >= 2 and "Kyiv Independent" in out
    assert_never_obeyed(out, err)


def test_batch_on_stdin_survives_an_undecodable_line(seed_flags):
    result = qa_run("ask", "--json", "--batch", "-", *seed_flags, input=BAD_BATCH)
    assert result.returncode == 3, result.stderr
    lines = result.stdout.decode().splitlines()
    assert [json.loads(line).get("line") for line in lines] == [None, 2, None]
    assert result.stderr.decode().startswith("-: line 2 is not valid UTF-8")


def test_batch_closes_its_file(tmp_path, capsys, seed_flags):
    """An unclosed file is reported by Python as a ResourceWarning when it is collected."""
    batch = tmp_path / "questions.txt"
    batch.write_bytes(BAD_BATCH)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        code, _, _ = qa("ask", "--json", "--batch", batch, *seed_flags, capsys=capsys)
        gc.collect()
    assert code == 3
    assert [
        str(w.message) for w in caught if issubclass(w.category, ResourceWarning) and batch.name in str(w.message)
    ] == []


def test_a_batch_read_from_stdin_leaves_stdin_open(monkeypatch):
    stdin = io.TextIOWrapper(io.BytesIO(f"{DENIAL}\n".encode()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    with open_batch(Path("-")) as handle:
        assert [line.question for line in read_batch(handle)] == [DENIAL]
    assert not stdin.buffer.closed


def test_a_batch_of_blank_lines_asks_nothing(tmp_path, capsys, seed_flags):
    batch = tmp_path / "blank.txt"
    batch.write_text("\n   \n\t\n")
    assert qa("ask", "--json", "--batch", batch, *seed_flags, capsys=capsys) == (0, "", "")


def test_a_batch_folder_is_one_usage_error(tmp_path, capsys, seed_flags):
    code, out, err = qa("ask", "--json", "--batch", tmp_path, *seed_flags, capsys=capsys)
    assert (code, out) == (2, "")
    assert err == f"Error: The batch file {tmp_path} is a folder. Give a text file with one question per line.\n"


# -- exit codes of qa add / qa index -------------------------------------------------------------


def test_add_exits_0_when_all_went_in_and_3_when_a_file_was_skipped(seed_copy, tmp_path, capsys):
    flags = ["--corpus", str(seed_copy.corpus_dir), "--index", str(seed_copy.index_dir)]
    good = tmp_path / "good"
    good.mkdir()
    (good / "honey.txt").write_text(UNATTRIBUTED_ARTICLE, encoding="utf-8")
    code, out, err = qa("add", good, *flags, capsys=capsys)
    assert code == 0, err
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "pier.txt").write_text(PIER_TEXT, encoding="utf-8")
    (bad / "pier.meta.json").write_text('{"published": "2024-03-01"', encoding="utf-8")  # cut short: not JSON
    code, out, err = qa("add", bad, *flags, capsys=capsys)
    assert code == 3
    [skipped] = [line for line in err.splitlines() if line.startswith("skipped ")]
    assert f"{bad / 'pier.txt'}: its sidecar pier.meta.json: cannot be read" in skipped  # refused before copying
    assert not (seed_copy.corpus_dir / "bad").exists()
