"""Issue 16: the corpus never reads outside itself, concurrent adds lose nothing, flags are kept,
an empty corpus never empties the index, a read-only index answers, unreadable files stay out."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from qa.cli.indexing import SKIPPED_EXIT_CODE
from qa.config import Settings
from qa.ingest import read_corpus_file
from qa.store.index import DB_NAME, Index
from tests.support.processes import HARBOUR, QA_SCRIPT, paths, qa

SECRET = (
    "The vault combination is kept in the private notebook of the night guard, who writes it down every "
    "evening before the doors are sealed and the alarm is set for the weekend by the building manager."
)
QUESTION = "Who denied sales to Russia?"


def run(argv: list[str]) -> subprocess.CompletedProcess:
    """A real process (the `qa` script, or a wrapper around it), with a hang guard."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run(argv, env=env, text=True, capture_output=True, timeout=600, check=False)


def indexed_files(settings: Settings) -> list[str]:
    index = Index.open(settings.index_dir)
    try:
        return sorted(index.indexed_files())
    finally:
        index.close()


def indexed_text(settings: Settings) -> str:
    connection = sqlite3.connect(f"file:{settings.index_dir / DB_NAME}?mode=ro", uri=True)
    try:
        return " ".join(text for (text,) in connection.execute("SELECT text FROM articles"))
    finally:
        connection.close()


# -- links out of the corpus ---------------------------------------------------------------


def test_index_skips_a_link_out_of_the_corpus_with_one_line_unless_asked(seed_copy, tmp_path, capsys):
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "vault.txt").write_text(SECRET)
    (outside / "more").mkdir()
    (outside / "more" / "notes.txt").write_text(SECRET.replace("vault", "safe"))
    os.symlink(outside / "vault.txt", seed_copy.corpus_dir / "vault.txt")
    os.symlink(outside / "more", seed_copy.corpus_dir / "more")
    (outside / "stolen.meta.json").write_text('{"title": "The night guard notebook"}')
    (seed_copy.corpus_dir / "harbour.txt").write_text(HARBOUR)
    os.symlink(outside / "stolen.meta.json", seed_copy.corpus_dir / "harbour.meta.json")
    before = indexed_files(seed_copy)
    code, out, err = qa("index", *paths(seed_copy), capsys=capsys)
    assert code == SKIPPED_EXIT_CODE, err
    lines = [line for line in err.splitlines() if "outside the corpus" in line]
    assert len(lines) == 3
    assert str(seed_copy.corpus_dir / "harbour.meta.json") in lines[0] and "nor its article" in lines[0]
    assert str(seed_copy.corpus_dir / "more") in lines[1]
    assert str(seed_copy.corpus_dir / "vault.txt") in lines[2] and "--follow-symlinks" in lines[2]
    assert indexed_files(seed_copy) == before
    assert "night guard" not in indexed_text(seed_copy)

    code, out, err = qa("index", "--follow-symlinks", *paths(seed_copy), capsys=capsys)
    assert code == 0, err
    new = {line for line in out.splitlines() if line.startswith("new")}
    assert new == {"new      vault.txt", "new      more/notes.txt", "new      harbour.txt"}
    assert "outside the corpus" not in err
    code, out, _ = qa("status", *paths(seed_copy), capsys=capsys)
    assert "stale       0 file(s)" in out  # read through a link on request: not called removed


def test_files_indexed_through_links_on_request_survive_a_plain_add_until_the_link_goes(seed_copy, tmp_path, capsys):
    outside = tmp_path / "private"
    (outside / "more").mkdir(parents=True)
    (outside / "vault.txt").write_text(SECRET)
    (outside / "more" / "notes.txt").write_text(SECRET.replace("vault", "safe"))
    os.symlink(outside / "vault.txt", seed_copy.corpus_dir / "vault.txt")
    os.symlink(outside / "more", seed_copy.corpus_dir / "more")
    code, out, err = qa("index", "--follow-symlinks", *paths(seed_copy), capsys=capsys)
    assert code == 0, err
    through_links = indexed_files(seed_copy)
    assert {"vault.txt", "more/notes.txt"} <= set(through_links)
    story = tmp_path / "harbour.txt"
    story.write_text(HARBOUR)
    code, out, err = qa("add", story, *paths(seed_copy), capsys=capsys)  # as the chat's ctrl+o does: no links
    assert code == SKIPPED_EXIT_CODE, err
    assert " 0 removed" in out and not [line for line in out.splitlines() if line.startswith("removed")]
    assert indexed_files(seed_copy) == sorted([*through_links, "harbour.txt"])
    lines = [line for line in err.splitlines() if "outside the corpus" in line]
    assert len(lines) == 2 and all("1 file(s) indexed through it with --follow-symlinks are kept" in x for x in lines)
    (seed_copy.corpus_dir / "vault.txt").unlink()
    code, out, err = qa("index", *paths(seed_copy), capsys=capsys)
    assert "vault.txt" not in indexed_files(seed_copy) and "more/notes.txt" in indexed_files(seed_copy)


