"""Reading an article from a card, and the timeline of an answer's hits."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widgets import ListView

from qa.tui.screens.reading import ReadingScreen
from qa.tui.screens.timeline import TimelineItem, TimelineScreen, by_publication_date
from qa.tui.widgets.answer_card import AnswerCard
from tests.support.seeds import FORBES, FORBES_SIDECAR

SEED_QUESTION = "Who denied sales to Russia?"


def _text(widget) -> str:
    return str(widget.render())


async def test_enter_on_a_card_opens_the_article_at_the_passage_and_escape_goes_back(
    seed_settings, make_app, ask, wait
):
    app = make_app(seed_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(app, pilot, SEED_QUESTION)
        # The Kyiv card whose passage starts furthest into the article, so the screen must scroll to it.
        card = max(
            (card for card in app.query(AnswerCard) if card.hit.outlet == "The Kyiv Independent"),
            key=lambda card: card.hit.start,
        )
        card.focus()
        await pilot.press("enter")
        await wait(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReadingScreen) and screen.hit == card.hit
        passage = screen.query_one("#passage")
        assert _text(passage) == card.hit.text
        sentence = card.hit.highlighted_sentence
        shown = passage.content
        assert [shown.plain[s.start : s.end] for s in shown.spans if "reverse" in str(s.style)] == [sentence]
        article = screen.query_one("#article", VerticalScroll)
        assert article.scroll_y > 0
        assert article.scroll_y <= passage.virtual_region.y <= article.scroll_y + article.size.height
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReadingScreen)
        assert app.query(AnswerCard)


async def test_the_reading_screen_shows_every_value_and_where_it_came_from(seed_settings, make_app, ask, wait):
    app = make_app(seed_settings)
    async with app.run_test(size=(120, 50)) as pilot:
        await ask(app, pilot, SEED_QUESTION)
        forbes = next(card for card in app.query(AnswerCard) if card.hit.outlet == "Forbes")
        forbes.focus()
        await pilot.press("enter")
        await wait(app, pilot)
        metadata = _text(app.screen.query_one("#metadata"))
        assert "Outlet          Forbes" in metadata
        assert "Published       11 Feb 2024" in metadata
        assert "Republished by  The America One News · 31 May 2025 · https://am1.news/" in metadata
        assert "Url             unknown" in metadata and "Author          unknown" in metadata
        assert f"from sidecar, {FORBES_SIDECAR}." in metadata
        assert "editorial: the page is The America One News' copy of a Forbes story" in metadata
        assert FORBES in metadata


async def test_the_timeline_orders_hits_by_publication_date_and_opens_them(seed_settings, make_app, ask, wait):
    app = make_app(seed_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(app, pilot, SEED_QUESTION)
        await pilot.press("ctrl+t")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        items = list(screen.query(TimelineItem))
        answer = screen.answer
        assert [item.hit for item in items] == by_publication_date(answer.passages)
        assert len(items) == len(answer.passages) >= 2
        assert "11 Feb 2024" in _text(items[0].query_one("Static"))
        screen.query_one(ListView).index = 1
        await pilot.press("enter")
        await wait(app, pilot)
        assert isinstance(app.screen, ReadingScreen) and app.screen.hit == items[1].hit
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert app.query_one("#question").has_focus or app.query(AnswerCard)


async def test_tab_from_the_question_reaches_the_first_card_and_enter_reads_it(seed_settings, make_app, ask, wait):
    app = make_app(seed_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(app, pilot, SEED_QUESTION)
        first = app.query(AnswerCard).first()
        await pilot.press("tab")
        assert app.focused is first
        await pilot.press("down")
        assert app.focused is list(app.query(AnswerCard))[1]
        await pilot.press("up", "enter")
        await wait(app, pilot)
        assert isinstance(app.screen, ReadingScreen) and app.screen.hit == first.hit


def test_timeline_puts_older_first_and_undated_last(seed_engine):
    hits = seed_engine.ask(SEED_QUESTION).passages
    older = hits[0].model_copy(update={"published": hits[0].published.replace(year=2020), "rank": 9})
    undated = hits[1].model_copy(update={"published": None, "rank": 0})
    ordered = by_publication_date([undated, *hits, older])
    assert ordered[0] is older and ordered[-1] is undated
