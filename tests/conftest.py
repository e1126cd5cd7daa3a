"""Shared fixtures: the real bundled model (loaded once), the seed corpus indexed once, a fake encoder, tmp paths.

Nothing here writes into the repository: the seed articles are copied into a session tmp dir,
and an autouse fixture points QA_INDEX / QA_CORPUS (and the working directory) at tmp. Helpers
that are not fixtures live in tests/support/ (see tests/README.md).

Tiers: a test that asks for the real model (the `embedder` or `exported_encoder` fixture, directly
or through a seed index) is marked `model` here; modules that load it another way (a `qa` process,
`qa` run in-process over a new index) say so with `pytestmark`. `make test-fast` runs the rest.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from qa.config import BUNDLED_MODEL, Settings
from qa.embed import Embedder
from qa.encoders import load_query_encoder
from qa.encoders.cache import export_directory
from qa.engine import Engine
from qa.ingest import read_file
from qa.models import Article, Passage
from tests.support.fake_encoder import HashingEncoder
from tests.support.seeds import FORBES, KYIV, copy_seed_corpus

hypothesis_settings.register_profile("qa", deadline=None)
hypothesis_settings.load_profile("qa")
"""No time limit per Hypothesis example: a deadline is a timing assertion, and fails on a busy machine or worker."""

MODEL_FIXTURES = frozenset({"embedder", "exported_encoder"})
"""Fixtures that load the real model: a test using one, even through another fixture, is marked `model`."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)


@pytest.fixture(scope="session", autouse=True)
def user_cache(tmp_path_factory) -> Iterator[Path]:
    """The user cache folder (XDG_CACHE_HOME) for the whole session, before any other fixture: the model's
    ONNX export is made there once (as on a user's machine), never in the developer's own cache."""
    cache = tmp_path_factory.mktemp("user-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(cache))
        yield cache


@pytest.fixture(autouse=True)
def env_setup(monkeypatch, tmp_path):
    """Default paths point at tmp, so no test can touch the repository's index/ or corpus/, nor read or write
    the developer's config file and archive."""
    monkeypatch.setenv("QA_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("QA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QA_INDEX", str(tmp_path / "env-index"))
    monkeypatch.setenv("QA_CORPUS", str(tmp_path / "env-corpus"))
    monkeypatch.delenv("QA_MODEL", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The bundled model, loaded once for the whole session (loading takes seconds)."""
    shared = Embedder()
    _ = shared.model
    return shared


@pytest.fixture(scope="session")
def seed_corpus(tmp_path_factory) -> Path:
    """The two seed articles and their sidecars, copied once for the session; treat as read-only."""
    return copy_seed_corpus(tmp_path_factory.mktemp("seed") / "corpus")


@pytest.fixture(scope="session")
def seed_settings(seed_corpus, embedder) -> Settings:
    """Settings of a session-wide index of the two seed articles, built once; treat as read-only."""
    settings = Settings(corpus_dir=seed_corpus, index_dir=seed_corpus.parent / "index", model=BUNDLED_MODEL)
    report = Engine(settings, embedder=embedder).build_index()
    assert sorted(report.added) == [FORBES, KYIV] and report.skipped == []
    return settings


@pytest.fixture(scope="session")
def seed_engine(seed_settings, embedder):
    """An Engine over the session seed index, for questions (never for writes)."""
    engine = Engine(seed_settings, embedder=embedder)
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def seed_articles(seed_corpus) -> dict[str, Article]:
    """The two seed articles as the reader makes them, keyed "forbes" and "kyiv" (no index, no model)."""
    corpus = seed_corpus
    [forbes] = read_file(corpus / FORBES, corpus_dir=corpus)
    [kyiv] = read_file(corpus / KYIV, corpus_dir=corpus)
    return {"forbes": forbes, "kyiv": kyiv}


@pytest.fixture(scope="session")
def indexed_passages(seed_engine) -> list[tuple[Passage, Article]]:
    """Every passage stored in the session seed index, with the stored article it belongs to."""
    ids, _ = seed_engine.index.stored_vectors()
    found = seed_engine.index.passages_with_articles(ids.tolist())
    return [found[passage_id] for passage_id in sorted(found)]


@pytest.fixture
def seed_copy(tmp_path, seed_settings) -> Settings:
    """A private copy of the seed corpus and its built index, for tests that change either."""
    corpus = shutil.copytree(seed_settings.corpus_dir, tmp_path / "corpus")
    index = shutil.copytree(seed_settings.index_dir, tmp_path / "index", ignore=shutil.ignore_patterns("*-shm"))
    return Settings(corpus_dir=corpus, index_dir=index, model=BUNDLED_MODEL)


@pytest.fixture(scope="session")
def exported_encoder(seed_settings) -> Path:
    """The bundled model's ONNX export (qa.encoders), as the seed build left it in the session's user
    cache: no second export. Treat as read-only, copy to change it."""
    directory = export_directory(BUNDLED_MODEL)
    load_query_encoder(directory, BUNDLED_MODEL)  # raises unless the export is whole and of this model
    return directory


@pytest.fixture(scope="session")
def fake_encoder() -> HashingEncoder:
    """The hashing stand-in for the model (tests/support/fake_encoder.py): vectors, not retrieval quality."""
    return HashingEncoder()


@pytest.fixture
def fake_seed_copy(tmp_path, fake_encoder) -> Settings:
    """A private seed corpus indexed with the fake encoder, for tests of plumbing that change it.

    Open it with `Engine(fake_seed_copy, embedder=fake_encoder)`; the real model would refuse it.
    """
    settings = Settings(
        corpus_dir=copy_seed_corpus(tmp_path / "corpus"), index_dir=tmp_path / "index", model=fake_encoder.name
    )
    engine = Engine(settings, embedder=fake_encoder)
    try:
        report = engine.build_index()
    finally:
        engine.close()
    assert sorted(report.added) == [FORBES, KYIV] and report.skipped == []
    return settings
