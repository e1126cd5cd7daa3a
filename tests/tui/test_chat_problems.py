"""Never stuck: a missing or empty index, or a model that will not load, says what to do next."""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.widgets import Input, Static

from qa.config import BUNDLED_MODEL, Settings
from qa.engine import Engine
from qa.tui.app import QAApp
from qa.tui.screens.first_run import FirstRunScreen
from qa.tui.screens.problem import ProblemScreen
from qa.tui.widgets.answer_card import AnswerCard

SEED_QUESTION = "Who denied sales to Russia?"


def _status(app: QAApp) -> str:
    return str(app.query_one("#status", Static).render())


def _problem(app: QAApp) -> tuple[str, str]:
    screen = app.screen
    assert isinstance(screen, ProblemScreen)
    return str(screen.query_one("#problem-explanation").render()), str(screen.query_one("#problem-next").render())


def _first_run(app: QAApp) -> tuple[str, str]:
    screen = app.screen
    assert isinstance(screen, FirstRunScreen)
    return str(screen.query_one("#first-run-state").render()), str(screen.query_one("#first-run-steps").render())


async def test_a_missing_index_opens_the_first_run_screen_and_the_input_stays_usable(
    tmp_path: Path, make_app, ask, wait
):
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "no-index")
    app = make_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(app, pilot)
        state, next_steps = _first_run(app)
        assert f"The index in {tmp_path / 'no-index'} does not exist yet." in state
        assert next_steps.startswith("Press ctrl+o to add article files or folders")
        assert str(tmp_path / "corpus") in next_steps and "`qa index`" in next_steps
        await pilot.press("escape")
        await pilot.pause()
        assert app.query_one("#question", Input).has_focus
        assert _status(app) == f"No index yet in {tmp_path / 'no-index'}: ctrl+o adds articles"
        await ask(app, pilot, SEED_QUESTION)
        assert "Run `qa index`" in str(app.query_one(".ask-error").render())
        assert not app.query(AnswerCard)
        assert app.query_one("#question", Input).disabled is False


async def test_retry_finds_an_index_built_meanwhile(tmp_path: Path, seed_settings, make_app, embedder, wait):
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", model=BUNDLED_MODEL)
    app = make_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(app, pilot)
        assert isinstance(app.screen, FirstRunScreen)
        shutil.copytree(seed_settings.index_dir, settings.index_dir)
        await pilot.press("r")
        await wait(app, pilot)
        assert not isinstance(app.screen, FirstRunScreen)
        assert _status(app).startswith("Ready · ")


async def test_an_empty_index_is_explained(tmp_path: Path, make_app, embedder, wait):
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", model=BUNDLED_MODEL)
    settings.corpus_dir.mkdir()
    Engine(settings, embedder=embedder).build_index()
    app = make_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(app, pilot)
        state, next_steps = _first_run(app)
        assert f"The index in {settings.index_dir} holds no articles yet." in state
        assert "press r to retry" in next_steps


async def test_a_model_that_fails_to_load_is_explained(seed_copy: Settings, tmp_path: Path, wait):
    settings = seed_copy.model_copy(update={"model": str(tmp_path / "no-such-model")})
    app = QAApp(settings, engine=Engine(settings))  # no shared model: this one must load, and fails
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(app, pilot)
        explanation, next_steps = _problem(app)
        assert "Cannot load the embedding model" in explanation and "no-such-model" in explanation
        assert "Set QA_MODEL" in next_steps
        await pilot.press("escape")
        await pilot.pause()
        assert app.query_one("#question", Input).has_focus


async def test_missing_index_without_a_preloaded_model_is_explained_not_a_crash(tmp_path: Path, wait):
    """As `qa chat` runs it: the engine has no model yet, and the question encoder comes from the index."""
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "no-index", model=BUNDLED_MODEL)
    app = QAApp(settings, engine=Engine(settings))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(app, pilot)
        state, _ = _first_run(app)
        assert "does not exist yet" in state
        await pilot.press("escape", "x")
        assert app.query_one("#question", Input).value == "x"
    assert not app.return_code
