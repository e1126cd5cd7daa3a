"""`qa add` staging: files copied into the corpus, flags kept beside them and applied on every read."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from qa.errors import IngestError, UsageError
from qa.ingest import ExplicitMetadata, corpus_files, fingerprint, read_corpus_file, stage_files
from qa.models import MetadataSource

BODY = "The river authority opened the new flood gates on Monday after three years of work, engineers said."


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "story.txt").write_text(f"---\noutlet: Front Matter Times\n---\n{BODY}\n")
    (folder / "feed.jsonl").write_text(json.dumps({"body": {"main": BODY + " Again."}, "site": "Feed Post"}))
    return folder


def test_flags_are_stored_beside_the_copy_and_win_as_flag(tmp_path, inbox):
    corpus = tmp_path / "corpus"
    overrides = ExplicitMetadata(outlet="Flag Gazette", published=dt.date(2024, 2, 11))
    [staged] = stage_files([inbox / "story.txt"], corpus, overrides=overrides)
    assert staged == corpus / "story.txt"
    assert corpus_files(corpus) == [staged]  # the options file is not an article
    [article] = read_corpus_file(staged, corpus_dir=corpus).articles
    assert (article.outlet, article.published) == ("Flag Gazette", dt.date(2024, 2, 11))
    assert article.provenance["outlet"].source == MetadataSource.FLAG


def test_a_field_map_is_stored_and_changing_it_changes_the_fingerprint(tmp_path, inbox):
    corpus = tmp_path / "corpus"
    [staged] = stage_files([inbox / "feed.jsonl"], corpus, field_map={"text": "body.main"})
    before = fingerprint(staged)
    [article] = read_corpus_file(staged, corpus_dir=corpus).articles
    assert article.text == BODY + " Again."
    stage_files([inbox / "feed.jsonl"], corpus, field_map={"text": "body.main", "outlet": "site"})
    assert fingerprint(staged) != before
    [article] = read_corpus_file(staged, corpus_dir=corpus).articles
    assert article.outlet == "Feed Post"


def test_the_same_file_again_is_a_no_op_and_a_different_one_gets_a_free_name(tmp_path, inbox):
    corpus = tmp_path / "corpus"
    first = stage_files([inbox / "story.txt"], corpus)
    assert stage_files([inbox / "story.txt"], corpus) == first
    assert sorted(p.name for p in corpus.iterdir()) == ["story.txt"]
    other = tmp_path / "story.txt"
    other.write_text(BODY + " Different.")
    [renamed] = stage_files([other], corpus)
    assert renamed.name == "story-2.txt"
    assert (corpus / "story.txt").read_text().startswith("---")


def test_a_folder_is_staged_with_its_sidecars(tmp_path, inbox):
    (inbox / "story.meta.json").write_text(json.dumps({"title": "Gates"}))
    (inbox / "notes.pdf").write_bytes(b"%PDF")
    corpus = tmp_path / "corpus"
    staged = stage_files([inbox], corpus)
    assert sorted(p.relative_to(corpus).as_posix() for p in staged) == ["inbox/feed.jsonl", "inbox/story.txt"]
    assert (corpus / "inbox" / "story.meta.json").is_file()


def test_bad_paths_and_maps_are_reported(tmp_path, inbox):
    with pytest.raises(IngestError, match="no such file"):
        stage_files([tmp_path / "missing.txt"], tmp_path / "corpus")
    (inbox / "notes.pdf").write_bytes(b"%PDF")
    with pytest.raises(IngestError, match="not an article file"):
        stage_files([inbox / "notes.pdf"], tmp_path / "corpus")
    with pytest.raises(UsageError, match="headline"):
        stage_files([inbox / "feed.jsonl"], tmp_path / "corpus", field_map={"headline": "x"})