def test_add_of_a_folder_never_copies_a_file_reached_through_a_link_out_of_it(seed_copy, tmp_path, capsys):
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "vault.txt").write_text(SECRET)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "harbour.txt").write_text(HARBOUR)
    os.symlink(tmp_path / "private" / "vault.txt", inbox / "vault.txt")
    code, out, err = qa("add", inbox, *paths(seed_copy), capsys=capsys)
    assert code == SKIPPED_EXIT_CODE, err
    [line] = [line for line in err.splitlines() if "vault.txt" in line]
    assert str(inbox / "vault.txt") in line and "not copied" in line
    assert sorted(p.name for p in (seed_copy.corpus_dir / "inbox").iterdir()) == ["harbour.txt"]
    assert "night guard" not in indexed_text(seed_copy)


def test_a_file_name_that_is_not_utf8_is_skipped_by_name_and_the_rest_indexed(seed_copy):
    corpus = os.fsencode(seed_copy.corpus_dir)
    with open(corpus + b"/caf\xe9.txt", "wb") as file:  # Latin-1 "café.txt", from an old archive
        file.write(SECRET.encode())
    os.mkdir(corpus + b"/r\xe9sum\xe9s")
    with open(corpus + b"/r\xe9sum\xe9s/vault.txt", "wb") as file:
        file.write(SECRET.replace("vault", "safe").encode())
    (seed_copy.corpus_dir / "harbour.txt").write_text(HARBOUR)
    before = indexed_files(seed_copy)
    result = run([str(QA_SCRIPT), "index", *paths(seed_copy)])
    assert result.returncode == SKIPPED_EXIT_CODE, result.stderr
    assert "Traceback" not in result.stderr
    skipped = [line for line in result.stderr.splitlines() if "not valid UTF-8" in line]
    assert len(skipped) == 2
    assert "caf\\xe9.txt" in skipped[0] and "r\\xe9sum\\xe9s" in skipped[1]  # shown escaped, never raw bytes
    assert indexed_files(seed_copy) == sorted([*before, "harbour.txt"])
    assert "night guard" not in indexed_text(seed_copy)


# -- several qa add at once ----------------------------------------------------------------


DISTINCT_STORIES = (
    "The ferry company cancelled its winter timetable on Friday after two of its three boats failed safety "
    "inspections, leaving island commuters with a single crossing each morning until the repairs are done.",
    "Fishermen in the northern bay reported the best herring catch in a decade, and the cooperative said it "
    "would open a second smokehouse in spring to keep up with orders from restaurants along the coast.",
    "A cargo ship ran aground at the mouth of the river during Tuesday's fog; nobody was hurt, but the port "
    "stayed closed for eleven hours while tugs waited for the tide to lift the vessel off the sandbank.",
)


