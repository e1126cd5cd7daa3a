"""No torch on the add path (issue 19): every build embeds through the machine's ONNX export of the model.

sentence-transformers stays the reference: it makes the export (once per model and machine, in the
user cache), and the vectors the export stores agree with it. A damaged or missing export is made
again with a warning.
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
from qa.encoders.cache import LEGACY_INDEX_SUBDIRECTORY, export_directory, load_cached_encoder
from qa.encoders.checksum import model_checksum
from qa.encoders.documents import document_precision
from qa.engine import Engine
from qa.passages import sentence_spans
from qa.store.index import Index
from qa.store.records import MetaKey
from tests.support.backends import backend_settings
from tests.support.seeds import FEB_11_2024, FORBES, KYIV, SEED_QUESTIONS, assert_cited_as, copy_seed_corpus, hit_with

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
INT8 = "onnxruntime, int8"
RUN_TIMEOUT = 600
"""Seconds before a run counts as hung (a guard, not a speed claim: the fallback loads torch)."""


def run_qa(
    settings: Settings, *args: str | Path, cache: Path | None = None
) -> tuple[subprocess.CompletedProcess, list[str]]:
    """A real `qa ARGS` in a fresh process: the result, and which heavy modules it had imported at exit.

    `cache`: the user cache folder (XDG_CACHE_HOME) to run with; the session's, holding the export, by default.
    """
    where = ["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    if cache is not None:
        env["XDG_CACHE_HOME"] = str(cache)
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY_MODULES), *map(str, args), *where],
        capture_output=True,
        text=True,
        check=False,
        timeout=RUN_TIMEOUT,
        env=env,
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


def test_qa_add_and_an_incremental_qa_index_never_import_torch(seed_copy, tmp_path, embedder, exported_encoder):
    assert (exported_encoder / "model.onnx").is_file()  # the seed build exported it, into the user cache
    assert not (seed_copy.index_dir / LEGACY_INDEX_SUBDIRECTORY).exists()  # and made no copy in the index
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


@pytest.fixture(scope="module")
def exported_int8(exported_encoder) -> Path:
    """The machine's int8 export (a new index's documents), made in this process once; the fp32 one is for questions."""
    load_cached_encoder(BUNDLED_MODEL, precision="int8")
    return export_directory(BUNDLED_MODEL, "int8")


def test_a_first_build_and_a_rebuild_never_import_torch_either(tmp_path, exported_int8):
    settings = Settings(corpus_dir=copy_seed_corpus(tmp_path / "corpus"), index_dir=tmp_path / "index")
    built, modules = run_qa(settings, "index")
    assert built.returncode == 0, built.stderr
    assert modules == [] and "WARNING" not in built.stderr
    rebuilt, modules = run_qa(settings, "index", "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert modules == []
    status, _ = run_qa(settings, "status")
    assert f"embedded by {INT8}" in status.stdout.splitlines()  # a new index's documents: DEFAULT_PRECISION


def private_cache(tmp_path: Path, exported_encoder: Path) -> tuple[Path, Path]:
    """A user cache folder of its own holding a copy of the session's export: (the folder, the export)."""
    cache = tmp_path / "cache"
    export = cache / exported_encoder.relative_to(exported_encoder.parents[2])
    shutil.copytree(exported_encoder, export)
    return cache, export


