"""Adding documents from the chat: a worker indexes them with progress while questions still work."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from textual.widgets import Input, ProgressBar
from textual.worker import WorkerState

from qa.config import Settings
from qa.progress import Stage
from qa.store.build import SkippedFile, SyncReport
from qa.store.lock import LOCK_NAME, writer_lock
from qa.tui.adding import NAMED_SKIPS, added_message
from qa.tui.screens.prompt import PromptScreen
from qa.tui.widgets.answer_card import AnswerCard
from tests.support.chat import add_with_ctrl_o, until

SEED_QUESTION = "Who denied sales to Russia?"
NEW_ARTICLE = (
    "The mayor of Springfield said on Tuesday that the river bridge would get no tolls this winter. "
    "Residents had opposed the bridge tolls at every council meeting since the spring. "
    "The council will vote on the bridge budget next month, the mayor's office said in a statement."
)


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""What must never reach the terminal raw (newline and tab aside)."""
NO_SUCH_USER = "nosuchuser-qa-test"
EVIL_TITLE = "Ferry \x1b]0;pwned\x07 fares \x1b]8;;https://evil.example\x1b\\cut\x1b]8;;\x1b\\"
EVIL_ARTICLE = (
    "The harbour authority of Port Evelyn \x1b[2Jsaid on Monday that ferry fares would double in June. "
    "\x1b]52;c;ZXZpbA==\x07Commuters protested the ferry fares outside the harbour office all week. "
    "The authority blamed the \x9b31mcost of fuel for the new ferry fares, a spokesman said."
)


def _status(app) -> str:
    return str(app.query_one("#status").render())


def _notices(app) -> list[str]:
    return [note.message for note in app._notifications]


def _incoming(tmp_path):
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "bridge.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    sidecar = {"title": "No tolls on the river bridge", "outlet": "Springfield Herald", "published": "2024-05-07"}
    (folder / "bridge.meta.json").write_text(json.dumps(sidecar), encoding="utf-8")
    return folder


async def test_added_folder_is_indexed_in_the_background_and_becomes_answerable(
    seed_copy: Settings, make_app, ask, wait, tmp_path
):
    folder = _incoming(tmp_path)
    app = make_app(seed_copy)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(app, pilot)
        # Another writer holds the index, so the add must wait in its worker: meanwhile the chat answers.
        with writer_lock(seed_copy.index_dir):
            await pilot.press("ctrl+o")
            await pilot.pause()
            assert isinstance(app.screen, PromptScreen)
            app.screen.query_one(Input).value = str(folder)
            await pilot.press("enter")
            await until(pilot, lambda: "waiting for another qa process" in _status(app))
            assert app.query_one("#progress", ProgressBar).display
            question = app.query_one("#question", Input)
            assert question.has_focus and not question.disabled
            question.value = SEED_QUESTION
            await pilot.press("enter")
            await until(pilot, lambda: bool(app.query(AnswerCard)))
            assert {card.hit.outlet for card in app.query(AnswerCard)} >= {"Forbes", "The Kyiv Independent"}
            assert app.query_one("#progress", ProgressBar).display  # still adding
        await wait(app, pilot)
        progress = app.query_one("#progress", ProgressBar)
        assert not progress.display
        assert "Added 1 file, updated none" in _status(app)
        assert sorted(path.name for path in seed_copy.corpus_dir.rglob("bridge.*")) == [
            "bridge.meta.json",
            "bridge.txt",
        ]
        await ask(app, pilot, "Who opposed the bridge tolls in Springfield?")
        top = app.query(AnswerCard).last()
        answer_cards = [card for card in app.query(AnswerCard) if card.parent is top.parent]
        assert answer_cards[0].hit.citation.label == "Springfield Herald · 7 May 2024"


