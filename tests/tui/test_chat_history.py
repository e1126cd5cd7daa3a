"""The question history: up/down in the input, kept in a file between runs."""

from __future__ import annotations

import re

from textual import events
from textual.widgets import Input

from qa.tui.history import MAX_BYTES, MAX_ENTRIES, QuestionHistory
from qa.tui.locations import history_path

SEED_QUESTION = "Who denied sales to Russia?"
OFF_TOPIC_QUESTION = "Who won the 1998 World Cup?"


def test_history_walks_back_and_forth_and_keeps_the_draft(tmp_path):
    history = QuestionHistory(tmp_path / "h")
    for question in ("first", "second", "second", "  third  question "):
        history.add(question)
    assert history.entries == ["first", "second", "third question"]
    assert history.previous("half-typed") == "third question"
    assert history.previous("") == "second"
    assert history.previous("") == "first"
    assert history.previous("") is None
    assert history.next() == "second"
    assert history.next() == "third question"
    assert history.next() == "half-typed"
    assert history.next() is None


def test_history_is_saved_and_trimmed(tmp_path):
    path = tmp_path / "state" / "qa" / "h"
    history = QuestionHistory(path)
    for number in range(MAX_ENTRIES + 5):
        history.add(f"question {number}")
    reloaded = QuestionHistory(path)
    assert len(reloaded.entries) == MAX_ENTRIES
    assert reloaded.entries[-1] == f"question {MAX_ENTRIES + 4}" and reloaded.entries[0] == "question 5"


def test_history_path_follows_qa_history_then_the_state_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("QA_HISTORY", str(tmp_path / "mine"))
    assert history_path() == tmp_path / "mine"
    monkeypatch.delenv("QA_HISTORY")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert history_path() == tmp_path / "xdg" / "qa" / "chat-history"


async def test_up_and_down_recall_questions_from_an_earlier_run(seed_settings, make_app, ask, tmp_path):
    path = tmp_path / "history.txt"
    first_run = make_app(seed_settings, history=path)
    async with first_run.run_test(size=(80, 24)) as pilot:
        await ask(first_run, pilot, SEED_QUESTION)
        await ask(first_run, pilot, OFF_TOPIC_QUESTION)
    assert path.read_text(encoding="utf-8").splitlines() == [SEED_QUESTION, OFF_TOPIC_QUESTION]

    second_run = make_app(seed_settings, history=path)
    async with second_run.run_test(size=(80, 24)) as pilot:
        field = second_run.query_one("#question", Input)
        field.value = "draft"
        await pilot.press("up")
        assert field.value == OFF_TOPIC_QUESTION
        await pilot.press("up", "up")
        assert field.value == SEED_QUESTION
        await pilot.press("down")
        assert field.value == OFF_TOPIC_QUESTION
        await pilot.press("down")
        assert field.value == "draft"


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""What must never reach the terminal raw (newline and tab aside)."""


async def test_a_history_file_with_bad_utf8_and_escapes_starts_and_recalls_them_as_pictures(
    seed_settings, make_app, tmp_path
):
    path = tmp_path / "history.txt"
    path.write_bytes(b"first question\n\xff\xfe broken \x1b]0;pwned\x07 title\n\x1b[2J cleared \x9b31m\n")
    app = make_app(seed_settings, history=path)
    async with app.run_test(size=(80, 24)) as pilot:
        field = app.query_one("#question", Input)
        await pilot.press("up")
        assert field.value == "\u241b[2J cleared \ufffd31m"
        assert not CONTROL.search(app.export_screenshot())
        await pilot.press("up")
        assert field.value == "\ufffd\ufffd broken \u241b]0;pwned\u2407 title"
        assert not CONTROL.search(app.export_screenshot())
        await pilot.press("up")
        assert field.value == "first question"
        await pilot.press("x")
        assert field.value == "first questionx"
    assert app.return_code in (None, 0)


async def test_a_pasted_escape_shows_as_a_picture_in_the_input(seed_settings, make_app):
    app = make_app(seed_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        field = app.query_one("#question", Input)
        field.post_message(events.Paste("who \x1b]0;pwned\x07 said it"))
        await pilot.pause()
        assert field.value == "who \u241b]0;pwned\u2407 said it"


def test_only_the_end_of_a_huge_history_file_is_read(tmp_path):
    path = tmp_path / "h"
    line = "an old question " * 8 + "\n"
    path.write_text(line * (2 * MAX_BYTES // len(line)) + "the newest question\n", encoding="utf-8")
    history = QuestionHistory(path)
    assert len(history.entries) == MAX_ENTRIES and history.entries[-1] == "the newest question"
    assert all(entry.startswith("an old question") for entry in history.entries[:-1])


def test_a_history_path_that_is_a_folder_is_an_empty_history(tmp_path):
    (tmp_path / "h").mkdir()
    history = QuestionHistory(tmp_path / "h")
    assert history.entries == []
    history.add("still asked")  # saving fails with a logged warning, never an exception
    assert history.entries == ["still asked"]
