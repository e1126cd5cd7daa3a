"""Killing a real `qa index` / `qa add` at varied moments never loses or duplicates a passage.

Each test kills a real process (SIGKILL, and SIGINT for Ctrl-C) at several points: during
start-up, while the model loads, after a chunk of passages was committed, and while the new
generation is being published. After every kill the index must still be the previous one, whole
and searchable, or the complete new one; the next run must finish the work.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import time

import numpy as np

from qa.config import Settings
from qa.models import Answer
from qa.store.index import DB_NAME, Index
from tests.support.processes import expected_state, interrupt, start, wait_for_line, write_articles


def published_state(settings: Settings) -> tuple[set[str], int]:
    """Check the invariants of the published index and return its (files, passages)."""
    index = Index.open(settings.index_dir)
    db = sqlite3.connect(f"file:{settings.index_dir / DB_NAME}?mode=ro", uri=True, timeout=30)
    try:
        passages = db.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
        assert len(index.vectors()) == passages, "FAISS and SQLite disagree"
        duplicates = db.execute(
            "SELECT doc_id, ordinal FROM passages GROUP BY doc_id, ordinal HAVING COUNT(*) > 1"
        ).fetchall()
        assert duplicates == []
        orphans = db.execute(
            "SELECT COUNT(*) FROM passages p WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.doc_id = p.doc_id)"
        ).fetchone()[0]
        assert orphans == 0
        per_file = db.execute("SELECT source_path, COUNT(*) FROM articles GROUP BY source_path").fetchall()
        assert all(count == 1 for _, count in per_file)  # one article per generated file, never twice
        files = {row[0] for row in db.execute("SELECT path FROM files")}
        ids, matrix = index.stored_vectors()
        hits = index.search_dense(matrix[0], 3) if len(ids) else []
        assert not len(ids) or hits[0][0] == ids[0]  # searchable: a passage finds itself first
        return files, passages
    finally:
        db.close()
        index.close()


def staged_passages(settings: Settings) -> int:
    connection = sqlite3.connect(f"file:{settings.index_dir / DB_NAME}?mode=ro", uri=True, timeout=30)
    try:
        return connection.execute("SELECT COUNT(*) FROM staged_passages").fetchone()[0]
    finally:
        connection.close()


def wait_for_staged(process: subprocess.Popen, settings: Settings, more_than: int, timeout: float = 600) -> bool:
    """Wait until a chunk beyond `more_than` staged passages is committed; False if the process ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if staged_passages(settings) > more_than:
            return True
        time.sleep(0.2)
    raise AssertionError(f"no chunk committed within {timeout} s")


def assert_old_or_new(settings: Settings, old: tuple[set[str], int], new: tuple[set[str], int]) -> None:
    state = published_state(settings)
    assert state in (old, new), f"a mix of old and new: {len(state[0])} files, {state[1]} passages"


def test_killing_qa_index_at_any_moment_keeps_the_old_index_and_the_next_run_completes(seed_copy):
    rng = random.Random(int(os.environ.get("QA_CRASH_SEED", "5")))
    old = published_state(seed_copy)
    write_articles(seed_copy.corpus_dir, 260, seed=1)
    new = expected_state(seed_copy)
    command = ("index", "--corpus", seed_copy.corpus_dir, "--index", seed_copy.index_dir)

    # 1. during start-up and reading, before anything is embedded
    process = start(*command)
    time.sleep(rng.uniform(0.5, 2.5))
    interrupt(process)
    assert_old_or_new(seed_copy, old, new)

    # 2. while the model loads or the first batches are embedded
    process = start(*command)
    wait_for_line(process, "Loading the embedding model")
    time.sleep(rng.uniform(0.0, 3.0))
    interrupt(process)
    assert_old_or_new(seed_copy, old, new)

    # 3. after a chunk was committed, at a random moment within the next one
    process = start(*command)
    assert wait_for_staged(process, seed_copy, more_than=0)
    time.sleep(rng.uniform(0.0, 2.0))
    interrupt(process)
    assert_old_or_new(seed_copy, old, new)
    staged = staged_passages(seed_copy)
    assert staged > 0

    # 4. Ctrl-C after a further chunk: the run resumes from the staged chunks, not from zero
    process = start(*command)
    assert wait_for_staged(process, seed_copy, more_than=staged)
    interrupt(process, signal.SIGINT)
    assert_old_or_new(seed_copy, old, new)

    # 5. while the new generation is published
    process = start(*command)
    wait_for_line(process, "Publishing the new index")
    time.sleep(rng.uniform(0.0, 0.3))
    interrupt(process)
    assert_old_or_new(seed_copy, old, new)

    # the next run completes: every corpus file indexed exactly once, nothing lost or doubled
    finisher = start(*command)
    out, err = finisher.communicate(timeout=900)
    assert finisher.returncode == 0, err
    assert published_state(seed_copy) == new
    assert staged_passages(seed_copy) == 0


