"""SVG snapshots of the main screens at 80x24 (and one wide), made deterministic.

Deterministic because: relative paths (the tests run in tmp; the first-run screen, which shows
full paths, runs in a fixed folder), no clock in the header, the
cursor does not blink, every worker has finished and notifications are cleared before the shot.
Update after an intended change with `pytest tests/tui/test_chat_snapshots.py --snapshot-update`
and look at the report before committing the new SVGs.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from filelock import FileLock
from textual.widgets import Input, ListView

from qa.config import BUNDLED_MODEL, Settings
from qa.engine import Engine
from qa.tui.widgets.answer_card import AnswerCard

SEED_QUESTION = "Who denied sales to Russia?"
OFF_TOPIC_QUESTION = "Who won the 1998 World Cup?"
NARROW = (80, 24)
WIDE = (140, 40)


@pytest.fixture
def prepared(ask, wait):
    """`run_before` factory: ask the questions, do `then(pilot)`, and leave the app still."""

    def make(*questions: str, then=None):
        async def run_before(pilot) -> None:
            app = pilot.app
            await wait(app, pilot)
            for question in questions:
                await ask(app, pilot, question)
            if then is not None:
                await then(pilot)
                await wait(app, pilot)
            for field in app.screen.query(Input):
                field.cursor_blink = False
            app.query_one("#question", Input).cursor_blink = False
            app.clear_notifications()
            await pilot.pause()

        return run_before

    return make


async def _open_forbes(pilot) -> None:
    forbes = next(card for card in pilot.app.query(AnswerCard) if card.hit.outlet == "Forbes")
    forbes.focus()
    await pilot.press("enter")


class TestChat:
    def test_seed_answer(self, snap_compare, seed_settings, make_app, prepared):
        assert snap_compare(make_app(seed_settings), terminal_size=NARROW, run_before=prepared(SEED_QUESTION))

    def test_seed_answer_wide(self, snap_compare, seed_settings, make_app, prepared):
        assert snap_compare(make_app(seed_settings), terminal_size=WIDE, run_before=prepared(SEED_QUESTION))

    def test_seed_answer_light_theme(self, snap_compare, seed_settings, make_app, prepared):
        async def light(pilot) -> None:
            await pilot.press("f2")

        run_before = prepared(SEED_QUESTION, then=light)
        assert snap_compare(make_app(seed_settings), terminal_size=NARROW, run_before=run_before)

    def test_abstention(self, snap_compare, seed_settings, make_app, prepared):
        assert snap_compare(make_app(seed_settings), terminal_size=NARROW, run_before=prepared(OFF_TOPIC_QUESTION))


class TestReading:
    def test_article_at_the_passage(self, snap_compare, seed_settings, make_app, prepared):
        run_before = prepared(SEED_QUESTION, then=_open_forbes)
        assert snap_compare(make_app(seed_settings), terminal_size=NARROW, run_before=run_before)

    def test_metadata_labels_at_80_columns(self, snap_compare, seed_settings, make_app, prepared):
        async def metadata(pilot) -> None:
            await _open_forbes(pilot)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("home")

        run_before = prepared(SEED_QUESTION, then=metadata)
        assert snap_compare(make_app(seed_settings), terminal_size=NARROW, run_before=run_before)

    def test_article_wide(self, snap_compare, seed_settings, make_app, prepared):
        run_before = prepared(SEED_QUESTION, then=_open_forbes)
        assert snap_compare(make_app(seed_settings), terminal_size=WIDE, run_before=run_before)


class TestTimeline:
    def test_timeline(self, snap_compare, seed_settings, make_app, prepared):
        async def timeline(pilot) -> None:
            await pilot.press("ctrl+t")
            await pilot.pause()
            pilot.app.screen.query_one(ListView).index = 0

        run_before = prepared(SEED_QUESTION, then=timeline)
        assert snap_compare(make_app(seed_settings), terminal_size=NARROW, run_before=run_before)


class TestFilters:
    def test_filter_form(self, snap_compare, seed_settings, make_app, prepared):
        async def form(pilot) -> None:
            await pilot.press("ctrl+f")
            await pilot.pause()
            pilot.app.screen.query_one("#outlets", Input).value = "Forbes"
            pilot.app.screen.query_one("#since", Input).value = "February 2024"

        run_before = prepared(then=form)
        assert snap_compare(make_app(seed_settings), terminal_size=NARROW, run_before=run_before)

    def test_active_filter_bar_and_filtered_answer(self, snap_compare, seed_settings, make_app, prepared, ask):
        async def filtered(pilot) -> None:
            await pilot.press("ctrl+f")
            await pilot.pause()
            pilot.app.screen.query_one("#outlets", Input).value = "The Kyiv Independent"
            await pilot.press("enter")
            await ask(pilot.app, pilot, SEED_QUESTION)

        run_before = prepared(then=filtered)
        assert snap_compare(make_app(seed_settings), terminal_size=NARROW, run_before=run_before)


class TestHelp:
    def test_help_screen(self, snap_compare, seed_settings, make_app, prepared):
        async def help_screen(pilot) -> None:
            await pilot.press("f1")

        assert snap_compare(make_app(seed_settings), terminal_size=NARROW, run_before=prepared(then=help_screen))

    def test_first_question_hint(self, snap_compare, seed_settings, make_app, prepared):
        assert snap_compare(make_app(seed_settings), terminal_size=NARROW, run_before=prepared())


@pytest.fixture
def fixed_folder(monkeypatch):
    """The first-run screen shows full paths: run it in a folder whose name does not change between runs.

    One test at a time has the folder, across the suite's parallel workers and other test runs on the machine.
    """
    folder = Path(tempfile.gettempdir()) / "qa-chat-snapshots" / "first-run"
    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(folder.parent / "first-run.lock"):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        monkeypatch.chdir(folder)
        yield folder
        shutil.rmtree(folder, ignore_errors=True)


class TestFirstRun:
    def test_missing_index(self, snap_compare, make_app, prepared, fixed_folder):
        settings = Settings(corpus_dir=Path("corpus"), index_dir=Path("index"), model=BUNDLED_MODEL)
        assert snap_compare(make_app(settings), terminal_size=NARROW, run_before=prepared())

    def test_empty_index(self, snap_compare, make_app, prepared, embedder, fixed_folder):
        settings = Settings(corpus_dir=Path("corpus"), index_dir=Path("index"), model=BUNDLED_MODEL)
        settings.corpus_dir.mkdir()
        Engine(settings, embedder=embedder).build_index(allow_empty=True)
        assert snap_compare(make_app(settings), terminal_size=NARROW, run_before=prepared())
