"""SQLite, the source of truth: any text is a safe FTS query; a damaged file is a clear error."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.errors import CorruptIndexError
from qa.store.db import FORMAT_VERSION, MIGRATIONS, Database, quote_fts
from qa.store.errors import IndexReadOnlyError, StorageError
from qa.store.index import DB_NAME, Index


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.one_of(st.text(), st.sampled_from(['"', "NEAR(", "a AND", "*", "OR OR", "-x", "col:val", "^"])))
def test_any_question_is_a_safe_fts_query(seed_engine, question):
    ids = seed_engine.index.search_lexical(question, 10)
    assert len(ids) <= 10


@pytest.mark.parametrize("question", ["", "   ", "?!", "“”", "—"])
def test_a_question_without_words_has_no_fts_query(question):
    assert quote_fts(question) is None


def test_fts_operators_in_a_question_are_searched_as_words(seed_engine):
    # "NOT" and "OR" are words here, not operators; the quoted query still finds the denial.
    ids = seed_engine.index.search_lexical('categorically NOT "false', 10)
    found = seed_engine.index.passages_with_articles(ids)
    assert any("categorically false" in passage.text for passage, _ in found.values())


def test_migrations_are_recorded_and_not_run_twice(tmp_path):
    first = Database(tmp_path / DB_NAME)
    first.set_meta("model", "kept")
    first.close()
    again = Database(tmp_path / DB_NAME)
    try:
        applied = [row[0] for row in again.conn.execute("SELECT name FROM migrations")]
        assert applied == [name for name, _ in MIGRATIONS]
        assert again.get_meta("model") == "kept"
    finally:
        again.close()


def test_an_unreadable_database_names_the_fix(tmp_path):
    (tmp_path / DB_NAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(CorruptIndexError, match=r"qa index --rebuild"):
        Index.open(tmp_path)


def test_a_format_1_index_is_migrated_and_its_titles_become_searchable(tmp_path):
    """An index written before titles were in FTS keeps its passages and gains title search."""
    import json
    import sqlite3

    old = sqlite3.connect(tmp_path / DB_NAME, isolation_level=None)
    old.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    first_name, first_migration = MIGRATIONS[0]
    first_migration(old)
    old.execute("INSERT INTO migrations VALUES (?, '2026-01-01')", (first_name,))
    old.execute("INSERT INTO meta VALUES ('model', 'sentence-transformers/all-MiniLM-L6-v2')")
    old.execute("INSERT INTO files VALUES ('a.txt', 'f', '2026-01-01')")
    metadata = {"title": "Zanzibar ferry strike", "outlet": "Reuters", "provenance": {}}
    old.execute(
        "INSERT INTO articles VALUES ('d1', 'a.txt', 'Reuters', NULL, ?, 'The crews walked out.')",
        (json.dumps(metadata),),
    )
    old.execute(
        "INSERT INTO passages (doc_id, ordinal, start, end, text, vector) VALUES ('d1', 0, 0, 21, ?, ?)",
        ("The crews walked out.", b"\0" * 16),
    )
    old.close()
    database = Database(tmp_path / DB_NAME)
    try:
        assert database.get_meta("format_version") == str(FORMAT_VERSION)
        assert database.sentence_vectors([1]) == {}  # answering embeds its sentences itself
        # ... until the next `qa index` embeds everything again, sentences included
        assert database.get_meta("rebuild_pending") == "sentence-transformers/all-MiniLM-L6-v2"
        assert database.lexical_search("crews", 5) == [1]
        assert database.lexical_search("Zanzibar", 5) == [1]  # the title, now in the FTS index
        assert database.count_undated_articles() == 1
    finally:
        database.close()


# -- read where nothing may be written ------------------------------------------------------


@contextmanager
def _nobody_may_write(folder: Path) -> Iterator[None]:
    """`chattr +i` on the folder and its files: no write, root's included (tests run as root, where chmod would not)."""
    if shutil.which("chattr") is None:
        pytest.skip("needs chattr to make a directory immutable")
    targets = [str(path) for path in folder.iterdir()] + [str(folder)]
    if subprocess.run(["chattr", "+i", *targets], capture_output=True, check=False).returncode:
        pytest.skip("chattr +i is not supported on this file system")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *targets], capture_output=True, check=True)


def _open_handles(path: Path) -> int:
    """How many of this process's file descriptors are open on `path`."""
    links = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            links.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            continue
    return links.count(str(path))


def test_a_read_only_index_of_an_older_format_says_it_must_be_upgraded_and_leaks_no_handle(tmp_path):
    old = sqlite3.connect(tmp_path / DB_NAME, isolation_level=None)
    old.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    first_name, first_migration = MIGRATIONS[0]
    first_migration(old)
    old.execute("INSERT INTO migrations VALUES (?, '2026-01-01')", (first_name,))
    old.close()
    with _nobody_may_write(tmp_path), pytest.raises(StorageError, match="older qa and must be upgraded") as raised:
        Database.for_reading(tmp_path / DB_NAME)
    assert not isinstance(raised.value, IndexReadOnlyError)
    assert _open_handles(tmp_path / DB_NAME) == 0  # the traceback still holds the Database that failed


def test_an_archive_copied_with_its_write_ahead_log_is_not_read_as_if_it_were_whole(tmp_path):
    live, archive = tmp_path / "live", tmp_path / "archive"
    live.mkdir()
    archive.mkdir()
    writer = Database(live / DB_NAME)  # open: what it committed is still in its write-ahead log
    try:
        with writer.atomic():
            writer.set_meta("model", "a later generation")
        for name in (DB_NAME, f"{DB_NAME}-wal"):
            shutil.copy(live / name, archive / name)
    finally:
        writer.close()
    assert (archive / f"{DB_NAME}-wal").stat().st_size > 0
    with _nobody_may_write(archive), pytest.raises(StorageError, match="write-ahead log") as raised:
        Database.for_reading(archive / DB_NAME)
    assert "`qa status`" in str(raised.value)