def test_killing_qa_add_keeps_the_old_index_and_qa_index_finishes_with_the_flags(seed_copy, tmp_path):
    old = published_state(seed_copy)
    folder = tmp_path / "incoming"
    write_articles(folder, 60, seed=2)
    command = ("--corpus", seed_copy.corpus_dir, "--index", seed_copy.index_dir)
    process = start("add", folder, "--outlet", "Valley Wire", *command)
    assert wait_for_staged(process, seed_copy, more_than=0)
    time.sleep(random.Random(7).uniform(0.0, 2.0))
    interrupt(process)
    files, passages = published_state(seed_copy)
    assert (files, passages) == old or len(files) == len(old[0]) + 60

    finisher = start("index", *command)
    _, err = finisher.communicate(timeout=900)
    assert finisher.returncode == 0, err
    assert published_state(seed_copy) == expected_state(seed_copy)
    connection = sqlite3.connect(f"file:{seed_copy.index_dir / DB_NAME}?mode=ro", uri=True, timeout=30)
    try:
        outlets = dict(connection.execute("SELECT source_path, outlet FROM articles"))
    finally:
        connection.close()
    added = [path for path in outlets if path.startswith("incoming/")]
    assert len(added) == 60 and {outlets[path] for path in added} == {"Valley Wire"}


def test_a_reader_sees_the_old_or_the_new_index_while_a_writer_publishes(seed_copy):
    """A reader pinned to one generation keeps answering from it, FAISS and SQLite alike."""
    reader = Index.open(seed_copy.index_dir)
    try:
        before = (reader.generation, reader.counts().passages, len(reader.vectors()))
        write_articles(seed_copy.corpus_dir, 5, seed=3)
        writer = start("index", "--corpus", seed_copy.corpus_dir, "--index", seed_copy.index_dir)
        _, err = writer.communicate(timeout=900)
        assert writer.returncode == 0, err
        ids, matrix = reader.stored_vectors()
        assert (reader.generation, reader.counts().passages, len(reader.vectors())) == before
        assert reader.search_dense(matrix[0], 1)[0][0] == ids[0]
        assert reader.refresh()
        after = (reader.generation, reader.counts().passages, len(reader.vectors()))
        assert after[0] == before[0] + 1 and after[1] == after[2] > before[1]
        assert np.isin(reader.stored_vectors()[0], ids).sum() == len(ids)  # old passages kept their ids
    finally:
        reader.close()


def test_qa_ask_answers_from_the_old_index_while_qa_index_is_embedding(seed_copy):
    old = published_state(seed_copy)
    write_articles(seed_copy.corpus_dir, 120, seed=4)
    writer = start("index", "--corpus", seed_copy.corpus_dir, "--index", seed_copy.index_dir)
    try:
        assert wait_for_staged(writer, seed_copy, more_than=0)  # a chunk is committed, more to come
        reader = start(
            "ask",
            "--json",
            "Who denied sales to Russia?",
            "--corpus",
            seed_copy.corpus_dir,
            "--index",
            seed_copy.index_dir,
        )
        out, err = reader.communicate(timeout=600)
        assert reader.returncode == 0, err
        answer = Answer.model_validate_json(out)
        assert answer.passages and {hit.outlet for hit in answer.passages} <= {"Forbes", "The Kyiv Independent"}
        assert published_state(seed_copy) in (old, expected_state(seed_copy))
    finally:
        out, err = writer.communicate(timeout=900)
    assert writer.returncode == 0, err
    assert published_state(seed_copy) == expected_state(seed_copy)


def test_a_killed_rebuild_keeps_the_old_index_and_the_next_qa_index_finishes_the_rebuild(seed_copy):
    write_articles(seed_copy.corpus_dir, 90, seed=6)
    command = ("--corpus", seed_copy.corpus_dir, "--index", seed_copy.index_dir)
    first = start("index", *command)
    assert first.communicate(timeout=900)[0] and first.returncode == 0
    old = published_state(seed_copy)
    process = start("index", "--rebuild", *command)
    assert wait_for_staged(process, seed_copy, more_than=0)
    interrupt(process)
    assert published_state(seed_copy) == old  # everything still answers from the old build
    finisher = start("index", *command)  # no --rebuild: the interrupted rebuild is finished anyway
    out, err = finisher.communicate(timeout=900)
    assert finisher.returncode == 0, err
    assert ": 92 new, 0 changed, 0 removed, 0 unchanged files;" in out
    assert "embedded by an earlier interrupted run" in out
    assert published_state(seed_copy) == old == expected_state(seed_copy)
