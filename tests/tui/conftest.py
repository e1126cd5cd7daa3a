"""Chat fixtures: the history file in tmp, an app over the seed index, and a way to ask it."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.config import Settings
from qa.engine import Engine
from qa.tui.app import QAApp
from tests.support.chat import settle


@pytest.fixture(autouse=True)
def chat_state_in_tmp(monkeypatch, tmp_path):
    """No test reads or writes the real question history, nor exports into a real documents folder."""
    monkeypatch.setenv("QA_HISTORY", str(tmp_path / "chat-history"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("QA_EXPORT_DIR", str(tmp_path / "exports"))


@pytest.fixture
def make_app(embedder, tmp_path):
    """`make_app(settings)`: the real app over `settings`, sharing the session's loaded model."""

    def make(settings: Settings, *, history: Path | None = None) -> QAApp:
        return QAApp(settings, engine=Engine(settings, embedder=embedder), history_path=history)

    return make


@pytest.fixture
def ask():
    """`await ask(app, pilot, question)`: type a question, press Enter, wait for the answer."""

    async def ask_question(app: QAApp, pilot, question: str) -> None:
        await settle(app, pilot)
        app.query_one("#question").value = question
        await pilot.press("enter")
        await settle(app, pilot)

    return ask_question


@pytest.fixture
def wait():
    """`await wait(app, pilot)`: let every worker finish and the screen catch up."""
    return settle
