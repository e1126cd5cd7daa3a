"""The build's pipeline: chunking ahead of the model and staging behind it, with errors and memory bounded.

The threads are the real ones (qa/store/pipeline.py); the builds use the hashing stand-in for the
model, and small chunks so a handful of articles makes many transactions.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Sequence

import numpy as np
import pytest

import qa.store.embedding
from qa.config import Settings
from qa.engine import Engine
from qa.errors import QAError
from qa.ingest import corpus_files, read_corpus_file
from qa.passages import chunk_article
from qa.store.index import DB_NAME
from qa.store.pipeline import Ahead, Behind
from tests.support.fake_encoder import HashingEncoder
from tests.support.processes import expected_state, write_articles

# -- the two threads ------------------------------------------------------------------------


def test_ahead_yields_in_order_and_runs_at_most_its_depth_ahead():
    made: list[int] = []

    def produce():
        for number in range(50):
            made.append(number)
            yield number

    ahead = Ahead(produce(), depth=3, name="test-ahead")
    iterator = iter(ahead)
    assert next(iterator) == 0
    time.sleep(0.3)  # room for the producer to run as far ahead as it may
    assert len(made) <= 1 + 3 + 1  # the one taken, a full queue, and one waiting for room
    assert [0, *iterator] == list(range(50))
    ahead.close()


def test_an_error_while_preparing_is_raised_to_the_consumer_after_the_items_before_it():
    def produce():
        yield 1
        yield 2
        raise QAError("chunking failed")

    ahead = Ahead(produce(), depth=1, name="test-ahead")
    taken = []
    with pytest.raises(QAError, match="chunking failed"):
        for item in ahead:
            taken.append(item)
    assert taken == [1, 2]
    ahead.close()


def test_behind_consumes_everything_in_order_before_finish_returns():
    consumed: list[int] = []
    behind = Behind(consumed.append, depth=2, name="test-behind")
    for number in range(20):
        behind.put(number)
    behind.finish()
    assert consumed == list(range(20))


def test_an_error_while_writing_is_raised_by_the_next_put_or_by_finish():
    def consume(number: int) -> None:
        if number == 3:
            raise QAError("the disk is full")

    behind = Behind(consume, depth=1, name="test-behind")
    with pytest.raises(QAError, match="the disk is full"):
        for number in range(100):
            behind.put(number)
        behind.finish()
    behind.close()


def test_closing_writes_what_was_given_and_never_stops_within_an_item():
    started, finished = threading.Event(), []

    def consume(number: int) -> None:
        started.set()
        time.sleep(0.05)
        finished.append(number)

    behind = Behind(consume, depth=5, name="test-behind")
    for number in range(5):
        behind.put(number)
    started.wait()
    behind.close()  # as on an error of the model or Ctrl-C: the chunks already encoded are committed
    assert finished == list(range(5))


# -- a build through the pipeline ---------------------------------------------------------------


class FailingEncoder(HashingEncoder):
    """The hashing stand-in, failing on its `fail_on`-th call: the model's error in the middle of a build."""

    def __init__(self, fail_on: int) -> None:
        super().__init__()
        self.calls = 0
        self.fail_on = fail_on

    def encode_documents(self, texts: Sequence[str], *, on_progress: Callable[[int], None] | None = None) -> np.ndarray:
        self.calls += 1
        if self.calls == self.fail_on:
            raise QAError("the model failed")
        return super().encode_documents(texts, on_progress=on_progress)


