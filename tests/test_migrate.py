"""`qa migrate --to milvus`: the embedded index copied into Milvus as it is, resumably, counts verified."""

from __future__ import annotations

import subprocess

import pytest

from qa.config import Settings
from qa.engine import Engine
from qa.errors import QAError
from qa.store import migrate as migrate_module
from qa.store.backends import milvus_target
from qa.store.migrate import migrate_to_milvus
from tests.support.processes import QA_SCRIPT, write_articles


class Interrupted(Exception):
    """Stands for Ctrl-C or a crash between two recorded steps."""


def _milvus(settings: Settings, uri: str) -> Settings:
    return settings.model_copy(update={"backend": "milvus", "milvus_uri": uri})


def test_the_seed_index_answers_the_same_from_milvus_after_migration(seed_copy, seed_engine, embedder, tmp_path):
    report = migrate_to_milvus(seed_copy.index_dir, milvus_target(_milvus(seed_copy, str(tmp_path / "lite.db"))))
    assert report.counts.passages == seed_engine.status().counts.passages and report.resumed_after is None
    migrated = Engine(_milvus(seed_copy, str(tmp_path / "lite.db")), embedder=embedder)
    try:
        for question in ("Who denied sales to Russia?", "What did Forbes ask SpaceX?"):
            ours, embedded = migrated.ask(question), seed_engine.ask(question)
            assert embedded.passages  # two abstentions would agree and prove nothing
            assert sorted((h.outlet, h.text, h.highlight) for h in ours.passages) == sorted(
                (h.outlet, h.text, h.highlight) for h in embedded.passages
            )
        assert migrated.status().model == seed_engine.status().model
        assert not migrated.build_index().changed  # the manifest came along: nothing to embed again
    finally:
        migrated.close()


def test_an_interrupted_migration_resumes_where_it_stopped(tmp_path, embedder, monkeypatch):
    corpus = tmp_path / "corpus"
    write_articles(corpus, 12, seed=5)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    engine = Engine(settings, embedder=embedder)
    engine.build_index()
    embedded_counts = engine.status().counts
    engine.close()
    target = milvus_target(_milvus(settings, str(tmp_path / "lite.db")))
    monkeypatch.setattr(migrate_module, "FILES_PER_STEP", 5)

    def stop_after_first_step(stage: str, done: int, total: int) -> None:
        if stage == "migrating" and done >= 5:
            raise Interrupted

    with pytest.raises(Interrupted):
        migrate_to_milvus(settings.index_dir, target, on_progress=stop_after_first_step)
    report = migrate_to_milvus(settings.index_dir, target)
    assert report.resumed_after == "report-5-004.txt"
    compared = ("files", "articles", "passages")
    assert [getattr(report.counts, name) for name in compared] == [getattr(embedded_counts, name) for name in compared]
    assert report.counts.files == 12


@pytest.mark.model
def test_migrating_an_empty_index_says_what_to_do(tmp_path):
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    (tmp_path / "corpus").mkdir()
    Engine(settings).build_index()
    with pytest.raises(QAError, match="nothing to migrate"):
        migrate_to_milvus(settings.index_dir, milvus_target(_milvus(settings, str(tmp_path / "lite.db"))))


def test_qa_migrate_on_the_command_line(seed_copy, tmp_path):
    uri = str(tmp_path / "lite.db")
    result = subprocess.run(
        [str(QA_SCRIPT), "migrate", "--to", "milvus", "--index", str(seed_copy.index_dir), "--milvus-uri", uri],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "counts verified" in result.stdout and "13 passages" in result.stdout
    wrong = subprocess.run([str(QA_SCRIPT), "migrate", "--to", "elsewhere"], capture_output=True, text=True)
    assert wrong.returncode == 2 and "the only target is milvus" in wrong.stderr
