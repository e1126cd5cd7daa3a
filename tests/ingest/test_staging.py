"""`qa add` staging: files copied into the corpus, flags kept beside them and applied on every read."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
import sys

import pytest

from qa.errors import IngestError, MetadataError, UsageError
from qa.ingest import ExplicitMetadata, corpus_files, fingerprint, read_corpus_file, stage_files
from qa.models import MetadataSource

FEED_MAP = {"text": "body.main"}
"""Where the text is in the inbox's feed.jsonl: without it, the feed is refused as `qa index` would skip it."""
BODY = "The river authority opened the new flood gates on Monday after three years of work, engineers said."


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "story.txt").write_text(f"---\noutlet: Front Matter Times\n---\n{BODY}\n")
    (folder / "feed.jsonl").write_text(json.dumps({"body": {"main": BODY + " Again."}, "site": "Feed Post"}))
    return folder


def _names(folder):
    """The files in a corpus folder, less the options files `qa add` keeps beside copies."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".qa-add.json"))


def test_flags_are_stored_beside_the_copy_and_win_as_flag(tmp_path, inbox):
    corpus = tmp_path / "corpus"
    overrides = ExplicitMetadata(outlet="Flag Gazette", published=dt.date(2024, 2, 11))
    [staged] = stage_files([inbox / "story.txt"], corpus, overrides=overrides).copied
    assert staged == corpus / "story.txt"
    assert corpus_files(corpus) == [staged]  # the options file is not an article
    [article] = read_corpus_file(staged, corpus_dir=corpus).articles
    assert (article.outlet, article.published) == ("Flag Gazette", dt.date(2024, 2, 11))
    assert article.provenance["outlet"].source == MetadataSource.FLAG


def test_a_field_map_is_stored_and_changing_it_changes_the_fingerprint(tmp_path, inbox):
    corpus = tmp_path / "corpus"
    [staged] = stage_files([inbox / "feed.jsonl"], corpus, field_map={"text": "body.main"}).copied
    before = fingerprint(staged)
    [article] = read_corpus_file(staged, corpus_dir=corpus).articles
    assert article.text == BODY + " Again."
    stage_files([inbox / "feed.jsonl"], corpus, field_map={"text": "body.main", "outlet": "site"})
    assert fingerprint(staged) != before
    [article] = read_corpus_file(staged, corpus_dir=corpus).articles
    assert article.outlet == "Feed Post"


def test_the_same_file_again_is_a_no_op_and_a_different_one_gets_a_free_name(tmp_path, inbox):
    corpus = tmp_path / "corpus"
    first = stage_files([inbox / "story.txt"], corpus).copied
    assert stage_files([inbox / "story.txt"], corpus).copied == first
    assert sorted(p.name for p in corpus.iterdir()) == ["story.txt"]
    other = tmp_path / "story.txt"
    other.write_text(BODY + " Different.")
    [renamed] = stage_files([other], corpus).copied
    assert renamed.name == "story-2.txt"
    assert (corpus / "story.txt").read_text().startswith("---")


def test_a_folder_is_staged_with_its_sidecars(tmp_path, inbox):
    (inbox / "story.meta.json").write_text(json.dumps({"title": "Gates"}))
    (inbox / "notes.pdf").write_bytes(b"%PDF")
    corpus = tmp_path / "corpus"
    staged = stage_files([inbox], corpus, field_map=FEED_MAP).copied
    assert sorted(p.relative_to(corpus).as_posix() for p in staged) == ["inbox/feed.jsonl", "inbox/story.txt"]
    assert (corpus / "inbox" / "story.meta.json").is_file()


def test_bad_paths_and_maps_are_reported(tmp_path, inbox):
    with pytest.raises(IngestError, match="no such file"):
        stage_files([tmp_path / "missing.txt"], tmp_path / "corpus")
    (inbox / "notes.pdf").write_bytes(b"%PDF")
    staged = stage_files([inbox / "notes.pdf", inbox / "story.txt"], tmp_path / "corpus")
    [refused] = staged.refused
    assert refused.path == inbox / "notes.pdf" and "not an article file" in refused.reason
    assert [copy.name for copy in staged.copied] == ["story.txt"]  # one file qa cannot read does not stop the others
    with pytest.raises(UsageError, match="headline"):
        stage_files([inbox / "feed.jsonl"], tmp_path / "corpus", field_map={"headline": "x"})


def test_a_copy_is_created_under_the_umask_like_any_file(tmp_path, inbox):
    """Copies used to be 0600 (tempfile.mkstemp): in a shared corpus, the other users could not read them."""
    before = os.umask(0o022)
    try:
        [copy] = stage_files([inbox / "story.txt"], tmp_path / "corpus").copied
    finally:
        os.umask(before)
    assert stat.S_IMODE(copy.stat().st_mode) == 0o644


def test_a_folder_without_article_files_is_refused_by_name(tmp_path):
    """It used to be staged as nothing at all: `qa add photos/` exited 0 without a word."""
    photos = tmp_path / "photos"
    (photos / "loop").mkdir(parents=True)
    (photos / "cover.jpg").write_bytes(b"\xff\xd8\xff")
    (photos / "loop" / "up").symlink_to("..")  # a link back into the folder: no file, and no hang
    staged = stage_files([photos], tmp_path / "corpus")
    assert staged.copied == []
    [refused] = staged.refused
    assert refused.path == photos and refused.reason.startswith("holds no article file qa reads; use .txt")


# -- several `qa add` at once ------------------------------------------------------------------

STAGE_WHEN_TOLD = """
import sys, time
from pathlib import Path
from qa.ingest import stage_files
go = Path(sys.argv[1])
print("ready", flush=True)
while not go.exists():
    time.sleep(0.0005)
