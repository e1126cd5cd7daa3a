"""The chat app driven by Textual's Pilot on the real seed index and model."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static

from qa.config import Settings
from qa.engine import Engine
from qa.tui.app import QAApp
from qa.tui.widgets.answer_card import AnswerCard, card_text


async def _ask(app: QAApp, pilot, question: str) -> None:
    await app.workers.wait_for_complete()
    app.query_one("#question", Input).value = question
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


def _status(app: QAApp) -> str:
    return str(app.query_one("#status", Static).render())


async def test_seed_question_shows_cards_led_by_outlet_and_date(seed_settings, embedder):
    app = QAApp(seed_settings, engine=Engine(seed_settings, embedder=embedder))
    async with app.run_test(size=(100, 40)) as pilot:
        await _ask(app, pilot, "Who denied sales to Russia?")
        cards = list(app.query(AnswerCard))
        labels = [str(card.render()).splitlines()[0] for card in cards]
        assert any("The Kyiv Independent · 11 Feb 2024" in label for label in labels[:3])
        forbes = next(label for label in labels[:3] if "Forbes" in label)
        assert "Forbes · 11 Feb 2024" in forbes and "via The America One News · 31 May 2025" in forbes
        assert "passage(s) for: Who denied sales to Russia?" in _status(app)
        assert app.query_one("#question", Input).value == ""


async def test_off_topic_question_is_shown_as_an_abstention(seed_settings, embedder):
    app = QAApp(seed_settings, engine=Engine(seed_settings, embedder=embedder))
    async with app.run_test(size=(100, 40)) as pilot:
        await _ask(app, pilot, "Who won the 1998 World Cup?")
        assert not app.query(AnswerCard)
        [abstention] = app.query(".abstained")
        assert "Nothing in the corpus answers this question." in str(abstention.render())


async def test_missing_index_says_what_to_do_and_input_stays_usable(tmp_path: Path, embedder):
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "no-index")
    app = QAApp(settings, engine=Engine(settings, embedder=embedder))
    async with app.run_test(size=(100, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Run `qa index`" in _status(app)
        await _ask(app, pilot, "Who denied sales to Russia?")
        assert "Run `qa index`" in _status(app)
        assert not app.query(AnswerCard)
        assert app.query_one("#question", Input).disabled is False


def test_card_shows_markup_and_escapes_in_articles_literally(seed_engine):
    hit = seed_engine.ask("Who denied sales to Russia?", k=1).passages[0]
    hostile = hit.model_copy(update={"title": "[bold]Breaking[/] \x1b[31mred[/link]", "outlet": None})
    text = card_text(hostile)
    assert "[bold]Breaking[/] \x1b[31mred[/link]" in text.plain
    assert text.plain.startswith(" unknown outlet · 11 Feb 2024 ")
