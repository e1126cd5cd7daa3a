"""The Milvus backend under faults and at its limits: a killed build, an unreachable server, long reads, the CLI."""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from milvus_lite import server_manager_instance

from qa.config import Settings
from qa.engine import Engine
from qa.errors import QAError
from qa.store.milvus.expressions import State
from qa.store.milvus.schema import ARTICLES, FILES, META, PASSAGES, load_collections
from tests.support.backends import free_port
from tests.support.processes import QA_SCRIPT, expected_state, interrupt, start, wait_for_line, write_articles
from tests.support.seeds import FORBES, KYIV, copy_seed_corpus


def milvus_state(uri: Path, cache: Path, *, finished: bool = True) -> tuple[set[str], int]:
    """Check the invariants of the committed index in Milvus and return its (files, passages).

    After a finished run no row is left but the committed ones; a killed run may leave some for the next.
    """
    from pymilvus import MilvusClient

    client = MilvusClient(uri=str(uri))  # the rows themselves, as Milvus holds them
    try:
        load_collections(client)  # a killed milvus-lite leaves them released
        [state_row] = client.query(META, filter='key == "state"', output_fields=["value"])
        state = State(**json.loads(state_row["value"]))

        def rows(collection: str, fields: list[str], where: str) -> list[dict]:
            found, iterator = [], client.query_iterator(collection, batch_size=1000, filter=where, output_fields=fields)
            while batch := iterator.next():
                found.extend(batch)
            iterator.close()
            return found

        passages = rows(PASSAGES, ["doc_id", "ordinal"], state.visible())
        assert not [key for key, n in Counter((p["doc_id"], p["ordinal"]) for p in passages).items() if n > 1]
        articles = rows(ARTICLES, ["doc_id", "source_path"], state.visible())
        assert {p["doc_id"] for p in passages} <= {a["doc_id"] for a in articles}, "passages without an article"
        assert all(n == 1 for n in Counter(a["source_path"] for a in articles).values())
        if finished:
            assert state.cleanup == []
            for collection in (FILES, ARTICLES, PASSAGES):
                assert len(rows(collection, ["born"], "born >= 0")) == len(rows(collection, ["born"], state.visible()))
        return {row["source_path"] for row in rows(FILES, ["source_path"], state.visible())}, len(passages)
    finally:
        client.close()
        server_manager_instance.release_server(str(uri))  # milvus-lite: one process at a time


@pytest.mark.model
def test_a_killed_build_is_finished_by_the_next_run_with_nothing_lost_or_doubled(tmp_path):
    corpus, uri, cache = tmp_path / "corpus", tmp_path / "lite.db", tmp_path / "index"
    write_articles(corpus, 100, seed=11)
    command = ("index", "--corpus", corpus, "--index", cache, "--backend", "milvus", "--milvus-uri", uri)
    first = start(*command)
    assert wait_for_line(first, "storing articles:")  # a chunk of passages is in Milvus, not yet committed
    interrupt(first)
    finish = start(*command)
    _, errors = finish.communicate(timeout=1200)
    assert finish.returncode == 0, errors
    expected = expected_state(Settings(corpus_dir=corpus, index_dir=cache))
    assert milvus_state(uri, cache) == expected

    # Change a third of the files and kill the next build while it publishes: old or new, then new.
    for path in sorted(corpus.glob("*.txt"))[::3]:
        path.write_text(path.read_text(encoding="utf-8").replace("Monday", "Friday"), encoding="utf-8")
    second = start(*command)
    wait_for_line(second, "Publishing the new index")
    interrupt(second)
    assert milvus_state(uri, cache, finished=False)[0] == expected[0]
    again = start(*command)
    _, errors = again.communicate(timeout=1200)
    assert again.returncode == 0, errors
    assert milvus_state(uri, cache) == expected_state(Settings(corpus_dir=corpus, index_dir=cache))


def test_an_unreachable_server_gives_a_clear_error_naming_it(tmp_path):
    uri = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings = Settings(corpus_dir=tmp_path, index_dir=tmp_path / "index", backend="milvus", milvus_uri=uri)
    with pytest.raises(QAError, match=f"Cannot reach Milvus at {uri}"):
        Engine(settings).status()
    result = subprocess.run(
        [str(QA_SCRIPT), "status", "--backend", "milvus", "--milvus-uri", uri], capture_output=True, text=True
    )
    assert result.returncode == 1 and uri in result.stderr and "Traceback" not in result.stderr


