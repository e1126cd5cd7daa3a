"""Filters set from the UI: the form, the bar that shows them, and answers that obey them."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Button, Input, Static

from qa.errors import UsageError
from qa.filters import describe_filters, filters_from_form
from qa.models import SearchFilters
from qa.tui.screens.filters import FiltersScreen
from qa.tui.widgets.answer_card import AnswerCard
from qa.tui.widgets.answer_view import AnswerView

SEED_QUESTION = "Who denied sales to Russia?"


async def _set_filters(app, pilot, *, outlets: str = "", since: str = "", until: str = "") -> None:
    await pilot.press("ctrl+f")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, FiltersScreen)
    screen.query_one("#outlets", Input).value = outlets
    screen.query_one("#since", Input).value = since
    screen.query_one("#until", Input).value = until
    await pilot.press("enter")
    await pilot.pause()


def _bar(app) -> Static:
    return app.query_one("#filterbar", Static)


async def test_an_outlet_filter_is_shown_while_active_and_answers_obey_it(seed_settings, make_app, ask):
    app = make_app(seed_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        assert not _bar(app).display
        await _set_filters(app, pilot, outlets="forbes")
        assert _bar(app).display
        assert str(_bar(app).render()) == "Filters: outlet forbes  (ctrl+f to change)"
        await ask(app, pilot, SEED_QUESTION)
        outlets = {card.hit.outlet for card in app.query(AnswerCard)}
        assert outlets == {"Forbes"}
        [view] = app.query(AnswerView)
        assert view.answer.filters.outlets == ["forbes"]
        assert str(view.query_one(".answer-filters").render()) == "Filters: outlet forbes"


async def test_a_date_range_in_plain_words_excludes_what_is_outside_it(seed_settings, make_app, ask):
    app = make_app(seed_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await _set_filters(app, pilot, since="1 March 2024", until="2024-12-31")
        assert app.filters.since == dt.date(2024, 3, 1) and app.filters.until == dt.date(2024, 12, 31)
        assert "since 1 Mar 2024 · until 31 Dec 2024" in str(_bar(app).render())
        await ask(app, pilot, SEED_QUESTION)
        assert not app.query(AnswerCard)  # both seed articles are from 11 Feb 2024
        assert app.query(".abstained")
        await _set_filters(app, pilot, since="February 2024", until="February 2024")
        await ask(app, pilot, SEED_QUESTION)
        assert {card.hit.published for card in app.query(AnswerCard)} == {dt.date(2024, 2, 11)}


async def test_a_bad_date_is_named_in_the_form_and_clear_removes_every_filter(seed_settings, make_app):
    app = make_app(seed_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await _set_filters(app, pilot, outlets="Forbes", since="the day after never")
        screen = app.screen
        assert isinstance(screen, FiltersScreen)  # still open, with the reason
        assert "the day after never" in str(screen.query_one("#filters-error").render())
        screen.query_one("#since", Input).value = ""
        await pilot.press("enter")
        await pilot.pause()
        assert app.filters.outlets == ["Forbes"] and _bar(app).display
        await pilot.press("ctrl+f")
        await pilot.pause()
        app.screen.query_one("#clear", Button).press()
        await pilot.pause()
        assert app.filters == SearchFilters() and not _bar(app).display


def test_the_form_reads_outlets_and_refuses_an_empty_range():
    filters = filters_from_form(" Forbes, The Kyiv Independent ,", "2024-02-01", "2024-02-29")
    assert filters.outlets == ["Forbes", "The Kyiv Independent"]
    assert describe_filters(filters) == "outlet Forbes or The Kyiv Independent · since 1 Feb 2024 · until 29 Feb 2024"
    with pytest.raises(UsageError, match="after"):
        filters_from_form("", "2024-03-01", "2024-02-01")
    assert describe_filters(SearchFilters()) == "none"
