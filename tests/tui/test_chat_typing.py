"""Typing ahead: every key reaches the question or dialog it was typed for, however fast it comes.

Two speeds. `pilot.press` with every key in one call, no pauses of ours: Pilot still waits for the
app to be idle after each key, so these pass on a quiet machine even with keys routed as they
arrive; they guard the plain path. The bursts post every key at once, as a terminal delivers keys
typed ahead (what `tmux send-keys` does): with Textual's own routing they merge all 20 questions into
one and type the three filter fields into the question line; they are the tests of the fix.
"""

from __future__ import annotations

import asyncio

from textual import events
from textual.widgets import Input

from qa.tui.screens.filters import FiltersScreen
from qa.tui.screens.prompt import PromptScreen
from qa.tui.widgets.answer_view import AnswerView, QuestionLine
from tests.support.chat import until

QUESTIONS = [f"question number {number} who sold Starlink" for number in range(1, 21)]
CHARACTERS = {"enter": "\r", "tab": "\t", "space": " ", "escape": "\x1b"}


def keys_for(text: str) -> list[str]:
    return ["space" if character == " " else character for character in text]


async def burst(app, keys: list[str]) -> None:
    """Post every key to the app at once, without letting it run in between; return once it has them all."""
    for key in keys:
        app.post_message(events.Key(key, CHARACTERS.get(key, key if len(key) == 1 else None)))
    received = asyncio.Event()
    app.call_later(received.set)  # runs after the app has taken every key posted before it
    await received.wait()


async def typed_out(app, pilot, wait) -> None:
    """Let every key typed so far be handled, then every worker finish."""
    await until(pilot, lambda: app.keys_pending == 0)
    await wait(app, pilot)


def twenty_questions() -> list[str]:
    keys: list[str] = []
    for question in QUESTIONS:
        keys += [*keys_for(question), "enter"]
    return keys


def _asked(app) -> list[str]:
    return [str(line.render()).removeprefix("Q: ") for line in app.query(QuestionLine)]


def _check_each_asked_once_in_order(app) -> None:
    assert _asked(app) == QUESTIONS
    assert app.history.entries == QUESTIONS
    transcript = app.query_one("#transcript").children
    for number, line in enumerate(transcript[0::2]):
        answer = transcript[2 * number + 1]
        assert isinstance(line, QuestionLine) and isinstance(answer, AnswerView)
        assert answer.answer.question == QUESTIONS[number]
    assert app.query_one("#question", Input).value == ""


async def test_twenty_questions_pressed_without_pauses_are_each_asked_once_in_order(seed_settings, make_app, wait):
    app = make_app(seed_settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait(app, pilot)
        await pilot.press(*twenty_questions())
        await typed_out(app, pilot, wait)
        _check_each_asked_once_in_order(app)


async def test_twenty_questions_in_one_burst_are_each_asked_once_in_order(seed_settings, make_app, wait):
    app = make_app(seed_settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait(app, pilot)
        await burst(app, twenty_questions())
        await typed_out(app, pilot, wait)
        _check_each_asked_once_in_order(app)


async def test_text_typed_right_after_enter_starts_the_next_question(seed_settings, make_app, wait):
    app = make_app(seed_settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait(app, pilot)
        await burst(app, [*keys_for("Who denied sales"), "enter", *keys_for("next one")])
        await typed_out(app, pilot, wait)
        assert _asked(app) == ["Who denied sales"]
        assert app.query_one("#question", Input).value == "next one"


def _filter_keys() -> list[str]:
    return ["ctrl+f", *keys_for("Forbes"), "tab", *keys_for("2024-01-01"), "tab", *keys_for("2024-12-31"), "enter"]


def _check_filters(app) -> None:
    filters = app.filters
    assert filters.outlets == ["Forbes"]
    assert filters.since.isoformat() == "2024-01-01" and filters.until.isoformat() == "2024-12-31"


async def test_the_filters_dialog_typed_at_full_speed_with_tab_fills_each_field(seed_settings, make_app, wait):
    app = make_app(seed_settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait(app, pilot)
        await pilot.press(*_filter_keys(), *keys_for("then ask"))
        await typed_out(app, pilot, wait)
        _check_filters(app)
        assert not isinstance(app.screen, FiltersScreen)
        assert app.query_one("#question", Input).value == "then ask"


async def test_the_filters_dialog_typed_in_one_burst_fills_each_field(seed_settings, make_app, wait):
    app = make_app(seed_settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait(app, pilot)
        await burst(app, [*_filter_keys(), *keys_for("then ask")])
        await typed_out(app, pilot, wait)
        _check_filters(app)
        assert app.query_one("#question", Input).value == "then ask"


async def test_a_shortcut_opens_its_dialog_and_the_dialog_gets_the_keys_typed_after_it(seed_settings, make_app, wait):
    app = make_app(seed_settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait(app, pilot)
        await burst(app, ["ctrl+o", *keys_for("some folder")])
        await typed_out(app, pilot, wait)
        assert isinstance(app.screen, PromptScreen)
        assert app.screen.query_one(Input).value == "some folder"
        await burst(app, ["escape", *keys_for("back"), "f1", "escape", *keys_for(" here")])
        await typed_out(app, pilot, wait)
        assert app.query_one("#question", Input).value == "back here"
        assert app.query_one("#question", Input).has_focus
