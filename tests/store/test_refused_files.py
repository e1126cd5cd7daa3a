"""A file refused whole is reported once per change of the file, and `qa status` lists it with its reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.engine import Engine
from qa.ingest import fingerprint
from qa.store.records import RefusedFile
from tests.support.backends import backend_settings
from tests.support.processes import qa
from tests.support.seeds import copy_seed_corpus

STORY = (
    "The harbour ferries stopped running on Tuesday after the crews walked out over pay. "
    "Passengers waited for hours at the terminal while the operator tried to find replacement crews. "
    "The union said the strike would last until the operator returned to talks about wages and shifts."
)


@pytest.mark.parametrize("backend", ["embedded", "milvus-lite"])
def test_a_refused_file_is_reported_once_per_change_and_kept_in_the_index_record(
    backend: str, tmp_path: Path, embedder
) -> None:
    corpus = copy_seed_corpus(tmp_path / "corpus")
    empty = corpus / "ferry.txt"
    empty.write_text("", encoding="utf-8")
    with backend_settings(backend, tmp_path, corpus) as settings:
        engine = Engine(settings, embedder=embedder)
        try:
            first = engine.build_index()
            [skipped] = first.skipped
            assert skipped.path == "ferry.txt" and "empty" in skipped.reason and first.still_refused == 0

            again = engine.build_index()
            assert again.skipped == [] and again.still_refused == 1 and not again.changed
            assert engine.status().refused == [RefusedFile("ferry.txt", fingerprint(empty), skipped.reason)]
            assert engine.stale_files() == []  # listed as refused, not as waiting for `qa index`

            empty.write_text(" \n", encoding="utf-8")  # changed, still unusable: reported again
            changed = engine.build_index()
            assert [each.path for each in changed.skipped] == ["ferry.txt"] and changed.still_refused == 0
            assert [each.fingerprint for each in engine.status().refused] == [fingerprint(empty)]

            empty.write_text(STORY, encoding="utf-8")  # fixed: indexed, and no longer listed
            fixed = engine.build_index()
            assert fixed.added == ["ferry.txt"] and fixed.skipped == []
            assert engine.status().refused == []
        finally:
            engine.close()


@pytest.mark.model  # `qa index` in-process embeds with the real model
def test_qa_index_exits_3_once_then_0_and_qa_status_lists_the_refused_file(tmp_path: Path, capsys) -> None:
    corpus = copy_seed_corpus(tmp_path / "corpus")
    (corpus / "ferry.txt").write_text("", encoding="utf-8")
    where = ["--corpus", str(corpus), "--index", str(tmp_path / "index")]

    code, _, err = qa("index", *where, capsys=capsys)
    assert code == 3 and f"skipped {corpus / 'ferry.txt'}: " in err
    code, out, err = qa("index", *where, capsys=capsys)
    assert code == 0 and "skipped" not in err
    assert "1 still skipped as before (unchanged; `qa status` lists them)" in out
    code, out, _ = qa("status", *where, capsys=capsys)
    lines = out.splitlines()
    assert code == 0 and any(line.startswith("skipped     1 file(s) refused whole") for line in lines)
    assert any(line.strip().startswith("ferry.txt: ") and "empty" in line for line in lines)
    assert "stale       0 file(s)" in out
