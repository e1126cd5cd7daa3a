"""Adding documents from the chat: a worker indexes them with progress while questions still work."""

from __future__ import annotations

import json

from textual.widgets import Input, ProgressBar

from qa.config import Settings
from qa.store.lock import writer_lock
from qa.tui.screens.prompt import PromptScreen
from qa.tui.widgets.answer_card import AnswerCard

SEED_QUESTION = "Who denied sales to Russia?"
NEW_ARTICLE = (
    "The mayor of Springfield said on Tuesday that the river bridge would get no tolls this winter. "
    "Residents had opposed the bridge tolls at every council meeting since the spring. "
    "The council will vote on the bridge budget next month, the mayor's office said in a statement."
)


def _status(app) -> str:
    return str(app.query_one("#status").render())


async def _until(pilot, condition, *, polls: int = 600) -> None:
    """Let the app run until `condition()` holds (bounded, so a broken app fails instead of hanging)."""
    for _ in range(polls):
        if condition():
            return
        await pilot.pause(0.1)
    raise AssertionError("the app never reached the expected state")


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
            await _until(pilot, lambda: "waiting for another qa process" in _status(app))
            assert app.query_one("#progress", ProgressBar).display
            question = app.query_one("#question", Input)
            assert question.has_focus and not question.disabled
            question.value = SEED_QUESTION
            await pilot.press("enter")
            await _until(pilot, lambda: bool(app.query(AnswerCard)))
            assert {card.hit.outlet for card in app.query(AnswerCard)} >= {"Forbes", "The Kyiv Independent"}
            assert app.query_one("#progress", ProgressBar).display  # still adding
        await wait(app, pilot)
        progress = app.query_one("#progress", ProgressBar)
        assert not progress.display
        assert "Added 1, updated 0 file(s)" in _status(app)
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
        app.show_progress("embedding", 3, 12)
        progress = app.query_one("#progress", ProgressBar)
        assert (progress.total, progress.progress) == (12, 3)
        assert _status(app) == "Adding: embedding 3/12"
        app.show_progress("saving", 0, 0)
        assert progress.total is None and _status(app) == "Adding: saving\u2026"
