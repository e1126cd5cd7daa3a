"""No torch on the add path (issue 19): `qa add` and an incremental `qa index` embed through the index's ONNX export.

sentence-transformers stays the reference: it builds a new index and makes the export, and the
vectors the export stores agree with it. A damaged export falls back to it and is repaired.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa.config import BUNDLED_MODEL, Settings
from qa.engine import Engine
from qa.passages import sentence_spans
from qa.store.index import Index
from tests.support.backends import backend_settings
from tests.support.seeds import FORBES, KYIV, SEED_QUESTIONS, assert_cited_as, copy_seed_corpus, hit_with

HEAVY_MODULES = ["torch", "transformers", "sentence_transformers"]
PROBE = """
import atexit, json, sys
atexit.register(lambda: print(json.dumps([name for name in {heavy!r} if name in sys.modules]), file=sys.stderr))
from qa.cli import main
main(sys.argv[1:])
"""
HARBOUR = (
    "The harbour master said on Friday that a second pier would open to ferries next month, "
    "easing the queues that have formed at the old terminal since the summer timetable began. "
    "Ferry operators welcomed the decision and said they would add evening crossings once the "
    "new pier is ready, while residents asked for quieter engines at night."
)
TRAM = (
    "The city council voted on Tuesday to extend the tram line to the airport, a project that has "
    "been discussed for more than a decade. Officials said construction would begin next spring and "
    "take about three years.\n\n"
    "Opponents argued that the money would be better spent on buses serving the outer districts, "
    "where residents have complained for years about infrequent service."
)
REFERENCE = "sentence-transformers, torch, float32"
ONNX = "onnxruntime, float32"
RUN_TIMEOUT = 600
"""Seconds before a run counts as hung (a guard, not a speed claim: the fallback loads torch)."""


def run_qa(settings: Settings, *args: str | Path) -> tuple[subprocess.CompletedProcess, list[str]]:
    """A real `qa ARGS` in a fresh process: the result, and which heavy modules it had imported at exit."""
    where = ["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY_MODULES), *map(str, args), *where],
        capture_output=True,
        text=True,
        check=False,
        timeout=RUN_TIMEOUT,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
    )
    *_, modules = result.stderr.strip().splitlines() or ["null"]
    return result, json.loads(modules)


def stored(settings: Settings, phrase: str) -> list[tuple[str, np.ndarray, list[str], np.ndarray]]:
    """(text, vector, sentences, sentence vectors) of every stored passage containing `phrase`."""
    index = Index.open(settings.index_dir)
    try:
        ids, matrix = index.stored_vectors()
        found = index.passages_with_articles(ids.tolist())
        wanted = [int(pid) for pid in ids if phrase in found[int(pid)][0].text]
        sentences = index.sentence_vectors(wanted)
        rows = {int(pid): row for row, pid in enumerate(ids)}
        return [
            (
                found[pid][0].text,
                matrix[rows[pid]],
                [found[pid][0].text[start:end] for start, end in sentences[pid].spans],
                np.asarray(sentences[pid].vectors, dtype=np.float32),
            )
            for pid in wanted
        ]
    finally:
        index.close()


def assert_agree(vectors: np.ndarray, reference: np.ndarray, *, at_least: float) -> None:
    cosines = (vectors * reference).sum(axis=1) / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(reference, axis=1))
    assert cosines.min() >= at_least, cosines


def test_qa_add_and_an_incremental_qa_index_never_import_torch(seed_copy, tmp_path, embedder):
    assert (seed_copy.index_dir / "encoder" / "model.onnx").is_file()  # the seed build exported it
    harbour = tmp_path / "harbour.txt"
    harbour.write_text(HARBOUR, encoding="utf-8")

    added, modules = run_qa(seed_copy, "add", harbour, "--outlet", "Harbour News", "--date", "2024-03-01")
    assert added.returncode == 0, added.stderr
    assert modules == []
    assert "1 new" in added.stdout

    (seed_copy.corpus_dir / "tram.txt").write_text(TRAM, encoding="utf-8")
    indexed, modules = run_qa(seed_copy, "index")
    assert indexed.returncode == 0, indexed.stderr
    assert modules == []
    assert "1 new" in indexed.stdout

    status, modules = run_qa(seed_copy, "status")
    assert status.returncode == 0, status.stderr
    assert f"embedded by {REFERENCE} + {ONNX}" in status.stdout.splitlines()

    # The passages and sentence vectors the export stored are the reference model's (sentence
    # vectors are kept as float16, hence the looser bound).
    for phrase in ("harbour master", "tram line", "outer districts"):
        [(text, vector, sentences, sentence_vectors)] = stored(seed_copy, phrase)
        assert_agree(vector[None, :], embedder.encode_documents([text]), at_least=0.9999)
        assert len(sentences) >= 1
        [pooled] = embedder.encode_passages([text], [sentence_spans(text)]).sentences  # one forward pass
        assert_agree(sentence_vectors, pooled, at_least=0.999)

    answer = Engine(seed_copy).ask("When will the second pier open to ferries?", k=3)
    assert "harbour master" in answer.passages[0].text
    assert answer.passages[0].outlet == "Harbour News"


def test_a_damaged_export_falls_back_to_sentence_transformers_and_is_repaired(seed_copy, tmp_path):
    model = seed_copy.index_dir / "encoder" / "model.onnx"
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model.write_bytes(bytes(data))
    harbour = tmp_path / "harbour.txt"
    harbour.write_text(HARBOUR, encoding="utf-8")

    added, modules = run_qa(seed_copy, "add", harbour)
    assert added.returncode == 0, added.stderr
    assert "torch" in modules and "sentence_transformers" in modules  # the probe sees them when they are used
    assert "model.onnx is damaged" in added.stderr and "Exporting it again." in added.stderr

    (seed_copy.corpus_dir / "tram.txt").write_text(TRAM, encoding="utf-8")
    indexed, modules = run_qa(seed_copy, "index")
    assert indexed.returncode == 0, indexed.stderr
    assert modules == []  # repaired: the next build embeds through the export again
    assert "WARNING" not in indexed.stderr


@pytest.fixture(scope="module")
def onnx_seed(tmp_path_factory, seed_settings) -> Settings:
    """The seed index with both articles embedded again through the export (each file changed by a newline)."""
    root = tmp_path_factory.mktemp("onnx-seed")
    corpus = shutil.copytree(seed_settings.corpus_dir, root / "corpus")
    index = shutil.copytree(seed_settings.index_dir, root / "index", ignore=shutil.ignore_patterns("*-shm"))
    settings = Settings(corpus_dir=corpus, index_dir=index, model=BUNDLED_MODEL)
    for name in (FORBES, KYIV):
        with (corpus / name).open("a", encoding="utf-8") as handle:
            handle.write("\n")
    engine = Engine(settings)
    try:
        report = engine.build_index()
        assert sorted(report.updated) == [FORBES, KYIV]
        assert report.passages == engine.status().counts.passages
        assert engine.status().document_encoder == ONNX  # no passage of the reference's build is left
    finally:
        engine.close()
    return settings


@pytest.fixture(scope="module")
def onnx_seed_engine(onnx_seed):
    engine = Engine(onnx_seed)
    yield engine
    engine.close()


@pytest.mark.parametrize("question,phrase,source", SEED_QUESTIONS)
def test_seed_questions_hold_on_passages_embedded_through_the_export(onnx_seed_engine, question, phrase, source):
    answer = onnx_seed_engine.ask(question, k=5)
    assert not answer.abstained
    assert_cited_as(hit_with(answer, phrase), source)


def test_milvus_adds_through_the_export_too(tmp_path, embedder):
    # The build is one code path for both backends; Milvus keeps the export on each machine.
    with backend_settings("milvus-lite", tmp_path, copy_seed_corpus(tmp_path / "corpus")) as settings:
        first = Engine(settings, embedder=embedder)  # the reference builds the index and exports
        try:
            first.build_index()
        finally:
            first.close()
        assert (settings.index_dir / "encoder" / "model.onnx").is_file()
        (settings.corpus_dir / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
        engine = Engine(settings)
        try:
            report = engine.build_index()
            assert report.added == ["harbour.txt"]
            assert engine.status().document_encoder == f"{REFERENCE} + {ONNX}"
            answer = engine.ask("When will the second pier open to ferries?", k=3)
            assert "harbour master" in answer.passages[0].text
        finally:
            engine.close()
