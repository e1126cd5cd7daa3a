"""The fake encoder and the seam it goes through: `Engine(settings, embedder=...)` with any TextEncoder.

Tests of plumbing build with it in milliseconds; these tests pin what they rely on: it is
deterministic in every process, an engine given it builds and answers with it alone (no ONNX export,
no model), and a passage quoted word for word is its own nearest neighbour.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from qa.encoders.cache import LEGACY_INDEX_SUBDIRECTORY
from qa.engine import Engine
from tests.support.fake_encoder import HashingEncoder
from tests.support.seeds import REPO

QUOTE = "This is categorically false"


def test_vectors_are_unit_length_and_the_same_in_another_process():
    encoder = HashingEncoder()
    texts = ["Who denied sales to Russia?", "", "!!!"]
    vectors = encoder.encode_documents(texts)
    assert vectors.shape == (3, encoder.dimension) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    elsewhere = subprocess.run(
        [
            sys.executable,
            "-c",
            "from tests.support.fake_encoder import HashingEncoder as H; "
            "import json; print(json.dumps(H().encode_query('Who denied sales to Russia?').tolist()))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    assert np.allclose(json.loads(elsewhere.stdout), vectors[0])  # the hash is not Python's salted hash()


def test_shared_words_are_closer_than_none():
    encoder = HashingEncoder()
    question = encoder.encode_query("ferry crews walk out")
    near = encoder.encode_query("The ferry crews walked out over pay")
    far = encoder.encode_query("A record apple harvest in the valley")
    assert float(question @ near) > float(question @ far)


def test_an_engine_given_the_fake_builds_and_answers_without_the_model(
    fake_seed_copy, fake_encoder, tmp_path, monkeypatch
):
    cache = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    engine = Engine(fake_seed_copy, embedder=fake_encoder)
    try:
        engine.build_index(rebuild=True)
        status = engine.status()
        assert (status.model, status.dimension) == (fake_encoder.name, fake_encoder.dimension)
        assert not (fake_seed_copy.index_dir / LEGACY_INDEX_SUBDIRECTORY).exists()
        assert not cache.exists()  # no model looked for, no export made
        answer = engine.ask(QUOTE, k=3)
        assert QUOTE in answer.passages[0].text and answer.passages[0].outlet == "The Kyiv Independent"
    finally:
        engine.close()
