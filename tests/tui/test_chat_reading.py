"""Reading an article from a card, and the timeline of an answer's hits."""

from __future__ import annotations

import datetime as dt
import io

from rich.console import Console
from textual.containers import VerticalScroll
from textual.widgets import ListView

from qa.tui.screens.reading import ReadingScreen, metadata_table
from qa.tui.screens.timeline import (
    TimelineHeading,
    TimelineItem,
    TimelineScreen,
    by_publication_date,
    timeline_groups,
    timeline_line,
)
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
        assert app.screen.query_one("#metadata").size.height > 10
        console = Console(width=200, file=io.StringIO(), record=True)  # wide: one line per value and source
        console.print(metadata_table(app.screen.article))
        metadata = console.export_text()
        assert "Outlet             Forbes" in metadata
        assert "Published          11 Feb 2024" in metadata
        assert "Republished by     The America One News · 31 May 2025 · https://am1.news/" in metadata
        assert "URL                unknown" in metadata and "Author             unknown" in metadata
        assert "Also published by  unknown" in metadata
        assert f"from sidecar, {FORBES_SIDECAR}." in metadata
        assert "editorial: the page is The America One News' copy of a Forbes story" in metadata
        assert FORBES in metadata


async def test_the_timeline_groups_articles_by_day_one_line_each_and_opens_them(seed_settings, make_app, ask, wait):
    app = make_app(seed_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(app, pilot, SEED_QUESTION)
        await pilot.press("ctrl+t")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        answer = screen.answer
        headings = [_text(heading.query_one("Static")) for heading in screen.query(TimelineHeading)]
        assert headings == ["11 Feb 2024"]  # both seed articles are of that day
        items = list(screen.query(TimelineItem))
        assert sorted(item.hit.doc_id for item in items) == sorted({hit.doc_id for hit in answer.passages})
        lines = [_text(item.query_one("Static")) for item in items]
        kyiv = next(line for line in lines if "Musk denies Starlink sales to Russia" in line)
        assert kyiv.startswith("The Kyiv Independent  Musk denies Starlink sales to Russia")
        kyiv_passages = sum(hit.outlet == "The Kyiv Independent" for hit in answer.passages)
        assert kyiv_passages > 1 and kyiv.endswith(f"Russia  ({kyiv_passages} passages)")
        forbes = next(line for line in lines if line.startswith("Forbes"))
        assert forbes.startswith("Forbes (via The America One News · 31 May 2025)  ")
        assert all(line.count("Musk denies") <= 1 for line in lines)
        assert all(item.region.height == 1 for item in items)  # one line per article, even at 80 columns
        timeline = screen.query_one(ListView)
        assert isinstance(timeline.highlighted_child, TimelineItem)  # never the heading
        timeline.index = timeline.children.index(items[1])
        await pilot.press("enter")
        await wait(app, pilot)
        assert isinstance(app.screen, ReadingScreen) and app.screen.hit == items[1].hit
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert app.query_one("#question").has_focus


def _hit_on(hit, day: dt.date, doc_id: str, rank: int):
    return hit.model_copy(update={"published": day, "doc_id": doc_id, "rank": rank})


def test_the_timeline_groups_by_day_and_by_month_over_long_spans(seed_engine):
    hit = seed_engine.ask(SEED_QUESTION).passages[0]
    close = [
        _hit_on(hit, dt.date(2024, 2, 12), "b", 1),
        _hit_on(hit, dt.date(2024, 2, 11), "a", 2),
        _hit_on(hit, dt.date(2024, 2, 11), "a", 3),
        _hit_on(hit, None, "c", 4),
    ]
    groups = timeline_groups(close)
    assert [group.heading for group in groups] == ["11 Feb 2024", "12 Feb 2024", "Undated"]
    assert [[article.best.doc_id for article in group.articles] for group in groups] == [["a"], ["b"], ["c"]]
    assert groups[0].articles[0].passages == 2 and groups[0].articles[0].best.rank == 2
    spread = [*close, _hit_on(hit, dt.date(2024, 9, 30), "d", 5)]
    groups = timeline_groups(spread)
    assert [group.heading for group in groups] == ["February 2024", "September 2024", "Undated"]
    assert groups[0].lines_show_day and not groups[-1].lines_show_day
    assert str(timeline_line(groups[0].articles[0], with_day=True)).startswith("11 Feb 2024  ")


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