@pytest.mark.model
def test_index_and_ask_on_the_command_line(tmp_path):
    corpus = copy_seed_corpus(tmp_path / "corpus")
    env_args = ("--corpus", str(corpus), "--index", str(tmp_path / "index"), "--backend", "milvus")
    built = subprocess.run([str(QA_SCRIPT), "index", *env_args], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "index" / "milvus.db").exists()  # milvus-lite in the index directory by default
    asked = subprocess.run(
        [str(QA_SCRIPT), "ask", "--json", "Who denied sales to Russia?", *env_args], capture_output=True, text=True
    )
    assert asked.returncode == 0, asked.stderr
    outlets = [hit["outlet"] for hit in json.loads(asked.stdout)["passages"][:3]]
    assert "The Kyiv Independent" in outlets and "Forbes" in outlets
    # Another machine: the same Milvus index, no local state yet; its first question makes its own encoder.
    elsewhere = (
        "--index",
        str(tmp_path / "other-machine"),
        "--backend",
        "milvus",
        "--milvus-uri",
        str(tmp_path / "index" / "milvus.db"),
    )
    other_cache = tmp_path / "other-machine-cache"
    asked = subprocess.run(
        [str(QA_SCRIPT), "ask", "--json", "Who denied sales to Russia?", *elsewhere],
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_CACHE_HOME": str(other_cache)},
    )
    assert asked.returncode == 0 and "Falling back" not in asked.stderr, asked.stderr
    assert json.loads(asked.stdout)["passages"] and list((other_cache / "qa" / "encoders").glob("*/model.onnx"))
    status = subprocess.run([str(QA_SCRIPT), "status", *env_args], capture_output=True, text=True)
    assert status.returncode == 0 and "Milvus HNSW" in status.stdout


def test_a_build_replacing_many_files_removes_their_old_rows_before_it_commits(tmp_path, embedder, monkeypatch):
    import qa.store.milvus as milvus_module

    corpus = copy_seed_corpus(tmp_path / "corpus")
    settings = Settings(
        corpus_dir=corpus, index_dir=tmp_path / "index", backend="milvus", milvus_uri=str(tmp_path / "m.db")
    )
    engine = Engine(settings, embedder=embedder)
    engine.build_index()
    counts = engine.status().counts
    monkeypatch.setattr(milvus_module, "MAX_CLEANUP_JSON", 10)  # any list of replaced files is "too long" now
    for name in (FORBES, KYIV):
        path = corpus / name
        path.write_text(path.read_text(encoding="utf-8").replace("Starlink", "Starlink satellite"), encoding="utf-8")
    report = engine.build_index()
    assert sorted(report.updated) == [FORBES, KYIV]
    assert engine.status().counts == counts
    assert "Starlink satellite" in engine.ask("Who denied sales to Russia?").passages[0].text
    engine.close()
    server_manager_instance.release_server(str(tmp_path / "m.db"))
    assert milvus_state(tmp_path / "m.db", tmp_path / "index")[1] == counts.passages


def test_a_build_failing_at_its_commit_leaves_the_old_manifest(tmp_path, embedder, monkeypatch):
    """The model, dimension and build time go in the commit's own write: none of them can run ahead of it."""
    from pymilvus import MilvusClient

    uri = tmp_path / "m.db"
    corpus = copy_seed_corpus(tmp_path / "corpus")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", backend="milvus", milvus_uri=str(uri))
    engine = Engine(settings, embedder=embedder)
    engine.build_index()
    engine.close()

    def meta() -> dict[str, str]:
        client = MilvusClient(uri=str(uri))
        rows = client.query(META, filter='key != ""', output_fields=["key", "value"])
        client.close()
        return {row["key"]: row["value"] for row in rows}

    client = MilvusClient(uri=str(uri))
    client.upsert(META, [{"key": "built_at", "value": "2000-01-01T00:00:00+00:00", "unused": [0.0, 0.0]}])
    client.close()
    before = meta()
    real_upsert = MilvusClient.upsert

    def commit_fails(self, collection, rows, *args, **kwargs):
        if collection == META and any(row["key"] == "state" for row in rows):
            raise ConnectionError("the server went away at the commit")
        return real_upsert(self, collection, rows, *args, **kwargs)

    monkeypatch.setattr(MilvusClient, "upsert", commit_fails)
    (corpus / "extra.txt").write_text((corpus / FORBES).read_text(encoding="utf-8"), encoding="utf-8")
    engine = Engine(settings, embedder=embedder)
    with pytest.raises(Exception, match="went away"):
        engine.build_index()
    engine.close()
    monkeypatch.undo()
    assert meta() == before  # the old generation, and the manifest that goes with it
    server_manager_instance.release_server(str(uri))


def test_reads_larger_than_one_query_are_read_page_by_page(tmp_path, embedder, monkeypatch):
    from qa.store.milvus import records

    settings = Settings(
        corpus_dir=copy_seed_corpus(tmp_path / "corpus"),
        index_dir=tmp_path / "index",
        backend="milvus",
        milvus_uri=str(tmp_path / "m.db"),
    )
    engine = Engine(settings, embedder=embedder)
    engine.build_index()
    question = "Who denied sales to Russia?"
    in_one_query = engine.ask(question).model_dump()
    files = engine.index.indexed_files()
    monkeypatch.setattr(records, "QUERY_LIMIT", 2)  # now most reads fill a query and go on page by page
    assert engine.ask(question).model_dump() == in_one_query
    assert engine.index.indexed_files() == files and len(files) == 2
    engine.close()