def test_a_truncated_export_is_made_again_with_a_warning(seed_copy, tmp_path, exported_encoder):
    cache, export = private_cache(tmp_path, exported_encoder)
    model = export / "model.onnx"
    model.write_bytes(model.read_bytes()[: model.stat().st_size // 2])
    killed = export.parent / f".{export.name}-scratch"  # what an export killed part way leaves beside it
    (killed / "saved").mkdir(parents=True)
    harbour = tmp_path / "harbour.txt"
    harbour.write_text(HARBOUR, encoding="utf-8")

    added, modules = run_qa(seed_copy, "add", harbour, cache=cache)
    assert added.returncode == 0, added.stderr
    assert "sentence_transformers" in modules  # the probe sees it when it is used: to export
    assert "model.onnx is damaged" in added.stderr and "Exporting it again." in added.stderr
    assert not killed.exists()
    status, _ = run_qa(seed_copy, "status", cache=cache)
    assert f"embedded by {REFERENCE} + {ONNX}" in status.stdout.splitlines()  # the harbour went through the export

    (seed_copy.corpus_dir / "tram.txt").write_text(TRAM, encoding="utf-8")
    indexed, modules = run_qa(seed_copy, "index", cache=cache)
    assert indexed.returncode == 0, indexed.stderr
    assert modules == []  # repaired: the next build loads it as it is
    assert "WARNING" not in indexed.stderr


def test_a_deleted_cache_is_made_again_with_a_warning(seed_copy, tmp_path):
    cache = tmp_path / "emptied-cache"  # the user removed ~/.cache/qa: the index still records its model
    (seed_copy.corpus_dir / "tram.txt").write_text(TRAM, encoding="utf-8")
    indexed, modules = run_qa(seed_copy, "index", cache=cache)
    assert indexed.returncode == 0, indexed.stderr
    assert "No exported encoder in" in indexed.stderr and "Exporting it again." in indexed.stderr
    asked, modules = run_qa(seed_copy, "ask", "Where will the tram line go?", cache=cache)
    assert asked.returncode == 0, asked.stderr
    assert modules == [] and "WARNING" not in asked.stderr
    assert "airport" in asked.stdout


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
    # The build is one code path for both backends; each machine keeps its export in its user cache.
    with backend_settings("milvus-lite", tmp_path, copy_seed_corpus(tmp_path / "corpus")) as settings:
        first = Engine(settings, embedder=embedder)  # the reference builds the index and exports
        try:
            first.build_index()
        finally:
            first.close()
        assert (export_directory(BUNDLED_MODEL) / "model.onnx").is_file()  # the machine's, for every backend
        assert not (settings.index_dir / LEGACY_INDEX_SUBDIRECTORY).exists()
        (settings.corpus_dir / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
        engine = Engine(settings)
        try:
            report = engine.build_index()
            assert report.added == ["harbour.txt"]
            assert engine.status().document_encoder == f"{REFERENCE} + {ONNX}"
            assert engine.index.meta(MetaKey.MODEL_SHA256) == model_checksum(BUNDLED_MODEL)  # recorded in Milvus
            answer = engine.ask("When will the second pier open to ferries?", k=3)
            assert "harbour master" in answer.passages[0].text
        finally:
            engine.close()


# Precision: a new index's documents are int8, and every index keeps the precision it was embedded at.


@pytest.mark.parametrize(
    "embedded_by,has_vectors,precision",
    [
        (None, False, "int8"),  # a new index, or a rebuild (the engine passes None and False)
        (None, True, "fp32"),  # vectors from before "embedded by" was recorded: sentence-transformers
        (REFERENCE, True, "fp32"),
        (ONNX, True, "fp32"),
        (f"{REFERENCE} + {ONNX}", True, "fp32"),
        (INT8, True, "int8"),
    ],
)
def test_new_passages_are_embedded_at_the_precision_the_index_recorded(embedded_by, has_vectors, precision):
    assert document_precision(embedded_by, has_vectors=has_vectors) == precision


@pytest.fixture(scope="module")
def int8_seed(tmp_path_factory, seed_settings, exported_int8) -> Settings:
    """The seed index rebuilt as `qa index --rebuild` does: every passage through the int8 export."""
    root = tmp_path_factory.mktemp("int8-seed")
    corpus = shutil.copytree(seed_settings.corpus_dir, root / "corpus")
    index = shutil.copytree(seed_settings.index_dir, root / "index", ignore=shutil.ignore_patterns("*-shm"))
    settings = Settings(corpus_dir=corpus, index_dir=index, model=BUNDLED_MODEL)
    engine = Engine(settings)
    try:
        engine.build_index(rebuild=True)
        assert engine.status().document_encoder == INT8
    finally:
        engine.close()
    return settings


@pytest.fixture(scope="module")
def int8_seed_engine(int8_seed):
    engine = Engine(int8_seed)
    yield engine
    engine.close()


@pytest.mark.parametrize("question,phrase,source", SEED_QUESTIONS)
def test_seed_questions_hold_on_int8_passages(int8_seed_engine, question, phrase, source):
    answer = int8_seed_engine.ask(question, k=5)
    assert not answer.abstained
    assert_cited_as(hit_with(answer, phrase), source)


@pytest.mark.parametrize("question", ["What is the boiling point of tungsten?", "Who won the 1998 World Cup?"])
def test_off_topic_questions_still_abstain_on_int8_passages(int8_seed_engine, question):
    answer = int8_seed_engine.ask(question, k=5)
    assert answer.abstained and answer.passages == []


def test_the_two_denials_still_corroborate_on_int8_passages(int8_seed_engine):
    # tests/test_answer.py's corroboration case, on the int8 index.
    answer = int8_seed_engine.ask("Who denied sales to Russia?", k=5)
    top = answer.passages[0]
    assert answer.corroboration
    expected_other = "The Kyiv Independent" if top.outlet == "Forbes" else "Forbes"
    assert (expected_other, FEB_11_2024) in {(c.outlet, c.published) for c in answer.corroboration}
    assert all(corroboration.outlet != top.outlet for corroboration in answer.corroboration)


def test_qa_add_into_an_int8_index_embeds_int8_without_torch(int8_seed, tmp_path):
    corpus = shutil.copytree(int8_seed.corpus_dir, tmp_path / "corpus")
    index = shutil.copytree(int8_seed.index_dir, tmp_path / "index", ignore=shutil.ignore_patterns("*-shm"))
    settings = Settings(corpus_dir=corpus, index_dir=index, model=BUNDLED_MODEL)
    harbour = tmp_path / "harbour.txt"
    harbour.write_text(HARBOUR, encoding="utf-8")
    added, modules = run_qa(settings, "add", harbour, "--outlet", "Harbour News", "--date", "2024-03-01")
    assert added.returncode == 0, added.stderr
    assert modules == []
    status, _ = run_qa(settings, "status")
    assert f"embedded by {INT8}" in status.stdout.splitlines()  # not joined with float32: one precision
    [(text, vector, _, _)] = stored(settings, "harbour master")
    int8 = load_cached_encoder(BUNDLED_MODEL, precision="int8")
    np.testing.assert_allclose(vector, int8.encode_documents([text])[0], atol=1e-5)
