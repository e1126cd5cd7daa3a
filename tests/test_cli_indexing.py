"""`qa index`, `qa add`, `qa status`: what they print, progress, the writer lock, and faults on disk."""

from __future__ import annotations

import dataclasses
import json
import os
import pty
import random
import resource
import select
import shutil
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from qa.config import Settings
from qa.ingest import read_corpus_file
from qa.models import MetadataSource
from qa.store.build import stale_files
from qa.store.index import DB_NAME, Index
from tests.support.processes import HARBOUR, QA_SCRIPT, hold_lock, paths, qa, qa_process
from tests.support.seeds import FORBES, KYIV


def counts(settings: Settings) -> dict[str, int]:
    index = Index.open(settings.index_dir)
    try:
        return {**dataclasses.asdict(index.status().counts), "vectors": len(index.vectors())}
    finally:
        index.close()


# -- qa index: what changed --------------------------------------------------------------


def test_index_names_the_new_changed_and_removed_files(seed_copy, capsys):
    corpus = seed_copy.corpus_dir
    (corpus / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    (corpus / FORBES).write_text((corpus / FORBES).read_text() + "\n\nA line added later.", encoding="utf-8")
    (corpus / KYIV).unlink()
    code, out, _ = qa("index", *paths(seed_copy), capsys=capsys)
    assert code == 0
    lines = out.splitlines()
    assert "new      harbour.txt" in lines
    assert f"changed  {FORBES}" in lines
    assert f"removed  {KYIV}" in lines
    assert ": 1 new, 1 changed, 1 removed, 0 unchanged files;" in out


def test_index_twice_embeds_nothing_the_second_time(seed_copy, capsys):
    code, out, _ = qa("index", *paths(seed_copy), capsys=capsys)
    assert code == 0
    assert ": 0 new, 0 changed, 0 removed, 2 unchanged files; 0 articles, 0 passages embedded" in out


def test_rebuild_embeds_everything_again(seed_copy, capsys):
    before = counts(seed_copy)
    code, out, _ = qa("index", "--rebuild", *paths(seed_copy), capsys=capsys)
    assert code == 0
    assert f": 2 new, 0 changed, 0 removed, 0 unchanged files; 2 articles, {before['passages']} passages" in out
    assert counts(seed_copy) == before


# -- qa add ----------------------------------------------------------------------------------


def test_add_copies_the_file_records_the_flags_and_indexes_it(seed_copy, tmp_path, capsys):
    source = tmp_path / "outside" / "harbour.txt"
    source.parent.mkdir()
    source.write_text(HARBOUR, encoding="utf-8")
    code, out, err = qa(
        "add", source, "--outlet", "Harbour Gazette", "--date", "2024-05-06", *paths(seed_copy), capsys=capsys
    )
    assert code == 0, err
    assert "new      harbour.txt" in out.splitlines()
    copy = seed_copy.corpus_dir / "harbour.txt"
    assert copy.read_text(encoding="utf-8") == HARBOUR
    [article] = read_corpus_file(copy, corpus_dir=seed_copy.corpus_dir).articles
    index = Index.open(seed_copy.index_dir)
    try:
        stored = index.article(article.doc_id)
        assert stale_files(index, seed_copy.corpus_dir) == []
    finally:
        index.close()
    assert (stored.outlet, stored.published.isoformat()) == ("Harbour Gazette", "2024-05-06")
    assert stored.provenance["outlet"].source == MetadataSource.FLAG
    code, out, _ = qa("status", *paths(seed_copy), capsys=capsys)
    assert "files       3" in out.splitlines()


def test_add_of_a_missing_file_is_a_usage_error(seed_copy, tmp_path, capsys):
    code, out, err = qa("add", tmp_path / "nowhere.txt", *paths(seed_copy), capsys=capsys)
    assert (code, out) == (2, "")
    assert err == f"Error: No such file or folder: {tmp_path / 'nowhere.txt'}\n"


def test_add_with_a_bad_date_names_the_flag(seed_copy, tmp_path, capsys):
    source = tmp_path / "harbour.txt"
    source.write_text(HARBOUR, encoding="utf-8")
    code, _, err = qa("add", source, "--date", "31/31/2024", *paths(seed_copy), capsys=capsys)
    assert code == 2
    assert err.startswith("Error: --date '31/31/2024': ")
    assert not (seed_copy.corpus_dir / "harbour.txt").exists()


# -- qa status -----------------------------------------------------------------------------


def test_status_shows_search_kind_and_generation(seed_copy, capsys):
    code, out, _ = qa("status", *paths(seed_copy), capsys=capsys)
    assert code == 0
    assert any(line.startswith("search      exact, generation ") for line in out.splitlines())
    assert "unfinished" not in out


# -- progress ------------------------------------------------------------------------------


def test_without_a_terminal_progress_is_plain_lines_on_stderr(seed_copy, capsys):
    code, _, err = qa("index", "--rebuild", *paths(seed_copy), capsys=capsys)
    assert code == 0
    passages = counts(seed_copy)["passages"]
    lines = err.splitlines()
    assert any(line.startswith(f"embedding passages: {passages}/{passages} (") for line in lines)
    assert any(line.startswith("storing articles: 2/2 (") and "articles/s" in line for line in lines)
    assert "Publishing the new index…" in lines
    assert "\x1b[" not in err  # no terminal control codes in a log


def test_quiet_prints_nothing_but_problems(seed_copy, capsys):
    code, out, err = qa("index", "--rebuild", "--quiet", *paths(seed_copy), capsys=capsys)
    assert (code, out, err) == (0, "", "")


def test_on_a_terminal_progress_is_a_bar_with_rates(seed_copy):
    leader, follower = pty.openpty()
    process = qa_process(
        "index",
        "--rebuild",
        *paths(seed_copy),
        stdout=subprocess.DEVNULL,
        stderr=follower,
        stdin=subprocess.DEVNULL,
        env={"TERM": "xterm-256color", "COLUMNS": "120"},
    )
    os.close(follower)
    output = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        output += chunk
    assert process.wait(timeout=120) == 0
    text = output.decode("utf-8", "replace")
    assert "passages/s" in text and "embedding" in text
    assert "\x1b[" in text  # drawn with terminal control codes, not plain lines


# -- one writer at a time ------------------------------------------------------------------

def test_a_second_writer_with_no_wait_fails_clearly(seed_copy, capsys):
    holder = hold_lock(seed_copy, 60)
    try:
        code, out, err = qa("index", "--no-wait", *paths(seed_copy), capsys=capsys)
    finally:
        holder.kill()
        holder.wait()
    assert (code, out) == (1, "")
    assert err.startswith(f"Error: Another qa process is writing the index in {seed_copy.index_dir}.")


def test_a_second_writer_waits_with_a_message_and_then_runs(seed_copy):
    (seed_copy.corpus_dir / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    holder = hold_lock(seed_copy, 600)
    writer = qa_process("index", *paths(seed_copy), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        first_line = writer.stderr.readline()
        assert "waiting for it to finish" in first_line
        assert writer.poll() is None  # still waiting while the other writer holds the lock
    finally:
        holder.kill()
        holder.wait()
    out, err = writer.communicate(timeout=300)
    assert writer.returncode == 0, err
    assert "new      harbour.txt" in out.splitlines()


# -- faults on disk ------------------------------------------------------------------------


def test_a_newer_index_format_is_a_clear_error_and_rebuild_replaces_it(seed_copy, capsys):
    connection = sqlite3.connect(seed_copy.index_dir / DB_NAME)
    connection.execute("UPDATE meta SET value = '99' WHERE key = 'format_version'")
    connection.commit()
    connection.close()
    code, _, err = qa("status", *paths(seed_copy), capsys=capsys)
    assert code == 1
    assert str(seed_copy.index_dir / DB_NAME) in err and "newer version of qa" in err and "--rebuild" in err
    code, _, err = qa("index", *paths(seed_copy), capsys=capsys)
    assert code == 1 and "newer version of qa" in err
    code, out, err = qa("index", "--rebuild", *paths(seed_copy), capsys=capsys)
    assert code == 0, err
    assert counts(seed_copy)["articles"] == 2


def test_a_truncated_database_is_a_clear_error_and_rebuild_repairs_it(seed_copy, capsys):
    database = seed_copy.index_dir / DB_NAME
    database.write_bytes(database.read_bytes()[:8192])
    for path in seed_copy.index_dir.glob(f"{DB_NAME}-*"):
        path.unlink()
    code, _, err = qa("ask", "Who denied sales to Russia?", *paths(seed_copy), capsys=capsys)
    assert code == 1
    assert f"Error: The index database {database} cannot be read" in err and "qa index --rebuild" in err
    code, _, err = qa("index", "--rebuild", *paths(seed_copy), capsys=capsys)
    assert code == 0, err
    assert counts(seed_copy)["articles"] == 2


def refuse_inserts(database: Path, table: str) -> None:
    """A trigger that aborts every insert into `table`: SQLite's constraint error, on a file that is not damaged."""
    connection = sqlite3.connect(database)
    connection.execute(
        f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
    )
    connection.commit()
    connection.close()


def test_a_constraint_failure_is_not_reported_as_a_damaged_index(seed_copy, capsys):
    refuse_inserts(seed_copy.index_dir / DB_NAME, "articles")
    (seed_copy.corpus_dir / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    code, _, err = qa("index", *paths(seed_copy), capsys=capsys)
    assert code == 1
    [line] = [line for line in err.splitlines() if line.startswith("Error: ")]
    assert "refused by the test" in line and str(seed_copy.index_dir / DB_NAME) in line
    assert "cannot be read" not in line and "--rebuild" not in line and "Traceback" not in err
    assert counts(seed_copy)["articles"] == 2


def test_rebuild_keeps_a_readable_database_whose_upgrade_fails(seed_copy, capsys):
    database = seed_copy.index_dir / DB_NAME
    connection = sqlite3.connect(database)
    [(last,)] = connection.execute("SELECT max(name) FROM migrations")
    connection.execute("DELETE FROM migrations WHERE name = ?", (last,))  # the upgrade runs again on open...
    connection.commit()
    connection.close()
    refuse_inserts(database, "migrations")  # ...and fails: an error of SQLite, not a damaged file
    code, _, err = qa("index", "--rebuild", *paths(seed_copy), capsys=capsys)
    assert code == 1
    [line] = [line for line in err.splitlines() if line.startswith("Error: ")]
    assert "cannot be read" not in line and "Traceback" not in err
    connection = sqlite3.connect(database)
    assert connection.execute("SELECT count(*) FROM articles").fetchone() == (2,)
    connection.close()


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir()) if path.is_file()}


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare for a read-only bind mount")
def test_a_read_only_index_directory_is_a_clear_error_and_the_index_stays_intact(seed_copy):
    (seed_copy.corpus_dir / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    before = counts(seed_copy)
    index_dir = seed_copy.index_dir
    script = (
        f'mount --bind "{index_dir}" "{index_dir}" && mount -o remount,bind,ro "{index_dir}" && '
        f'exec "{QA_SCRIPT}" index --corpus "{seed_copy.corpus_dir}" --index "{index_dir}"'
    )
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        check=False,
    )
    if "mount" in result.stderr and result.returncode != 1:
        pytest.skip(f"cannot make a read-only mount here: {result.stderr}")
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: Cannot write to the index directory {index_dir}")
    assert "Read-only file system" in result.stderr
    assert counts(seed_copy) == before


def test_a_full_disk_is_a_clear_error_and_the_index_stays_intact(seed_copy):
    """RLIMIT_FSIZE makes writes past a size fail with EFBIG, as a full disk fails them with ENOSPC."""
    corpus = seed_copy.corpus_dir
    for number in range(40):
        # Each report with its own wording (words shuffled): copies of one story would be stored once.
        words = (HARBOUR * 3).split()
        random.Random(number).shuffle(words)
        (corpus / f"harbour-{number}.txt").write_text(f"Report number {number}. " + " ".join(words), encoding="utf-8")
    before = counts(seed_copy)
    limit = max(path.stat().st_size for path in seed_copy.index_dir.iterdir()) + 64 * 1024

    def limit_file_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    writer = qa_process(
        "index",
        "--quiet",
        *paths(seed_copy),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=limit_file_size,
    )
    out, err = writer.communicate(timeout=600)
    assert writer.returncode == 1, (out, err)
    assert err.startswith("Error: ") and err.count("\n") == 1
    assert "full" in err and "the index is unchanged" in err
    assert counts(seed_copy) == before
    result = qa_process("ask", "--json", "Who denied sales to Russia?", *paths(seed_copy), stdout=subprocess.PIPE)
    assert json.loads(result.communicate(timeout=300)[0])["passages"]


def test_status_works_with_a_damaged_vector_file(seed_copy, capsys):
    [vectors] = seed_copy.index_dir.glob("vectors-*.faiss")
    vectors.write_bytes(b"damaged")
    code, out, err = qa("status", *paths(seed_copy), capsys=capsys)
    assert code == 0, err
    assert "articles    2 (0 without outlet, 0 undated)" in out.splitlines()
    assert any(line.startswith("search      exact, generation ") for line in out.splitlines())
