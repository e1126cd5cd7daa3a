"""A storage failure after the index opened is one line and exit 1 on every backend: no traceback."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from qa.config import Settings
from qa.engine import Engine
from qa.store.index import DB_NAME
from qa.store.milvus.schema import FILES, TEXTS
from tests.support.seeds import copy_seed_corpus

QA_SCRIPT = Path(sys.executable).parent / "qa"


def run_qa(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run(
        [str(QA_SCRIPT), *map(str, args)], env=env, capture_output=True, text=True, timeout=600, check=False
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], names: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: ") and names in line


def damage_table(database: Path, table: str) -> None:
    """Overwrite the root page of `table`: the file still opens, reading that table fails."""
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    [(root,)] = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,))
    [(page_size,)] = connection.execute("PRAGMA page_size")
    connection.close()
    with database.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xa5" * page_size)


def test_a_damaged_sqlite_table_is_one_line_for_status_and_ask(seed_copy: Settings) -> None:
    damage_table(seed_copy.index_dir / DB_NAME, "articles")
    where = ("--corpus", seed_copy.corpus_dir, "--index", seed_copy.index_dir)
    assert_one_line_error(run_qa("status", *where), str(seed_copy.index_dir / DB_NAME))
    assert_one_line_error(run_qa("ask", "Who denied sales to Russia?", *where), str(seed_copy.index_dir / DB_NAME))


def test_a_milvus_failure_is_one_line_for_status_and_ask(tmp_path: Path, embedder) -> None:
    from milvus_lite import server_manager_instance
    from pymilvus import MilvusClient

    uri = tmp_path / "lite.db"
    settings = Settings(
        corpus_dir=copy_seed_corpus(tmp_path / "corpus"),
        index_dir=tmp_path / "index",
        backend="milvus",
        milvus_uri=str(uri),
    )
    engine = Engine(settings, embedder=embedder)
    engine.build_index()
    engine.close()
    client = MilvusClient(uri=str(uri))
    for lost in (FILES, TEXTS):  # collections lost on the server: `qa status` reads files, `qa ask` texts
        client.drop_collection(lost)
    client.close()
    server_manager_instance.release_server(str(uri))  # milvus-lite: one process at a time
    where = ("--corpus", settings.corpus_dir, "--index", settings.index_dir, "--backend", "milvus")
    where += ("--milvus-uri", uri)
    assert_one_line_error(run_qa("status", *where), str(uri))
    assert_one_line_error(run_qa("ask", "Who denied sales to Russia?", *where), str(uri))
