"""The first run: `qa chat` started in an empty folder shows a welcome screen, adds files, then answers."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static

from qa.config import BUNDLED_MODEL, Settings
from qa.tui.screens.first_run import FirstRunScreen
from qa.tui.screens.prompt import PromptScreen
from qa.tui.widgets.answer_card import AnswerCard
from tests.support.chat import until
from tests.support.seeds import copy_seed_corpus

SEED_QUESTION = "Who denied sales to Russia?"


async def test_an_empty_folder_opens_the_first_run_screen_and_ctrl_o_adds_the_first_articles(
    tmp_path: Path, make_app, ask, wait, monkeypatch
):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    articles = copy_seed_corpus(tmp_path / "downloads")
    settings = Settings(corpus_dir=Path("corpus"), index_dir=Path("index"), model=BUNDLED_MODEL)  # as `qa chat` here
    app = make_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(app, pilot)
        assert isinstance(app.screen, FirstRunScreen)
        assert app.screen.query_one("#first-run-steps", Static).render().plain.startswith("Press ctrl+o")
        assert str(empty / "corpus") in str(app.screen.query_one("#first-run-steps", Static).render())
        await pilot.press("ctrl+o", *str(articles))
        assert isinstance(app.screen, PromptScreen)
        assert app.screen.query_one(Input).value == str(articles)
        await pilot.press("enter")
        await until(pilot, lambda: str(app.query_one("#status", Static).render()).startswith("Ready"))
        await wait(app, pilot)
        assert str(app.query_one("#status", Static).render()) == "Ready · 13 passages indexed"
        assert not isinstance(app.screen, FirstRunScreen)
        assert app.query_one("#question", Input).has_focus
        await ask(app, pilot, SEED_QUESTION)
        assert {card.hit.outlet for card in app.query(AnswerCard)} >= {"Forbes", "The Kyiv Independent"}
    added = sorted(path.name for path in (empty / "corpus").rglob("*") if path.is_file())
    assert added == sorted(path.name for path in articles.iterdir())
    assert app.return_code in (None, 0)
