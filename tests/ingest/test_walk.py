"""The corpus walk never leaves its folder through a link unless asked, and link loops end."""

from __future__ import annotations

import os

from qa.ingest import corpus_files, corpus_listing, stage_files
from qa.ingest.walk import shown_name, walk_files

BODY = "The river authority opened the new flood gates on Monday after three years of work, engineers said."


def _tree(tmp_path):
    """A corpus with links of every kind, and an outside folder holding a secret and a loop."""
    outside = tmp_path / "outside"
    (outside / "deeper").mkdir(parents=True)
    (outside / "secret.txt").write_text("The password of the vault is swordfish.")
    (outside / "deeper" / "more.txt").write_text("More private notes about the vault.")
    os.symlink(outside, outside / "deeper" / "loop")  # a loop, once followed
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "story.txt").write_text(BODY)
    os.symlink(outside / "secret.txt", corpus / "leak.txt")
    os.symlink(outside, corpus / "elsewhere")
    os.symlink(corpus / "story.txt", corpus / "sub" / "same.txt")  # stays inside
    os.symlink(corpus, corpus / "sub" / "up")  # a loop inside the corpus
    os.symlink(tmp_path / "nothing.txt", corpus / "broken.txt")
    return corpus, outside


def test_links_out_of_the_corpus_are_listed_apart_and_not_followed(tmp_path):
    corpus, _ = _tree(tmp_path)
    listing = corpus_listing(corpus)
    assert [p.relative_to(corpus).as_posix() for p in listing.files] == ["story.txt", "sub/same.txt"]
    assert [p.relative_to(corpus).as_posix() for p in listing.outside] == ["elsewhere", "leak.txt"]
    assert corpus_files(corpus) == listing.files


def test_following_links_on_request_reads_each_folder_once_even_through_a_loop(tmp_path):
    corpus, _ = _tree(tmp_path)
    listing = corpus_listing(corpus, follow_symlinks=True)
    assert [p.relative_to(corpus).as_posix() for p in listing.files] == [
        "elsewhere/deeper/more.txt",
        "elsewhere/secret.txt",
        "leak.txt",
        "story.txt",
        "sub/same.txt",
    ]
    assert listing.outside == []


def test_a_corpus_reached_through_a_link_is_walked_as_itself(tmp_path):
    corpus, _ = _tree(tmp_path)
    os.symlink(corpus, tmp_path / "mounted")
    walk = walk_files(tmp_path / "mounted")
    assert [p.name for p in walk.files] == ["story.txt", "same.txt"]
    assert [p.name for p in walk.outside] == ["elsewhere", "leak.txt"]


def test_add_of_a_folder_never_copies_what_a_link_out_of_it_reaches(tmp_path):
    corpus, outside = _tree(tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "story.txt").write_text(BODY)
    os.symlink(outside / "secret.txt", inbox / "leak.txt")
    os.symlink(outside, inbox / "elsewhere")
    target = tmp_path / "new-corpus"
    staged = stage_files([inbox], target)
    assert [p.relative_to(target).as_posix() for p in staged.copied] == ["inbox/story.txt"]
    assert sorted((r.path.name, "outside" in r.reason) for r in staged.refused) == [
        ("elsewhere", True),
        ("leak.txt", True),
    ]
    assert not any("swordfish" in p.read_text() for p in target.rglob("*.txt"))
    followed = stage_files([inbox], tmp_path / "followed", follow_symlinks=True)
    assert sorted(p.name for p in followed.copied) == ["leak.txt", "more.txt", "secret.txt", "story.txt"]
    assert followed.refused == []


def test_an_article_whose_sidecar_links_out_of_the_corpus_is_left_out_with_the_link_named(tmp_path):
    corpus, outside = _tree(tmp_path)
    (outside / "stolen.meta.json").write_text('{"title": "swordfish"}')
    (corpus / "dated.txt").write_text(BODY)
    os.symlink(outside / "stolen.meta.json", corpus / "dated.meta.json")
    listing = corpus_listing(corpus)
    assert "dated.txt" not in [p.name for p in listing.files]
    assert corpus / "dated.meta.json" in listing.outside
    assert corpus / "dated.txt" in corpus_listing(corpus, follow_symlinks=True).files


def test_add_refuses_a_sidecar_link_out_and_a_corpus_folder_that_links_out(tmp_path):
    corpus, outside = _tree(tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "story.txt").write_text(BODY)
    os.symlink(outside / "secret.txt", inbox / "story.meta.json")
    [refused] = stage_files([inbox / "story.txt"], corpus).refused
    assert "sidecar story.meta.json is a link" in refused.reason
    assert not (corpus / "story.meta.json").exists()
    os.symlink(outside, corpus / "inbox")  # `qa add inbox/` would write through it
    (inbox / "story.meta.json").unlink()
    [refused] = stage_files([inbox], corpus).refused
    assert "link out of the corpus" in refused.reason
    assert sorted(p.name for p in outside.iterdir()) == ["deeper", "secret.txt"]


def test_names_that_are_not_utf8_are_listed_apart_and_never_staged(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "story.txt").write_text(BODY)
    raw = os.fsencode(corpus)
    with open(raw + b"/caf\xe9.txt", "wb") as file:
        file.write(BODY.encode())
    with open(raw + b"/caf\xe9.pdf", "wb") as file:  # not an article file: not worth a line
        file.write(b"%PDF")
    os.mkdir(raw + b"/r\xe9sum\xe9s")
    with open(raw + b"/r\xe9sum\xe9s/inside.txt", "wb") as file:
        file.write(BODY.encode())
    listing = corpus_listing(corpus)
    assert [p.name for p in listing.files] == ["story.txt"]
    assert [shown_name(p.name) for p in listing.undecodable] == ["caf\\xe9.txt", "r\\xe9sum\\xe9s"]
    staged = stage_files([corpus, corpus / os.fsdecode(b"caf\xe9.txt")], tmp_path / "other")
    assert [p.name for p in staged.copied] == ["story.txt"]
    assert sorted(shown_name(refused.path.name) for refused in staged.refused) == [
        "caf\\xe9.txt",
        "caf\\xe9.txt",
        "r\\xe9sum\\xe9s",
    ]
    assert all("not valid UTF-8" in refused.reason for refused in staged.refused)