def test_concurrent_qa_add_processes_keep_every_file_exactly_once(seed_copy, tmp_path):
    stories = [f"{text}\n\nFiled by the harbour desk." for text in DISTINCT_STORIES]  # never folded as copies
    stories.append(stories[0])  # the same bytes twice: stored once
    sources = []
    for number, text in enumerate(stories):
        (tmp_path / f"from-{number}").mkdir()
        (tmp_path / f"from-{number}" / "story.txt").write_text(text)
        sources.append(tmp_path / f"from-{number}" / "story.txt")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    adds = [
        subprocess.Popen(
            [str(QA_SCRIPT), "add", "--quiet", str(source), *paths(seed_copy)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for source in sources
    ]
    for add in adds:
        _, err = add.communicate(timeout=600)
        assert add.returncode == 0, err
        assert "Traceback" not in err
    stored = sorted(p.read_text() for p in seed_copy.corpus_dir.glob("story*.txt"))
    assert stored == sorted(set(stories))
    assert not [p.name for p in seed_copy.corpus_dir.iterdir() if p.name.startswith(".")]
    assert len(indexed_files(seed_copy)) == 2 + 3


# -- flags kept ------------------------------------------------------------------------------


def test_adding_a_file_again_keeps_its_flags_and_show_names_them(seed_copy, tmp_path, capsys):
    story = tmp_path / "f.txt"
    story.write_text(HARBOUR)
    code, _, err = qa("add", story, "--outlet", "Reuters", "--date", "2024-01-01", *paths(seed_copy), capsys=capsys)
    assert code == 0, err
    code, _, err = qa("add", story, *paths(seed_copy), capsys=capsys)
    assert code == 0, err
    [article] = read_corpus_file(seed_copy.corpus_dir / "f.txt", corpus_dir=seed_copy.corpus_dir).articles
    code, out, err = qa("show", article.doc_id, *paths(seed_copy), capsys=capsys)
    assert code == 0, err
    lines = out.splitlines()
    outlet = next(i for i, line in enumerate(lines) if line.strip().startswith("outlet"))
    assert "Reuters" in lines[outlet] and "from flag" in lines[outlet + 1]
    assert any(line.strip().startswith("published  2024-01-01") for line in lines)
    code, _, err = qa("add", story, "--outlet", "AP", *paths(seed_copy), capsys=capsys)
    assert code == 0, err
    code, out, _ = qa("show", article.doc_id, *paths(seed_copy), capsys=capsys)
    assert "outlet     AP" in out and "published  2024-01-01" in out


# -- an empty or missing corpus ------------------------------------------------------------


def test_an_empty_corpus_folder_never_empties_the_index_unless_asked(seed_copy, tmp_path, capsys):
    before = indexed_files(seed_copy)
    shutil.move(seed_copy.corpus_dir, tmp_path / "away")
    seed_copy.corpus_dir.mkdir()  # an unmounted share: the mount point is there, empty
    code, out, err = qa("index", *paths(seed_copy), capsys=capsys)
    assert (code, out) == (1, "")
    assert err.startswith(f"Error: The corpus folder {seed_copy.corpus_dir} has no article files")
    assert "--allow-empty" in err and err.count("\n") == 1
    assert indexed_files(seed_copy) == before
    code, out, err = qa("index", "--allow-empty", *paths(seed_copy), capsys=capsys)
    assert code == 0, err
    assert indexed_files(seed_copy) == []


def test_add_into_an_empty_corpus_folder_refuses_rather_than_emptying_the_index(seed_copy, tmp_path, capsys):
    before = indexed_files(seed_copy)
    shutil.move(seed_copy.corpus_dir, tmp_path / "away")
    seed_copy.corpus_dir.mkdir()  # an unmounted share: the mount point is there, empty
    story = tmp_path / "harbour.txt"
    story.write_text(HARBOUR)
    code, out, err = qa("add", story, *paths(seed_copy), capsys=capsys)
    assert (code, out) == (1, "")
    assert err.startswith(f"Error: The corpus folder {seed_copy.corpus_dir} has no article files")
    assert list(seed_copy.corpus_dir.iterdir()) == []  # nothing staged either
    assert indexed_files(seed_copy) == before


def test_a_missing_corpus_folder_is_reported_by_status_and_protected_from_add(seed_copy, tmp_path, capsys):
    before = indexed_files(seed_copy)
    shutil.rmtree(seed_copy.corpus_dir)
    code, out, err = qa("status", *paths(seed_copy), capsys=capsys)
    assert code == 0, err
    [stale] = [line for line in out.splitlines() if line.startswith("stale")]
    assert "unknown" in stale and "missing" in stale and str(seed_copy.corpus_dir) in stale
    story = tmp_path / "harbour.txt"
    story.write_text(HARBOUR)
    code, out, err = qa("add", story, *paths(seed_copy), capsys=capsys)
    assert code == 1
    assert err.startswith(f"Error: The corpus folder {seed_copy.corpus_dir} does not exist")
    assert not seed_copy.corpus_dir.exists()
    assert indexed_files(seed_copy) == before


# -- unreadable files stay out of the corpus -----------------------------------------------


def test_add_never_copies_a_binary_or_empty_file_into_the_corpus(seed_copy, tmp_path, capsys):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "harbour.txt").write_text(HARBOUR)
    (inbox / "photo.txt").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8)
    (inbox / "empty.md").write_bytes(b"")
    for _ in range(2):
        code, out, err = qa("add", inbox, *paths(seed_copy), capsys=capsys)
        assert code == SKIPPED_EXIT_CODE, err
        skipped = sorted(line for line in err.splitlines() if line.startswith("skipped "))
        assert [line.split(":")[0] for line in skipped] == [
            f"skipped {inbox / 'empty.md'}",
            f"skipped {inbox / 'photo.txt'}",
        ]
    assert sorted(p.name for p in (seed_copy.corpus_dir / "inbox").iterdir()) == ["harbour.txt"]
    assert (inbox / "photo.txt").exists() and (inbox / "empty.md").exists()


# -- a read-only index -----------------------------------------------------------------------


