"""Safe rendering: Rich markup and ANSI escapes inside articles are shown as written, never obeyed."""

from __future__ import annotations

import json

from rich.text import Text
from textual.widgets import Static

from qa.config import Settings
from qa.engine import Engine
from qa.printable import printable
from qa.tui.screens.reading import ReadingScreen
from qa.tui.widgets.answer_card import AnswerCard, card_text

SEED_QUESTION = "Who denied sales to Russia?"
HOSTILE_TITLE = "[bold]Breaking[/] [link=https://evil.example]bridge[/link] \x1b[31mred\x1b[0m"
HOSTILE_BODY = (
    "The mayor of Springfield [bold]denied[/bold] that the [link=https://evil.example]river bridge[/link] "
    "would get new tolls this winter. [/] The council had debated bridge tolls for months. "
    "\x1b[31mResidents\x1b[0m of Springfield opposed the river bridge tolls at every meeting, "
    "and the mayor said the bridge budget would be balanced without any tolls at all."
)


def test_card_shows_markup_and_escapes_in_articles_literally(seed_engine):
    hit = seed_engine.ask(SEED_QUESTION, k=1).passages[0]
    hostile = hit.model_copy(update={"title": "[bold]Breaking[/] \x1b[31mred[/link]", "outlet": None})
    text = card_text(hostile)
    assert "[bold]Breaking[/] \u241b[31mred[/link]" in text.plain
    assert "\x1b" not in text.plain
    assert text.plain.startswith(" unknown outlet · 11 Feb 2024 ")


async def test_a_hostile_article_is_shown_literally_in_cards_and_reading(
    seed_copy: Settings, make_app, ask, wait, embedder
):
    (seed_copy.corpus_dir / "hostile.txt").write_text(HOSTILE_BODY, encoding="utf-8")
    sidecar = {"title": HOSTILE_TITLE, "outlet": "[i]Evil[/i] Gazette", "published": "2024-03-01"}
    (seed_copy.corpus_dir / "hostile.meta.json").write_text(json.dumps(sidecar), encoding="utf-8")
    Engine(seed_copy, embedder=embedder).build_index()
    app = make_app(seed_copy)
    async with app.run_test(size=(100, 40)) as pilot:
        await ask(app, pilot, "[bold]Who[/] denied the bridge tolls in Springfield?")
        assert str(app.query(".question").last().render()) == "Q: [bold]Who[/] denied the bridge tolls in Springfield?"
        card = next(card for card in app.query(AnswerCard) if card.hit.outlet == "[i]Evil[/i] Gazette")
        shown = str(card.render())
        assert shown.startswith(" [i]Evil[/i] Gazette · 1 Mar 2024 ")
        assert "[bold]Breaking[/] [link=https://evil.example]bridge[/link] \u241b[31mred\u241b[0m" in shown
        assert "[bold]denied[/bold]" in shown and "[link=https://evil.example]river bridge[/link]" in shown
        card.focus()
        await pilot.press("enter")
        await wait(app, pilot)
        assert isinstance(app.screen, ReadingScreen)
        body = "".join(
            str(app.screen.query_one(f"#{part}", Static).render()) for part in ("before", "passage", "after")
        )
        assert "[bold]denied[/bold]" in body and "[/] The council" in body
        assert "\x1b" not in body and "\u241b[31mResidents\u241b[0m" in body
        assert str(app.screen.query_one("#article-title").render()) == printable(HOSTILE_TITLE)
        for widget in app.screen.query(Static):
            content = widget.content
            if isinstance(content, Text):
                assert not any("link" in str(span.style) for span in content.spans)