def database_rows(settings: Settings, sql: str) -> list[tuple]:
    connection = sqlite3.connect(f"file:{settings.index_dir / DB_NAME}?mode=ro", uri=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def passages_per_article(settings: Settings) -> dict[str, int]:
    counts = {}
    for path in corpus_files(settings.corpus_dir):
        for article in read_corpus_file(path, corpus_dir=settings.corpus_dir).articles:
            counts[article.doc_id] = len(
                chunk_article(article, min_words=settings.min_words, max_words=settings.max_words)
            )
    return counts


def published(settings: Settings) -> tuple[int, int]:
    return database_rows(settings, "SELECT (SELECT COUNT(*) FROM files), (SELECT COUNT(*) FROM passages)")[0]


def assert_staged_articles_are_whole(settings: Settings) -> int:
    """Every staged article has all its passages and vectors (a chunk lands whole or not at all); their count."""
    staged = database_rows(
        settings,
        "SELECT a.doc_id, COUNT(p.id), COUNT(p.vector) FROM staged_articles a "
        "LEFT JOIN staged_passages p ON p.doc_id = a.doc_id GROUP BY a.doc_id",
    )
    expected = passages_per_article(settings)
    assert all(passages == vectors == expected[doc_id] for doc_id, passages, vectors in staged)
    return len(staged)


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(qa.store.embedding, "COMMIT_EVERY_PASSAGES", 8)


@pytest.mark.parametrize("fail_on", [1, 4])
def test_a_model_error_stops_the_build_keeps_the_index_and_leaves_whole_chunks(
    fake_seed_copy, fake_encoder, small_chunks, fail_on
):
    before = published(fake_seed_copy)
    write_articles(fake_seed_copy.corpus_dir, 40, seed=3)
    failing = FailingEncoder(fail_on)
    with pytest.raises(QAError, match="the model failed"):
        Engine(fake_seed_copy, embedder=failing).build_index()
    assert published(fake_seed_copy) == before
    staged = assert_staged_articles_are_whole(fake_seed_copy)
    assert (staged > 0) == (fail_on > 1)  # the chunks encoded before the failure were committed

    report = Engine(fake_seed_copy, embedder=fake_encoder).build_index()
    assert report.resumed_passages > 0 or fail_on == 1
    assert published(fake_seed_copy) == (len(expected_state(fake_seed_copy)[0]), expected_state(fake_seed_copy)[1])


def test_a_storage_error_behind_the_model_is_raised_as_the_build_error(fake_seed_copy, fake_encoder, small_chunks):
    before = published(fake_seed_copy)
    write_articles(fake_seed_copy.corpus_dir, 40, seed=4)
    connection = sqlite3.connect(fake_seed_copy.index_dir / DB_NAME)
    connection.execute(
        """CREATE TRIGGER full_disk BEFORE INSERT ON staged_passages
           WHEN (SELECT COUNT(*) FROM staged_passages) >= 30 BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"""
    )
    connection.commit()
    connection.close()
    with pytest.raises(QAError, match="disk I/O error"):
        Engine(fake_seed_copy, embedder=fake_encoder).build_index()
    assert published(fake_seed_copy) == before
    assert assert_staged_articles_are_whole(fake_seed_copy) > 0


def test_a_pipelined_build_stores_every_article_once_with_its_vectors_in_order(
    fake_seed_copy, fake_encoder, small_chunks
):
    write_articles(fake_seed_copy.corpus_dir, 30, seed=5)
    stages: list[tuple[str, int, int]] = []
    report = Engine(fake_seed_copy, embedder=fake_encoder).build_index(
        on_progress=lambda stage, done, total: stages.append((stage, done, total))
    )
    files, passages = expected_state(fake_seed_copy)
    assert published(fake_seed_copy) == (len(files), passages)
    assert report.articles == 30 and len(report.added) == 30
    rows = database_rows(
        fake_seed_copy,
        "SELECT p.text, p.vector FROM passages p JOIN articles a ON a.doc_id = p.doc_id "
        "WHERE a.source_path LIKE 'report-5-%'",
    )
    for text, vector in rows:  # each passage has its own vector, not a neighbour's
        assert np.allclose(np.frombuffer(vector, dtype=np.float32), fake_encoder.encode_documents([text])[0])
    storing = [done for stage, done, total in stages if stage == "storing"]
    assert storing == sorted(storing) and storing[-1] == 30
    embedding = [(done, total) for stage, done, total in stages if stage == "embedding"]
    assert embedding[-1][0] == embedding[-1][1] == report.passages