stage_files([Path(sys.argv[2])], Path(sys.argv[3]))
"""
WRITERS = 8
"""Processes staging a file of the same name at once: six different stories, and one of them three times."""


@pytest.mark.slow
def test_concurrent_adds_of_same_named_files_keep_every_content_exactly_once(tmp_path):
    contents = [f"{BODY} Report number {number}." for number in range(WRITERS - 2)]
    contents += [contents[0], contents[0]]  # the same bytes from three places: stored once
    for round_ in range(4):
        corpus, go = tmp_path / f"corpus-{round_}", tmp_path / f"go-{round_}"
        sources = []
        for number, text in enumerate(contents):
            folder = tmp_path / f"round-{round_}" / f"source-{number}"
            folder.mkdir(parents=True)
            (folder / "story.txt").write_text(text)
            sources.append(folder / "story.txt")
        writers = [
            subprocess.Popen(
                [sys.executable, "-c", STAGE_WHEN_TOLD, str(go), str(source), str(corpus)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for source in sources
        ]
        for writer in writers:
            assert writer.stdout.readline() == "ready\n"
        go.touch()
        for writer in writers:
            _, err = writer.communicate(timeout=120)
            assert writer.returncode == 0, err
        stored = sorted(path.read_text() for path in corpus.iterdir() if path.is_file())
        assert stored == sorted(set(contents)), f"round {round_}"
        assert not [path.name for path in corpus.iterdir() if path.name.startswith(".")]


# -- flags kept, unreadable files refused ------------------------------------------------------


def test_adding_a_file_again_keeps_its_flags_unless_new_ones_are_given(tmp_path, inbox):
    corpus = tmp_path / "corpus"
    flags = ExplicitMetadata(outlet="Reuters", published=dt.date(2024, 1, 1))
    [staged] = stage_files([inbox / "feed.jsonl"], corpus, overrides=flags, field_map={"text": "body.main"}).copied
    assert stage_files([inbox / "feed.jsonl"], corpus).copied == [staged]
    [article] = read_corpus_file(staged, corpus_dir=corpus).articles
    assert (article.outlet, article.published) == ("Reuters", dt.date(2024, 1, 1))
    assert article.provenance["outlet"].source == MetadataSource.FLAG
    stage_files([inbox / "feed.jsonl"], corpus, overrides=ExplicitMetadata(outlet="AP"))  # one field changes
    [article] = read_corpus_file(staged, corpus_dir=corpus).articles
    assert (article.outlet, article.published) == ("AP", dt.date(2024, 1, 1))
    assert article.text == BODY + " Again."  # the stored mapping is kept too
    assert article.provenance["published"].source == MetadataSource.FLAG


def test_a_new_copy_does_not_inherit_flags_left_by_a_removed_file(tmp_path, inbox):
    corpus = tmp_path / "corpus"
    [staged] = stage_files([inbox / "story.txt"], corpus, overrides=ExplicitMetadata(outlet="Reuters")).copied
    staged.unlink()  # the user deleted the article; its options file stayed behind
    other = tmp_path / "story.txt"
    other.write_text(BODY + " A different story with the same name.")
    [again] = stage_files([other], corpus).copied
    assert again == staged
    [article] = read_corpus_file(again, corpus_dir=corpus).articles
    assert article.outlet is None


def test_unreadable_files_are_refused_and_left_where_they_were(tmp_path, inbox):
    (inbox / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (inbox / "empty.md").write_bytes(b"")
    (inbox / "blank.txt").write_text("   \n\n")
    corpus = tmp_path / "corpus"
    staged = stage_files([inbox], corpus, field_map=FEED_MAP)
    assert sorted(p.name for p in staged.copied) == ["feed.jsonl", "story.txt"]
    assert sorted(refused.path.name for refused in staged.refused) == ["binary.txt", "blank.txt", "empty.md"]
    assert all(refused.path.parent == inbox and refused.path.exists() for refused in staged.refused)
    assert _names(corpus / "inbox") == ["feed.jsonl", "story.txt"]
    [refused] = stage_files([inbox / "binary.txt"], corpus).refused
    assert "binary" in refused.reason


ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)
"""Nine levels of six references each: millions of nodes from under 700 bytes, if aliases were expanded."""


def test_files_qa_index_would_skip_are_refused_before_they_are_copied(tmp_path, inbox):
    (inbox / "bomb.md").write_text(f"---\n{ALIAS_BOMB}---\n{BODY}\n")
    (inbox / "broken.json").write_text('{"body": "The river authority opened')
    (inbox / "bad-lines.jsonl").write_text('{"body": \n[1, 2\n"just a string"\n')
    (inbox / "bad-sidecar.txt").write_text(BODY)
    (inbox / "bad-sidecar.meta.json").write_text("{not json")
    corpus = tmp_path / "corpus"
    staged = stage_files([inbox], corpus, field_map=FEED_MAP)
    refused = {refused.path.name: refused.reason for refused in staged.refused}
    assert sorted(refused) == ["bad-lines.jsonl", "bad-sidecar.txt", "bomb.md", "broken.json"]
    assert "alias" in refused["bomb.md"] and "bad-sidecar.meta.json" in refused["bad-sidecar.txt"]
    assert _names(corpus / "inbox") == ["feed.jsonl", "story.txt"]
    assert all((inbox / name).exists() for name in refused)


def test_a_jsonl_file_is_tried_with_the_map_stored_for_it_on_a_re_add(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"story": BODY, "site": "Feed Post"}) + "\n")
    corpus = tmp_path / "corpus"
    [refused] = stage_files([feed], corpus).refused  # no field holds the text without a map
    assert not (corpus / "feed.jsonl").exists()
    [copied] = stage_files([feed], corpus, field_map={"text": "story"}).copied
    assert stage_files([feed], corpus).copied == [copied]  # the stored map reads it: not refused


def test_an_unreadable_or_huge_sidecar_refuses_its_article_without_copying_either(tmp_path, inbox):
    sidecar = inbox / "story.meta.json"
    sidecar.write_text(json.dumps({"title": "Gates", "notes": {"x": "y" * (64 * 1024)}}))
    corpus = tmp_path / "corpus"
    staged = stage_files([inbox], corpus, field_map=FEED_MAP)
    [refused] = staged.refused
    assert refused.path.name == "story.txt" and "over 64 KB" in refused.reason
    assert [p.name for p in staged.copied] == ["feed.jsonl"]
    assert not (corpus / "inbox" / "story.meta.json").exists() and not (corpus / "inbox" / "story.txt").exists()
    sidecar.unlink()
    sidecar.symlink_to("/proc/self/mem")  # a file whose every read fails (EIO), root or not (chmod stops no root)
    [refused] = stage_files([inbox / "story.txt"], corpus, follow_symlinks=True).refused
    assert "story.meta.json" in refused.reason and "cannot be read" in refused.reason
    assert not (corpus / "story.txt").exists()


def test_an_options_file_over_64_kb_is_refused_with_what_to_do(tmp_path, inbox):
    corpus = tmp_path / "corpus"
    [copied] = stage_files([inbox / "story.txt"], corpus, overrides=ExplicitMetadata(outlet="Flag Gazette")).copied
    options = copied.with_name(copied.name + ".qa-add.json")
    options.write_text(json.dumps({"overrides": {"outlet": "X"}, "field_map": {}}) + " " * (64 * 1024))
    with pytest.raises(MetadataError, match="over 64 KB.*run `qa add`"):
        read_corpus_file(copied, corpus_dir=corpus)