def _read_only_mount_runs(index_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """`qa ARGS` with `index_dir` bind-mounted read-only in a private mount namespace (root or not)."""
    command = " ".join(f'"{arg}"' for arg in [str(QA_SCRIPT), *args])
    script = f'mount --bind "{index_dir}" "{index_dir}" && mount -o remount,bind,ro "{index_dir}" && exec {command}'
    return run(["unshare", "-rm", "sh", "-c", script])


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare for a read-only bind mount")
def test_readers_answer_from_an_index_on_a_read_only_mount(seed_copy, seed_articles):
    index_dir = seed_copy.index_dir
    probe = _read_only_mount_runs(index_dir, "status", *paths(seed_copy))
    if probe.returncode != 0 and "mount" in probe.stderr:
        pytest.skip(f"cannot make a read-only mount here: {probe.stderr}")
    assert probe.returncode == 0, probe.stderr
    assert "articles    2" in probe.stdout and "stale       0" in probe.stdout
    asked = _read_only_mount_runs(index_dir, "ask", "--json", QUESTION, *paths(seed_copy))
    assert asked.returncode == 0, asked.stderr
    assert '"passages"' in asked.stdout and "Starlink" in asked.stdout
    shown = _read_only_mount_runs(index_dir, "show", seed_articles["kyiv"].doc_id, *paths(seed_copy))
    assert shown.returncode == 0, shown.stderr
    assert "Kyiv Independent" in shown.stdout
    written = _read_only_mount_runs(index_dir, "index", *paths(seed_copy))
    assert written.returncode == 1 and written.stderr.startswith("Error: Cannot write to the index directory")


def _chattr(flag: str, *targets: Path) -> bool:
    result = subprocess.run(["chattr", flag, *map(str, targets)], capture_output=True, check=False)
    return result.returncode == 0


@pytest.mark.skipif(shutil.which("chattr") is None, reason="needs chattr to make a directory immutable")
def test_readers_answer_from_an_index_directory_nobody_may_write(seed_copy):
    """`chattr +i` stops every write, root's included (tests run as root, where chmod would not)."""
    index_dir = seed_copy.index_dir
    for leftover in index_dir.glob(f"{DB_NAME}-*"):
        leftover.unlink()  # a cleanly closed index: no WAL files, and none may be created
    files = [path for path in index_dir.rglob("*")]
    if not _chattr("+i", *files, index_dir):
        pytest.skip("chattr +i is not supported on this file system")
    try:
        assert not os.access(index_dir, os.W_OK)
        status = run([str(QA_SCRIPT), "status", *paths(seed_copy)])
        assert status.returncode == 0, status.stderr
        assert "articles    2" in status.stdout
        asked = run([str(QA_SCRIPT), "ask", "--json", QUESTION, *paths(seed_copy)])
        assert asked.returncode == 0, asked.stderr
        assert "Starlink" in asked.stdout
        index = Index.open(index_dir)
        try:
            assert index.read_only and index.status().counts.articles == 2
        finally:
            index.close()
    finally:
        _chattr("-i", index_dir, *files)
    assert sorted(path for path in index_dir.rglob("*")) == sorted(files)  # nothing was written


def test_a_collection_with_repeated_records_exits_0_and_counts_the_copies_kept_once(seed_copy, capsys):
    """Real exports repeat records (Reuters-21578 has 214): the text is in the index, so nothing was skipped."""
    text = f"{HARBOUR}\n\n{SECRET}"  # long enough to be compared as a story (short texts never fold)
    record = {"title": "Harbour reopens", "outlet": "Harbour Wire", "published": "2024-03-05", "text": text}
    repeat = {**record, "title": "Harbour reopens (update)", "text": text + " The ferry resumes on Monday."}
    lines = [json.dumps(record), json.dumps(repeat)]
    (seed_copy.corpus_dir / "wire.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = qa("index", *paths(seed_copy), capsys=capsys)
    assert code == 0, err
    assert "skipped" not in err and "skipped" not in out
    assert "1 copies of stories kept once" in out, (out, err)


def test_a_link_out_of_the_corpus_is_reported_once_per_change_and_listed_by_status(seed_copy, tmp_path, capsys):
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "vault.txt").write_text(SECRET)
    (outside / "other.txt").write_text(SECRET.replace("vault", "safe"))
    link = seed_copy.corpus_dir / "vault.txt"
    os.symlink(outside / "vault.txt", link)
    code, _, err = qa("index", *paths(seed_copy), capsys=capsys)
    assert code == SKIPPED_EXIT_CODE and "outside the corpus" in err
    code, out, err = qa("index", *paths(seed_copy), capsys=capsys)
    assert code == 0, err  # nothing new was skipped: a script's `qa index && ...` goes on
    assert "outside the corpus" not in err and "1 still skipped as before" in out
    _, out, _ = qa("status", *paths(seed_copy), capsys=capsys)
    assert "vault.txt" in out and "outside the corpus" in out
    link.unlink()
    os.symlink(outside / "other.txt", link)  # a new target is news again
    code, _, err = qa("index", *paths(seed_copy), capsys=capsys)
    assert code == SKIPPED_EXIT_CODE and str(outside / "other.txt") in err
    assert "night guard" not in indexed_text(seed_copy)
