"""One export per model, not per index (issue 19): the ONNX export lives in the user cache, named by the
model's checksum, and each index records the checksum of the model files its vectors came from."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from qa.config import BUNDLED_MODEL
from qa.encoders import load_query_encoder
from qa.encoders.cache import EXPORTS_FOLDER, LEGACY_INDEX_SUBDIRECTORY, export_directory
from qa.encoders.checksum import CHECKSUMS_FILE, model_checksum
from qa.engine import Engine
from qa.errors import IndexMismatchError
from qa.locations import cache_dir
from qa.store.records import MetaKey
from tests.support.seeds import SEED_QUESTIONS, assert_cited_as, hit_with

pytestmark = pytest.mark.model
MAX_SEED_INDEX_BYTES = 5 * 1024 * 1024
QUESTION, PHRASE, SOURCE = SEED_QUESTIONS[0].values


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def set_meta(index_dir: Path, key: str, value: str | None) -> None:
    """Write the index's manifest row as another qa (or other model files) would have left it."""
    with sqlite3.connect(index_dir / "qa.sqlite3") as db:
        if value is None:
            db.execute("DELETE FROM meta WHERE key = ?", (str(key),))
        else:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (str(key), value))
    db.close()


def get_meta(index_dir: Path, key: str) -> str | None:
    with sqlite3.connect(index_dir / "qa.sqlite3") as db:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (str(key),)).fetchone()
    db.close()
    return row[0] if row else None


def test_the_seed_index_holds_no_export_and_is_under_five_megabytes(seed_settings, exported_encoder):
    assert not (seed_settings.index_dir / LEGACY_INDEX_SUBDIRECTORY).exists()
    assert folder_bytes(seed_settings.index_dir) < MAX_SEED_INDEX_BYTES
    assert exported_encoder.parent == cache_dir() / EXPORTS_FOLDER  # the machine's, shared by every index
    assert get_meta(seed_settings.index_dir, MetaKey.MODEL_SHA256) == model_checksum(BUNDLED_MODEL)


@pytest.fixture
def model_folder(tmp_path) -> Path:
    """A model's files as a local path names them (contents do not matter to the checksum)."""
    folder = tmp_path / "my-model"
    (folder / "1_Pooling").mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"weights" * 1000)
    (folder / "config.json").write_text('{"hidden_size": 384}')
    (folder / "1_Pooling" / "config.json").write_text('{"pooling_mode_mean_tokens": true}')
    (folder / "README.md").write_text("A model card.")
    return folder


def test_the_model_checksum_follows_the_files_contents(model_folder):
    model = str(model_folder)
    first = model_checksum(model)
    assert model_checksum(model) == first
    (model_folder / "README.md").write_text("A longer model card, edited.")
    (model_folder / ".gitattributes").write_text("*.safetensors filter=lfs")
    os.utime(model_folder / "config.json", ns=(1, 1))  # touched, same content
    assert model_checksum(model) == first
    (model_folder / "1_Pooling" / "config.json").write_text('{"pooling_mode_cls_token": true}')
    assert model_checksum(model) != first


def test_the_model_checksum_is_kept_by_size_and_modification_time(model_folder):
    model = str(model_folder)
    model_checksum(model)
    kept = cache_dir() / CHECKSUMS_FILE
    known = json.loads(kept.read_text())
    entry = known[str(model_folder.resolve())]
    assert set(entry["files"]) == {"model.safetensors", "config.json", "1_Pooling/config.json"}
    entry["sha256"] = "kept" * 16
    kept.write_text(json.dumps(known))
    assert model_checksum(model) == "kept" * 16  # no file changed: not hashed again
    (model_folder / "model.safetensors").write_bytes(b"other weights")
    assert model_checksum(model) not in ("kept" * 16, entry["sha256"])


def test_a_model_changed_under_its_name_is_refused_until_a_rebuild(seed_copy):
    set_meta(seed_copy.index_dir, MetaKey.MODEL_SHA256, "0" * 64)  # embedded by other files of the model
    engine = Engine(seed_copy)
    try:
        with pytest.raises(IndexMismatchError, match=r"other files of the model .*`qa index --rebuild`"):
            engine.ask(QUESTION)
        with pytest.raises(IndexMismatchError, match=r"`qa index --rebuild`"):
            engine.build_index()
        engine.build_index(rebuild=True)
        assert get_meta(seed_copy.index_dir, MetaKey.MODEL_SHA256) == model_checksum(BUNDLED_MODEL)
        assert_cited_as(hit_with(engine.ask(QUESTION), PHRASE), SOURCE)
    finally:
        engine.close()


def test_an_index_made_by_the_previous_qa_keeps_working_and_loses_its_copy(seed_copy, exported_encoder):
    # The previous qa kept a copy of the export in INDEX/encoder and recorded that copy's checksum.
    legacy = shutil.copytree(exported_encoder, seed_copy.index_dir / LEGACY_INDEX_SUBDIRECTORY)
    set_meta(seed_copy.index_dir, MetaKey.MODEL_SHA256, None)
    set_meta(seed_copy.index_dir, "query_encoder_sha256", "e3" * 32)
    engine = Engine(seed_copy)
    try:
        assert_cited_as(hit_with(engine.ask(QUESTION), PHRASE), SOURCE)
        assert engine.query_encoder.backend.startswith("onnxruntime")
        report = engine.build_index()  # nothing changed in the corpus
        assert report.added == [] and report.updated == []
        assert not legacy.exists()
        assert get_meta(seed_copy.index_dir, MetaKey.MODEL_SHA256) == model_checksum(BUNDLED_MODEL)
        assert_cited_as(hit_with(engine.ask(QUESTION), PHRASE), SOURCE)
    finally:
        engine.close()


EXPORT_ONCE = """
import sys
from qa.encoders.cache import load_cached_encoder
encoder = load_cached_encoder(sys.argv[1])
print(encoder.encode_query("Who denied sales to Russia?")[:4].tolist())
"""


def test_two_processes_making_the_export_at_once_leave_one_whole_export(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    legacy = cache_dir() / EXPORTS_FOLDER / "3f23e6375bcaf83d"  # the older qa's cache, copied into each index
    legacy.mkdir(parents=True)
    (legacy / "model.onnx").write_bytes(b"an older export")
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", EXPORT_ONCE, BUNDLED_MODEL],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    results = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err for _, err in results]
    assert results[0][0] == results[1][0]  # the same vectors
    [export] = [path for path in (cache_dir() / EXPORTS_FOLDER).iterdir() if path.is_dir()]  # no scratch, no legacy
    assert export == export_directory(BUNDLED_MODEL)
    load_query_encoder(export, BUNDLED_MODEL)  # whole: every file matches its manifest
