"""Shared fixtures: the real bundled model (loaded once), the seed corpus indexed once, tmp paths.

Nothing here writes into the repository: the seed articles are copied into a session tmp dir,
and an autouse fixture points QA_INDEX / QA_CORPUS (and the working directory) at tmp.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from qa.config import BUNDLED_MODEL, Settings
from qa.embed import Embedder
from qa.engine import Engine
from qa.ingest import read_file
from qa.models import Article, Passage

REPO = Path(__file__).resolve().parents[1]
SEED_CORPUS = REPO / "corpus"
FORBES = "000_89455b2704f0d18a.txt"
"""Forbes, 11 Feb 2024, as republished by The America One News on 31 May 2025."""
KYIV = "001_41b4ecfdd1211d06.txt"
"""The Kyiv Independent, 11 Feb 2024."""
SEED_FILES = (
    FORBES,
    "000_89455b2704f0d18a.meta.json",
    KYIV,
    "001_41b4ecfdd1211d06.meta.json",
)


def copy_seed_corpus(target: Path) -> Path:
    """The two seed articles and their sidecars, copied into `target` (created)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in SEED_FILES:
        shutil.copyfile(SEED_CORPUS / name, target / name)  # writable, unlike the originals
    return target


@pytest.fixture(autouse=True)
def env_setup(monkeypatch, tmp_path):
    """Default paths point at tmp, so no test can touch the repository's index/ or corpus/."""
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
def seed_settings(tmp_path_factory, embedder) -> Settings:
    """Settings of a session-wide index of the two seed articles, built once; treat as read-only."""
    root = tmp_path_factory.mktemp("seed")
    settings = Settings(corpus_dir=copy_seed_corpus(root / "corpus"), index_dir=root / "index", model=BUNDLED_MODEL)
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
def seed_articles(seed_settings) -> dict[str, Article]:
    """The two seed articles as the reader makes them, keyed "forbes" and "kyiv"."""
    corpus = seed_settings.corpus_dir
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
def exported_encoder(tmp_path_factory) -> Path:
    """The bundled model exported once to ONNX (qa.encoders); treat as read-only, copy to change it."""
    from qa.encoders import export_query_encoder

    directory = tmp_path_factory.mktemp("onnx-export") / "encoder"
    export_query_encoder(BUNDLED_MODEL, directory)
    return directory


BACKENDS = ("embedded", "milvus-lite", "milvus-server")
"""The storage backends every behaviour test runs on: FAISS + SQLite, milvus-lite in-process, and
milvus-lite's gRPC server (the API of Milvus Standalone and Distributed) on a local port."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def milvus_lite_server(data_dir: Path) -> Iterator[str]:
    """milvus-lite's gRPC server in its own process on a free port; yields its URI, stops it after."""
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "milvus_lite",
            "server",
            "--data-dir",
            str(data_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if server.poll() is not None:
                raise RuntimeError(f"milvus-lite server exited: {server.stderr.read().decode()}")
            if time.monotonic() > deadline:
                raise RuntimeError("milvus-lite server did not start within 60 s")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@contextmanager
def backend_settings(backend: str, root: Path, corpus: Path) -> Iterator[Settings]:
    """Settings for `backend` over `corpus`, with the index (or the Milvus data) under `root`."""
    base = Settings(corpus_dir=corpus, index_dir=root / "index", model=BUNDLED_MODEL)
    if backend == "embedded":
        yield base
    elif backend == "milvus-lite":
        yield base.model_copy(update={"backend": "milvus", "milvus_uri": str(root / "lite.db")})
    else:
        with milvus_lite_server(root / "server-data") as uri:
            yield base.model_copy(update={"backend": "milvus", "milvus_uri": uri})
