"""The index follows the corpus incrementally, records its model and recovers its FAISS cache."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from qa.config import BUNDLED_MODEL, Settings
from qa.embed import Embedder
from qa.engine import Engine
from qa.errors import CorruptIndexError, IndexMismatchError
from qa.ingest import read_file
from qa.models import Article, Passage
from qa.passages import chunk_article
from qa.store.backends import writing_index
from qa.store.build import SkippedFile, stale_files
from qa.store.index import COMPACT_ABOVE_FREE_SHARE, DB_NAME, Index
from qa.store.records import IndexCounts, MetaKey, SentenceVectors
from qa.store.vectors import Stamp, VectorIndex, vectors_path
from tests.support.seeds import FORBES, KYIV, KYIV_SIDECAR

DENIAL = "This is categorically false"
"""Only in the Kyiv Independent article."""


@contextmanager
def opened(settings: Settings) -> Iterator[Index]:
    index = Index.open(settings.index_dir)
    try:
        yield index
    finally:
        index.close()


def passage_ids_by_doc(index: Index) -> dict[str, list[int]]:
    ids, _ = index.stored_vectors()
    by_doc: dict[str, list[int]] = {}
    for passage_id, (passage, _) in sorted(index.passages_with_articles(ids.tolist()).items()):
        by_doc.setdefault(passage.doc_id, []).append(passage_id)
    return by_doc


def passage_count(settings: Settings, name: str) -> int:
    [article] = read_file(settings.corpus_dir / name, corpus_dir=settings.corpus_dir)
    return len(chunk_article(article, min_words=settings.min_words, max_words=settings.max_words))


def test_status_records_model_dimension_and_counts(seed_engine, seed_settings, embedder):
    status = seed_engine.index.status()
    assert status.model == BUNDLED_MODEL
    assert status.dimension == embedder.dimension == 384
    assert status.document_encoder == embedder.backend == "sentence-transformers, torch, float32"
    assert status.built_at is not None
    assert status.counts == IndexCounts(
        files=2,
        articles=2,
        passages=passage_count(seed_settings, FORBES) + passage_count(seed_settings, KYIV),
        articles_without_outlet=0,
        articles_without_date=0,
    )


@pytest.mark.parametrize("seed", ["forbes", "kyiv"])
def test_stored_articles_keep_their_metadata_and_provenance(seed_engine, seed_articles, seed):
    article = seed_articles[seed]
    assert seed_engine.index.article(article.doc_id) == article


def test_the_faiss_file_holds_every_stored_passage(seed_engine):
    index = seed_engine.index
    assert vectors_path(index.directory, index.generation).is_file()
    assert len(index.vectors()) == index.status().counts.passages


# -- incremental sync ----------------------------------------------------------------------


def test_a_second_sync_without_changes_embeds_nothing(seed_copy):
    unloaded = Embedder()
    with opened(seed_copy) as index:
        generation = index.generation
    report = Engine(seed_copy, embedder=unloaded).build_index()
    assert report.unchanged == 2
    assert (report.added, report.updated, report.removed, report.skipped) == ([], [], [], [])
    assert (report.articles, report.passages) == (0, 0)
    assert not unloaded.loaded  # nothing to embed, so the model was never even loaded
    with opened(seed_copy) as index:
        assert index.generation == generation


def test_changing_a_file_re_embeds_only_that_file(seed_copy, embedder, seed_articles):
    with opened(seed_copy) as index:
        forbes_ids = passage_ids_by_doc(index)[seed_articles["forbes"].doc_id]
    kyiv = seed_copy.corpus_dir / KYIV
    kyiv.write_text(
        kyiv.read_text(encoding="utf-8").replace(
            "Starlink is operated by SpaceX",
            "A zeppelin carrying spare Starlink terminals was later seen over the harbour, "
            "the regional administration said on Monday.\n\nStarlink is operated by SpaceX",
        ),
        encoding="utf-8",
    )
    report = Engine(seed_copy, embedder=embedder).build_index()
    assert (report.added, report.updated, report.removed) == ([], [KYIV], [])
    assert report.unchanged == 1
    assert report.articles == 1
    assert report.passages == passage_count(seed_copy, KYIV)
    with opened(seed_copy) as index:
        by_doc = passage_ids_by_doc(index)
        assert by_doc[seed_articles["forbes"].doc_id] == forbes_ids  # untouched, not re-inserted
        assert seed_articles["kyiv"].doc_id not in by_doc  # the old version is gone
        assert index.status().counts.articles == 2
        [hit] = index.search_lexical("zeppelin", 5)
        passage, article = index.passages_with_articles([hit])[hit]
        assert "zeppelin" in passage.text and article.outlet == "The Kyiv Independent"


def test_changing_only_a_sidecar_updates_the_article_metadata(seed_copy, embedder, seed_articles):
    sidecar = seed_copy.corpus_dir / KYIV_SIDECAR
    sidecar.write_text(sidecar.read_text().replace('"The Kyiv Independent"', '"Kyiv Independent"'))
    report = Engine(seed_copy, embedder=embedder).build_index()
    assert report.updated == [KYIV] and report.unchanged == 1
    with opened(seed_copy) as index:
        assert index.article(seed_articles["kyiv"].doc_id).outlet == "Kyiv Independent"


def test_deleting_a_file_removes_its_passages(seed_copy, embedder, seed_articles):
    (seed_copy.corpus_dir / KYIV).unlink()
    (seed_copy.corpus_dir / KYIV_SIDECAR).unlink()
    report = Engine(seed_copy, embedder=embedder).build_index()
    assert (report.added, report.updated, report.removed) == ([], [], [KYIV])
    forbes_passages = passage_count(seed_copy, FORBES)
    with opened(seed_copy) as index:
        counts = index.status().counts
        assert (counts.files, counts.articles, counts.passages) == (1, 1, forbes_passages)
        assert len(index.vectors()) == forbes_passages
        assert index.search_lexical("categorically", 10) == []
    engine = Engine(seed_copy, embedder=embedder)
    try:
        answer = engine.ask("Who denied sales to Russia?", k=5)
    finally:
        engine.close()
    assert answer.passages
    assert {hit.doc_id for hit in answer.passages} == {seed_articles["forbes"].doc_id}
    assert not any(DENIAL in hit.text for hit in answer.passages)


def test_a_file_that_becomes_unusable_leaves_the_index(seed_copy, embedder):
    (seed_copy.corpus_dir / KYIV).write_text("  \n\n")  # no text left: nothing to index
    report = Engine(seed_copy, embedder=embedder).build_index()
    assert [s.path for s in report.skipped] == [KYIV]
    with opened(seed_copy) as index:
        assert index.status().counts.articles == 1
        assert index.search_lexical("categorically", 10) == []


def test_stale_files_lists_new_changed_and_removed_files(seed_copy):
    corpus = seed_copy.corpus_dir
    (corpus / "002_new.txt").write_text("A new article about the harbour. " * 20)
    (corpus / FORBES).write_text((corpus / FORBES).read_text() + "\n\nOne more sentence was added here today.")
    (corpus / KYIV).unlink()
    with opened(seed_copy) as index:
        assert stale_files(index, corpus) == sorted([FORBES, KYIV, "002_new.txt"])


# -- duplicates ----------------------------------------------------------------------------


def test_the_same_article_text_in_two_files_is_indexed_once(seed_copy, embedder):
    shutil.copy(seed_copy.corpus_dir / KYIV, seed_copy.corpus_dir / "002_copy.txt")
    report = Engine(seed_copy, embedder=embedder).build_index(rebuild=True)
    assert report.folded == [SkippedFile("002_copy.txt", f"same article text as {KYIV}")]
    assert report.skipped == []  # its text is in the index: nothing lost, `qa index` exits 0
    assert FORBES in report.added and KYIV in report.added
    assert report.articles == 2
    with opened(seed_copy) as index:
        assert index.status().counts.articles == 2


def test_a_copy_added_after_the_original_was_indexed_is_kept_once(seed_copy, embedder):
    shutil.copy(seed_copy.corpus_dir / KYIV, seed_copy.corpus_dir / "002_copy.txt")
    report = Engine(seed_copy, embedder=embedder).build_index()
    assert report.folded == [SkippedFile("002_copy.txt", f"same article text as {KYIV}")]
    assert (report.articles, report.passages) == (0, 0)


def test_a_duplicate_kept_once_is_not_reported_as_added(seed_copy, embedder):
    shutil.copy(seed_copy.corpus_dir / KYIV, seed_copy.corpus_dir / "002_copy.txt")
    report = Engine(seed_copy, embedder=embedder).build_index()
    assert [s.path for s in report.folded] == ["002_copy.txt"]
    assert "002_copy.txt" not in report.added  # `qa index` would count it as "new" and "kept once"


def test_a_duplicate_is_indexed_once_its_original_is_removed(seed_copy, embedder):
    shutil.copy(seed_copy.corpus_dir / KYIV, seed_copy.corpus_dir / "002_copy.txt")
    Engine(seed_copy, embedder=embedder).build_index()
    (seed_copy.corpus_dir / KYIV).unlink()
    (seed_copy.corpus_dir / KYIV_SIDECAR).unlink()
    Engine(seed_copy, embedder=embedder).build_index()
    with opened(seed_copy) as index:
        # The article is still in the corpus (in 002_copy.txt), so it must still be searchable.
        assert index.status().counts.articles == 2
        assert index.search_lexical("categorically", 10) != []


# -- the model that built the index --------------------------------------------------------


def test_an_index_built_with_another_model_refuses_to_sync_or_answer(seed_copy, embedder):
    with opened(seed_copy) as index:
        index.writer.set_meta(MetaKey.MODEL, "other/model")
    engine = Engine(seed_copy, embedder=embedder)
    try:
        with pytest.raises(IndexMismatchError, match="--rebuild") as caught:
            engine.build_index()
        assert "other/model" in str(caught.value)
        with pytest.raises(IndexMismatchError, match="--rebuild"):
            engine.ask("Who denied sales to Russia?")
    finally:
        engine.close()


def test_a_pending_rebuild_for_another_model_does_not_lift_the_model_check(seed_copy, embedder):
    # e.g. an index of another model migrated to sentence vectors: its re-embedding is for that model
    with opened(seed_copy) as index:
        index.writer.set_meta(MetaKey.MODEL, "other/model")
        index.writer.set_meta(MetaKey.REBUILD_PENDING, "other/model")
    engine = Engine(seed_copy, embedder=embedder)
    try:
        with pytest.raises(IndexMismatchError, match="--rebuild"):
            engine.build_index()
    finally:
        engine.close()


def test_rebuild_replaces_an_index_built_with_another_model(seed_copy, embedder):
    with opened(seed_copy) as index:
        index.writer.set_meta(MetaKey.MODEL, "other/model")
    report = Engine(seed_copy, embedder=embedder).build_index(rebuild=True)
    assert sorted(report.added) == [FORBES, KYIV]
    with opened(seed_copy) as index:
        assert index.status().model == BUNDLED_MODEL


def test_a_large_build_gives_back_the_space_its_staging_area_used(tmp_path):
    """Staged rows are copied into the index on publish; the emptied staging area must not stay on disk."""
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", model=BUNDLED_MODEL)
    rng = np.random.default_rng(0)
    with writing_index(settings, rebuild=True) as index:
        with index.writer.atomic():
            for number in range(400):
                text = " ".join(f"word{n}" for n in rng.integers(0, 5000, 120)) + "."
                article = Article(doc_id=f"doc{number:04d}", text=text, source_path=f"{number:04d}.txt")
                passage = Passage(doc_id=article.doc_id, ordinal=0, start=0, end=len(text), text=text)
                vector = rng.normal(size=(1, 384)).astype(np.float32)
                vector /= np.linalg.norm(vector)
                sentences = SentenceVectors([(0, len(text))], vector.astype(np.float16))
                index.writer.stage_file(article.source_path, article.doc_id, BUNDLED_MODEL)
                index.writer.stage_article(article.source_path, article, [passage], vector, [sentences], bands=[])
        index.publish([], BUNDLED_MODEL, rebuilding=True, encoder="synthetic")
    with opened(settings) as index:
        assert index.status().counts.passages == 400
    connection = sqlite3.connect(settings.index_dir / DB_NAME)
    try:
        pages, free = (connection.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_count", "freelist_count"))
        assert free / pages <= COMPACT_ABOVE_FREE_SHARE
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        connection.close()


def test_an_index_of_another_dimension_refuses_to_answer(seed_copy, embedder):
    with opened(seed_copy) as index:
        index.writer.set_meta(MetaKey.DIMENSION, "768")
    engine = Engine(seed_copy, embedder=embedder)
    try:
        with pytest.raises(IndexMismatchError, match="768"):
            engine.ask("Who denied sales to Russia?")
    finally:
        engine.close()


# -- FAISS is a cache: rebuilt from SQLite whenever it is missing, stale or unreadable --------


def _faiss_file(settings: Settings) -> Path:
    [path] = settings.index_dir.glob("vectors-*.faiss")
    return path


def _ask_denial(settings: Settings, embedder: Embedder):
    engine = Engine(settings, embedder=embedder)
    try:
        assert len(engine.index.vectors()) == engine.index.status().counts.passages
        return engine.ask("Who denied sales to Russia?", k=5)
    finally:
        engine.close()


def test_a_missing_faiss_file_is_rebuilt_from_sqlite(seed_copy, embedder):
    _faiss_file(seed_copy).unlink()
    answer = _ask_denial(seed_copy, embedder)
    assert any(DENIAL in hit.text for hit in answer.passages[:3])


def test_the_next_sync_writes_the_missing_faiss_file_again(seed_copy, embedder):
    missing = _faiss_file(seed_copy)
    missing.unlink()
    Engine(seed_copy, embedder=embedder).build_index()
    assert _faiss_file(seed_copy) == missing
    with opened(seed_copy) as index:
        loaded = VectorIndex.load(missing, Stamp.parse(index.meta(MetaKey.VECTORS)))
        assert loaded is not None and len(loaded) == index.status().counts.passages > 0


def test_a_faiss_file_of_an_older_generation_is_not_used(seed_copy, embedder):
    # As if the database had moved on without its file: the file on disk is stale.
    stale = _faiss_file(seed_copy)
    VectorIndex.build(np.zeros(0, dtype=np.int64), np.zeros((0, 384), np.float32), 384).save(stale)
    with opened(seed_copy) as index:
        index.writer.set_meta(MetaKey.GENERATION, str(index.generation + 1))
    answer = _ask_denial(seed_copy, embedder)
    assert any(DENIAL in hit.text for hit in answer.passages[:3])


def _garbage(path: Path) -> None:
    path.write_bytes(b"not a faiss index" * 10)


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flipped_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _other_build(path: Path) -> None:
    """A valid FAISS file, but not the one the database recorded (another build's)."""
    VectorIndex.build(np.arange(3, dtype=np.int64), np.eye(3, 384, dtype=np.float32), 384).save(path)


@pytest.mark.parametrize("damage", [_garbage, _truncated, _flipped_byte, _other_build])
def test_a_damaged_faiss_file_is_a_clear_error_naming_it(seed_copy, embedder, damage):
    path = _faiss_file(seed_copy)
    damage(path)
    engine = Engine(seed_copy, embedder=embedder)
    try:
        with pytest.raises(CorruptIndexError) as caught:
            engine.ask("Who denied sales to Russia?")
    finally:
        engine.close()
    assert str(path) in str(caught.value)
    assert "qa index" in str(caught.value)


@pytest.mark.parametrize("rebuild", [False, True])
def test_qa_index_repairs_a_damaged_faiss_file(seed_copy, embedder, rebuild):
    _truncated(_faiss_file(seed_copy))
    Engine(seed_copy, embedder=embedder).build_index(rebuild=rebuild)
    answer = _ask_denial(seed_copy, embedder)
    assert any(DENIAL in hit.text for hit in answer.passages[:3])


# -- a file that changes while it is being indexed -----------------------------------------


def test_a_file_changed_while_being_indexed_is_reported_and_its_old_version_kept(seed_copy, embedder, seed_articles):
    kyiv = seed_copy.corpus_dir / KYIV
    kyiv.write_text(
        kyiv.read_text(encoding="utf-8") + "\n\nA first late paragraph about the harbour.", encoding="utf-8"
    )
    late_edit = kyiv.read_text(encoding="utf-8") + "\n\nA second late paragraph, saved while qa was reading."

    def edit_while_reading(stage: str, done: int, total: int) -> None:
        # Files are hashed first, then read one by one: rewrite the file just before its turn.
        if stage == "reading" and done == 2:
            kyiv.write_text(late_edit, encoding="utf-8")

    report = Engine(seed_copy, embedder=embedder).build_index(on_progress=edit_while_reading)
    assert report.skipped == [SkippedFile(KYIV, "changed while being indexed: run `qa index` again")]
    assert report.updated == []
    with opened(seed_copy) as index:
        assert index.article(seed_articles["kyiv"].doc_id) == seed_articles["kyiv"]  # old version, whole
        assert stale_files(index, seed_copy.corpus_dir) == [KYIV]
    report = Engine(seed_copy, embedder=embedder).build_index()
    assert report.updated == [KYIV]
    with opened(seed_copy) as index:
        connection = sqlite3.connect(seed_copy.index_dir / DB_NAME)
        [(stored,)] = connection.execute("SELECT doc_id FROM articles WHERE source_path = ?", (KYIV,))
        connection.close()
        [current] = read_file(kyiv, corpus_dir=seed_copy.corpus_dir)
        assert stored == current.doc_id  # the version on disk now
        assert stale_files(index, seed_copy.corpus_dir) == []
