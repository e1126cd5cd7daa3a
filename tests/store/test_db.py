"""SQLite, the source of truth: any text is a safe FTS query; a damaged file is a clear error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.errors import CorruptIndexError
from qa.store.db import FORMAT_VERSION, MIGRATIONS, Database, quote_fts
from qa.store.index import DB_NAME, Index


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.one_of(st.text(), st.sampled_from(['"', "NEAR(", "a AND", "*", "OR OR", "-x", "col:val", "^"])))
def test_any_question_is_a_safe_fts_query(seed_engine, question):
    ids = seed_engine.index.db.lexical_search(question, 10)
    assert len(ids) <= 10


@pytest.mark.parametrize("question", ["", "   ", "?!", "“”", "—"])
def test_a_question_without_words_has_no_fts_query(question):
    assert quote_fts(question) is None


def test_fts_operators_in_a_question_are_searched_as_words(seed_engine):
    # "NOT" and "OR" are words here, not operators; the quoted query still finds the denial.
    ids = seed_engine.index.db.lexical_search('categorically NOT "false', 10)
    found = seed_engine.index.db.passages_with_articles(ids)
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