async def test_a_path_that_does_not_exist_is_refused(seed_copy: Settings, make_app, wait, tmp_path):
    app = make_app(seed_copy)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(app, pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        app.screen.query_one(Input).value = f"{tmp_path / 'nowhere'} '{tmp_path / 'with space'}'"
        await pilot.press("enter")
        await wait(app, pilot)
        assert not app.query_one("#progress", ProgressBar).display
        [note] = list(app._notifications)
        assert note.message == f"Not found: {tmp_path / 'nowhere'}, {tmp_path / 'with space'}"


async def test_progress_of_each_stage_shows_in_the_bar_and_status(seed_copy: Settings, make_app, wait):
    app = make_app(seed_copy)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(app, pilot)
        app.show_progress(Stage.EMBEDDING, 3, 12)
        progress = app.query_one("#progress", ProgressBar)
        assert (progress.total, progress.progress) == (12, 3)
        assert _status(app) == "Adding: embedding passages 3/12"
        app.show_progress(Stage.SAVING, 0, 0)
        assert progress.total is None and _status(app) == "Adding: publishing the new index\u2026"


def _hostile_folder(tmp_path):
    """A good article, an article with escape sequences in title and text, a binary and an empty file."""
    folder = _incoming(tmp_path)
    (folder / "ferry.txt").write_text(EVIL_ARTICLE, encoding="utf-8")
    sidecar = {"title": EVIL_TITLE, "outlet": "Evelyn Gazette", "published": "2024-06-01"}
    (folder / "ferry.meta.json").write_text(json.dumps(sidecar), encoding="utf-8")
    (folder / "scan.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "empty.txt").write_bytes(b"")
    return folder


async def test_a_hostile_folder_added_with_ctrl_o_indexes_the_good_articles_and_names_each_bad_file_once(
    seed_copy: Settings, make_app, ask, wait, tmp_path
):
    folder = _hostile_folder(tmp_path)
    app = make_app(seed_copy)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait(app, pilot)
        await add_with_ctrl_o(app, pilot, str(folder))
        await wait(app, pilot)
        notices = _notices(app)
        assert all(not CONTROL.search(notice) for notice in notices)
        for bad in ("scan.txt", "empty.txt"):
            assert sum(notice.count(bad) for notice in notices) == 1, notices
        await ask(app, pilot, "Who opposed the bridge tolls in Springfield?")
        assert app.query(AnswerCard).first().hit.citation.label == "Springfield Herald · 7 May 2024"
        await ask(app, pilot, "Why did ferry fares double in Port Evelyn?")
        ferry = [card for card in app.query(AnswerCard) if card.hit.outlet == "Evelyn Gazette"]
        assert ferry and ferry[0].hit.title == EVIL_TITLE
        assert "Ferry \u241b]0;pwned\u2407 fares" in str(ferry[0].render())
        assert not CONTROL.search(app.export_screenshot())
        await pilot.press("o", "k")
        assert app.query_one("#question", Input).value == "ok"
    assert not app.return_code


async def test_ctrl_o_leaves_binary_and_empty_files_where_they_were(seed_copy: Settings, make_app, wait, tmp_path):
    """Issue 16 line 8: staging refuses files it cannot read as an article (binary, empty); they stay put."""
    folder = _hostile_folder(tmp_path)
    app = make_app(seed_copy)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait(app, pilot)
        await add_with_ctrl_o(app, pilot, str(folder))
        await wait(app, pilot)
    copied = sorted(path.name for path in (seed_copy.corpus_dir / folder.name).iterdir())
    assert copied == ["bridge.meta.json", "bridge.txt", "ferry.meta.json", "ferry.txt"]
    assert (folder / "scan.txt").is_file() and (folder / "empty.txt").is_file()


async def test_a_prompt_path_that_cannot_be_expanded_or_parsed_is_a_notice(seed_copy: Settings, make_app, wait):
    app = make_app(seed_copy)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(app, pilot)
        for text, notice in (
            (f"~{NO_SUCH_USER}/x", f"Cannot expand ~{NO_SUCH_USER}/x: no such user's home folder. Type the full path."),
            ("'unclosed", "Cannot read the paths: No closing quotation. Quote a path with spaces in it."),
            # stat fails with ENAMETOOLONG (not "missing"): the add worker reports the OSError.
            ("n" * 300, "Adding failed: [Errno 36] File name too long: "),
        ):
            await add_with_ctrl_o(app, pilot, text)
            await wait(app, pilot)
            assert _notices(app)[-1].startswith(notice)
            assert not app.query_one("#progress", ProgressBar).display
        await pilot.press("o", "k")
        assert app.query_one("#question", Input).value == "ok"
    assert not app.return_code


HOLD_WRITE_LOCK = """
import sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1])
lock.acquire()
print("held", flush=True)
time.sleep(600)
"""
"""Another qa process writing the index, as far as the lock tells: the chat's add waits for it."""


async def test_the_input_takes_keys_while_an_add_is_running(seed_copy: Settings, make_app, wait, tmp_path):
    """The add worker is held at the index's write lock by another process, so it is surely still running
    when the keys arrive; a UI thread blocked by the add would not take them."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "story.txt").write_text(
        "The harbour council said on Monday that the river bridge will get no new tolls this winter, "
        "after months of debate about the budget and a petition signed by four thousand residents.",
        encoding="utf-8",
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITE_LOCK, str(seed_copy.index_dir / LOCK_NAME)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline() == "held\n"
        app = make_app(seed_copy)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait(app, pilot)
            await add_with_ctrl_o(app, pilot, str(folder))
            await until(pilot, lambda: "waiting for another qa process" in _status(app))
            await pilot.press("h", "i")
            question = app.query_one("#question", Input)
            assert question.value == "hi"
            adding = [worker for worker in app.workers if worker.group == "add"]
            assert [worker.state for worker in adding] == [WorkerState.RUNNING]
            holder.kill()
            holder.wait()
            await wait(app, pilot)
            assert "Added 1 file, updated none" in _status(app)
            assert question.value == "hi"
    finally:
        holder.kill()
        holder.wait()


def test_the_add_notice_names_a_few_skipped_files_and_counts_the_rest():
    report = SyncReport(
        added=["incoming/good.txt"],
        skipped=[SkippedFile(f"incoming/bad\x1b[2J-{number}.txt", "is a binary file") for number in range(12_000)],
    )
    message = added_message(report, 15)
    assert message.startswith(
        "Added 1 file, updated none; skipped 12000: incoming/bad\u241b[2J-0.txt (is a binary file);"
    )
    assert message.count("incoming/bad") == NAMED_SKIPS
    assert message.endswith(f"; and {12_000 - NAMED_SKIPS:,} more. Ready \u00b7 15 passages indexed")
