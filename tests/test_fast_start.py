"""Fast start (issue 8): questions are answered through the ONNX encoder without loading torch.

`qa index` makes the export once per model and machine, in the user cache; `qa ask` loads it, or
warns once and makes it again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa.config import Settings
from qa.engine import Engine

HEAVY_MODULES = ["torch", "transformers", "sentence_transformers"]
QUESTION = "Who denied sales to Russia?"
LIGHT_ASK = """
import json, sys
from qa.answer import answer_question
from qa.config import Settings
from qa.encoders import load_query_encoder
from qa.encoders.cache import export_directory
from qa.store.index import Index

settings = Settings()
index = Index.open(settings.index_dir)
encoder = load_query_encoder(export_directory(settings.model), settings.model)
answer = answer_question(index, encoder, sys.argv[1], k=5, min_similarity=settings.min_similarity)
print(answer.model_dump_json())
print(json.dumps([name for name in {heavy!r} if name in sys.modules]), file=sys.stderr)
"""
REAL_ASK = """
import atexit, json, sys
atexit.register(lambda: print(json.dumps([name for name in {heavy!r} if name in sys.modules]), file=sys.stderr))
from qa.cli import main
main(["ask", sys.argv[1], "--json"])
"""


@pytest.fixture
def exported_index(seed_copy: Settings, exported_encoder: Path) -> Settings:
    """A private seed index, with the model's ONNX export in the user cache, as `qa index` leaves them."""
    return seed_copy


def run(code: str, settings: Settings, *, cache: Path | None = None) -> subprocess.CompletedProcess:
    """`code` in a fresh process over `settings`'s index; `cache`: its user cache (the session's by default)."""
    env = {"QA_INDEX": str(settings.index_dir), "QA_CORPUS": str(settings.corpus_dir), "HF_HUB_OFFLINE": "1"}
    if cache is not None:
        env["XDG_CACHE_HOME"] = str(cache)
    return subprocess.run(
        [sys.executable, "-c", code.format(heavy=HEAVY_MODULES), QUESTION],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
    )


def comparable(answer: dict) -> list[tuple]:
    return [(hit["doc_id"], hit["text"], hit["highlight"], round(hit["similarity"], 3)) for hit in answer["passages"]]


def test_the_light_path_answers_like_sentence_transformers_without_loading_them(exported_index, embedder):
    result = run(LIGHT_ASK, exported_index)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []
    light = json.loads(result.stdout)
    reference = json.loads(Engine(exported_index, embedder=embedder).ask(QUESTION).model_dump_json())
    assert light["passages"], "the seed corpus answers this question"
    assert comparable(light) == comparable(reference)


def test_qa_ask_on_an_exported_index_never_imports_torch(exported_index, embedder):
    result = run(REAL_ASK, exported_index)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []
    reference = json.loads(Engine(exported_index, embedder=embedder).ask(QUESTION).model_dump_json())
    assert comparable(json.loads(result.stdout)) == comparable(reference)


def test_qa_ask_without_the_export_warns_once_and_makes_it_again(seed_copy, embedder, tmp_path):
    cache = tmp_path / "cache"  # this machine's cache was emptied (or the index came from another machine)
    result = run(REAL_ASK, seed_copy, cache=cache)
    assert result.returncode == 0, result.stderr
    *warnings, modules = result.stderr.strip().splitlines()
    assert len(warnings) == 1 and "No exported encoder in" in warnings[0] and "Exporting it again." in warnings[0]
    reference = json.loads(Engine(seed_copy, embedder=embedder).ask(QUESTION).model_dump_json())
    assert comparable(json.loads(result.stdout)) == comparable(reference)

    # made once: the next question loads it without torch, and without a word
    after = run(REAL_ASK, seed_copy, cache=cache)
    assert after.returncode == 0, after.stderr
    *warnings, modules = after.stderr.strip().splitlines()
    assert warnings == [] and json.loads(modules) == []
    assert comparable(json.loads(after.stdout)) == comparable(reference)
