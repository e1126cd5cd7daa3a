"""The chat app driven by Textual's Pilot on the real seed index and model: asking and the cards."""

from __future__ import annotations

import re

from textual.widgets import Input, Static

from qa.engine import Engine
from qa.tui.app import QAApp
from qa.tui.widgets.answer_card import AnswerCard, card_text, relevance

SEED_QUESTION = "Who denied sales to Russia?"
OFF_TOPIC_QUESTION = "Who won the 1998 World Cup?"


def _status(app: QAApp) -> str:
    return str(app.query_one("#status", Static).render())


def _first_line(card: AnswerCard) -> str:
    return str(card.render()).splitlines()[0]


async def test_seed_question_shows_cards_led_by_outlet_and_date(seed_settings, make_app, ask):
    app = make_app(seed_settings)
    async with app.run_test(size=(100, 40)) as pilot:
        await ask(app, pilot, SEED_QUESTION)
        cards = list(app.query(AnswerCard))
        labels = [_first_line(card) for card in cards]
        assert any("The Kyiv Independent · 11 Feb 2024" in label for label in labels[:3])
        forbes = next(label for label in labels[:3] if "Forbes" in label)
        assert "Forbes · 11 Feb 2024" in forbes and "via The America One News · 31 May 2025" in forbes
        assert re.fullmatch(r"\d+ passages for: Who denied sales to Russia\?", _status(app))
        assert app.query_one("#question", Input).value == ""
        assert [str(q.render()) for q in app.query(".question")] == [f"Q: {SEED_QUESTION}"]


async def test_a_card_has_title_highlighted_sentence_and_relevance(seed_settings, make_app, ask):
    app = make_app(seed_settings)
    async with app.run_test(size=(100, 40)) as pilot:
        await ask(app, pilot, SEED_QUESTION)
        kyiv = next(card for card in app.query(AnswerCard) if "Kyiv" in _first_line(card))
        text = card_text(kyiv.hit)
        assert text.plain.splitlines()[1] == "Musk denies Starlink sales to Russia"
        sentence = kyiv.hit.highlighted_sentence
        assert sentence and sentence in text.plain
        styled = [text.plain[span.start : span.end] for span in text.spans if "underline" in str(span.style)]
        assert styled == [sentence]
        assert f"relevance {relevance(kyiv.hit.similarity)}" in str(kyiv.render())


def test_relevance_shows_dots_and_the_similarity():
    assert relevance(0.56) == "●●●○○ 0.56"
    assert relevance(0.05) == "●○○○○ 0.05"
    assert relevance(0.99) == "●●●●● 0.99"


async def test_off_topic_question_is_shown_as_an_abstention(seed_settings, make_app, ask):
    app = make_app(seed_settings)
    async with app.run_test(size=(100, 40)) as pilot:
        await ask(app, pilot, OFF_TOPIC_QUESTION)
        assert not app.query(AnswerCard)
        [abstention] = app.query(".abstained")
        assert str(abstention.render()) == (
            "No answer. Nothing in the corpus answers this question. No passage reaches similarity 0.30."
        )
        assert _status(app) == f"No answer for: {OFF_TOPIC_QUESTION}"


async def test_questions_can_follow_each_other_and_keep_their_order(seed_settings, make_app, ask):
    app = make_app(seed_settings)
    async with app.run_test(size=(100, 40)) as pilot:
        await ask(app, pilot, OFF_TOPIC_QUESTION)
        await ask(app, pilot, SEED_QUESTION)
        transcript = app.query_one("#transcript")
        kinds = [type(child).__name__ for child in transcript.children]
        assert kinds == ["QuestionLine", "AnswerView", "QuestionLine", "AnswerView"]
        assert not transcript.children[1].query(AnswerCard) and transcript.children[3].query(AnswerCard)


async def test_the_model_loads_in_the_background_while_the_input_takes_keys(seed_settings, wait):
    app = QAApp(seed_settings, engine=Engine(seed_settings))  # a fresh model: loading takes seconds
    async with app.run_test(size=(80, 24)) as pilot:
        assert _status(app) == "Loading the embedding model…"
        assert app.query_one("#busy").display
        await pilot.press("W", "h", "o")
        assert app.query_one("#question", Input).value == "Who"
        await wait(app, pilot)
        assert _status(app) == "Ready · 13 passages indexed"
        assert not app.query_one("#busy").display


async def test_f2_switches_between_the_dark_and_light_theme(seed_settings, make_app):
    app = make_app(seed_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == "textual-dark" and app.current_theme.dark
        await pilot.press("f2")
        assert app.theme == "textual-light" and not app.current_theme.dark
        await pilot.press("f2")
        assert app.theme == "textual-dark"


async def test_the_command_palette_offers_the_chat_commands(seed_settings, make_app, wait):
    app = make_app(seed_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(app, pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Filter sources", "Clear filters", "Timeline", "Copy citation", "Export session"} <= titles
        assert {"Add files or folders", "Light or dark"} <= titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Filter sources")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait(app, pilot)
        assert type(app.screen).__name__ == "FiltersScreen"


def test_footer_shows_the_key_bindings():
    shown = {binding.key: binding.description for binding in QAApp.BINDINGS if binding.show}
    assert shown == {
        "ctrl+q": "Quit",
        "f1": "Help",
        "ctrl+f": "Filter",
        "ctrl+t": "Timeline",
        "ctrl+y": "Cite",
        "ctrl+s": "Export",
        "ctrl+o": "Add",
    }
