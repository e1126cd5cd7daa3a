"""Citing: a citation on the clipboard, and the session exported to Markdown."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Input

from qa.models import Answer
from qa.tui.citing import citation_text, session_markdown
from qa.tui.screens.prompt import PromptScreen
from qa.tui.widgets.answer_card import AnswerCard

SEED_QUESTION = "Who denied sales to Russia?"
OFF_TOPIC_QUESTION = "Who won the 1998 World Cup?"
FORBES_SOURCE = (
    "Forbes · 11 Feb 2024 (via The America One News · 31 May 2025, https://am1.news/usconservative/topic/"
    "forbes/6-slug-ukraine-claims-it-has-proof-russian-troops-use-starlinkwhich-spacex-denies), "
    '"Ukraine Claims It Has Proof Russian Troops Use Starlink—Which SpaceX Denies", no URL'
)


async def test_c_on_a_card_copies_outlet_date_title_url_and_quoted_sentence(seed_settings, make_app, ask):
    app = make_app(seed_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(app, pilot, SEED_QUESTION)
        forbes = next(card for card in app.query(AnswerCard) if card.hit.outlet == "Forbes")
        forbes.focus()
        await pilot.press("c")
        quoted, source = app.clipboard.split("\n")
        assert quoted == f"\u201c{' '.join(forbes.hit.highlighted_sentence.split())}\u201d"
        assert source == f"\u2014 {FORBES_SOURCE}"


async def test_ctrl_y_from_the_input_cites_the_top_card_of_the_last_answer(seed_settings, make_app, ask):
    app = make_app(seed_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+y")  # nothing asked yet: a warning, not a crash
        assert app.clipboard == ""
        await ask(app, pilot, SEED_QUESTION)
        top = app.query(AnswerCard).first()
        await pilot.press("ctrl+y")
        assert app.clipboard == citation_text(top.hit)
        assert top.hit.citation.label in app.clipboard


def test_a_citation_spells_out_what_is_unknown(seed_engine):
    hit = seed_engine.ask(SEED_QUESTION).passages[0]
    anonymous = hit.model_copy(
        update={"outlet": None, "published": None, "title": None, "url": None, "republished_by": None}
    )
    assert citation_text(anonymous).endswith("\u2014 unknown outlet · undated, untitled, no URL")
    linked = hit.model_copy(update={"url": "https://example.org/a", "republished_by": None})
    assert citation_text(linked).endswith(f'"{hit.title}", https://example.org/a')


async def test_the_session_exports_to_markdown_with_every_answers_citations(seed_settings, make_app, ask, tmp_path):
    target = tmp_path / "out" / "session.md"
    target.parent.mkdir()
    app = make_app(seed_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(app, pilot, SEED_QUESTION)
        await ask(app, pilot, OFF_TOPIC_QUESTION)
        hits = [card.hit for card in app.query(AnswerCard)]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        assert app.screen.query_one(Input).value.startswith("qa-session-")
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
    exported = target.read_text(encoding="utf-8")
    assert exported.index(f"## {SEED_QUESTION}") < exported.index(f"## {OFF_TOPIC_QUESTION}")
    assert "No answer: Nothing in the corpus answers this question." in exported
    assert FORBES_SOURCE in exported
    assert 'The Kyiv Independent · 11 Feb 2024, "Musk denies Starlink sales to Russia", no URL' in exported
    for hit in hits:
        assert f"   > {' '.join(hit.highlighted_sentence.split())}" in exported


def test_markdown_export_is_stable_for_the_same_answers(seed_engine):
    answers: list[Answer] = [seed_engine.ask(SEED_QUESTION, k=2)]
    when = dt.datetime(2025, 1, 2, 3, 4)
    text = session_markdown(answers, exported=when)
    assert text.startswith("# qa session\n\nExported 2025-01-02 03:04.\n\n## Who denied sales to Russia?\n")
    assert text == session_markdown(answers, exported=when)
