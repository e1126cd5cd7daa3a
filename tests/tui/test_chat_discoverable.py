"""Finding one's way: the help screen, the first-question hint, Down into the cards, focus after screens, exports."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Input

from qa.tui.app import QAApp
from qa.tui.screens.filters import FiltersScreen
from qa.tui.screens.first_run import FirstRunScreen
from qa.tui.screens.help import KEYS, HelpScreen, keys_table
from qa.tui.screens.prompt import PromptScreen
from qa.tui.screens.reading import ReadingScreen
from qa.tui.screens.timeline import TimelineScreen
from qa.tui.widgets.answer_card import AnswerCard
from qa.tui.widgets.question_input import QuestionInput

SEED_QUESTION = "Who denied sales to Russia?"
BOUND = [QAApp, QuestionInput, AnswerCard, ReadingScreen, TimelineScreen, FiltersScreen, PromptScreen, FirstRunScreen]


def _help_keys() -> set[str]:
    return {key.strip().lower() for _, keys in KEYS for listed, _ in keys for key in listed.split(",")}


@pytest.mark.parametrize("owner", BOUND, ids=lambda owner: owner.__name__)
def test_the_help_lists_every_key_the_chat_binds(owner):
    listed = _help_keys()
    shown = {"question_mark": "?"}
    for binding in owner.BINDINGS:
        for key in binding.key.split(","):
            assert shown.get(key, key) in listed, f"{owner.__name__} binds {key}, the help does not list it"


async def test_f1_opens_the_help_and_question_mark_is_typed_into_the_question(seed_settings, make_app, ask, wait):
    app = make_app(seed_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(app, pilot)
        assert "F1 lists every key" in str(app.query_one("#hint").render())
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.query_one("#help-keys").size.height > len(KEYS) * 3  # the table, drawn
        shown = Console(width=76, file=io.StringIO(), record=True)
        shown.print(keys_table())
        assert re.search(r"^ctrl\+f +filter the sources", shown.export_text(), re.MULTILINE)
        await pilot.press("escape", "W", "h", "o", "?")
        assert app.query_one("#question", Input).value == "Who?"
        await ask(app, pilot, SEED_QUESTION)
        assert not app.query("#hint")  # the hint is for the first question only
        app.query(AnswerCard).first().focus()
        await pilot.press("?")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("?")
        assert app.query_one("#question", Input).has_focus


async def test_down_from_the_question_enters_the_newest_cards_and_up_comes_back(seed_settings, make_app, ask):
    app = make_app(seed_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(app, pilot, "Who won the 1998 World Cup?")
        await ask(app, pilot, SEED_QUESTION)
        cards = list(app.query(AnswerCard))
        await pilot.press("down")
        assert app.focused is cards[0]
        await pilot.press("down")
        assert app.focused is cards[1]
        await pilot.press("up", "up")
        assert app.query_one("#question", Input).has_focus
        await pilot.press("up")  # the history, as before
        assert app.query_one("#question", Input).value == SEED_QUESTION
        await pilot.press("down", "down")
        assert app.focused is cards[0]


@pytest.mark.parametrize("shortcut", ["ctrl+f", "ctrl+o", "ctrl+s", "ctrl+t", "f1"])
async def test_focus_returns_to_the_question_after_each_screen(seed_settings, make_app, ask, wait, shortcut):
    app = make_app(seed_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(app, pilot, SEED_QUESTION)
        app.query(AnswerCard).first().focus()
        await pilot.press(shortcut)
        await wait(app, pilot)
        assert app.screen is not app.screen_stack[0]
        await pilot.press("escape")
        await wait(app, pilot)
        assert app.screen is app.screen_stack[0]
        await pilot.press("o", "k")
        assert app.query_one("#question", Input).value == "ok"


async def test_reading_from_a_card_comes_back_to_that_card(seed_settings, make_app, ask, wait):
    app = make_app(seed_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(app, pilot, SEED_QUESTION)
        await pilot.press("down", "down", "enter")
        await wait(app, pilot)
        assert isinstance(app.screen, ReadingScreen)
        await pilot.press("escape")
        await wait(app, pilot)
        assert app.focused is list(app.query(AnswerCard))[1]


async def test_an_export_goes_to_the_export_folder_and_the_notice_shows_its_full_path(
    seed_settings, make_app, ask, wait, tmp_path: Path
):
    exports = tmp_path / "exports"  # QA_EXPORT_DIR, set for every chat test
    app = make_app(seed_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(app, pilot, SEED_QUESTION)
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, PromptScreen)
        default = Path(app.screen.query_one(Input).value)
        assert default.parent == exports and default.name.startswith("qa-session-")
        assert str(exports) in str(app.screen.query_one(".dialog-hint").render())
        app.screen.query_one(Input).value = "mine.md"
        await pilot.press("enter")
        await wait(app, pilot)
        assert list(app._notifications)[-1].message == f"Exported 1 answer to {exports / 'mine.md'}"
    assert (exports / "mine.md").read_text(encoding="utf-8").startswith("# qa session")
    assert not list(Path.cwd().glob("*.md"))
