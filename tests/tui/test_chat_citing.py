"""Citing: a citation on the clipboard, and the session exported to Markdown."""

from __future__ import annotations

import datetime as dt
import json
import pwd
import re
from pathlib import Path

from textual.widgets import Input

from qa.engine import Engine
from qa.models import Answer
from qa.tui.citing import citation_text, session_markdown
from qa.tui.screens.prompt import PromptScreen
from qa.tui.widgets.answer_card import AnswerCard

SEED_QUESTION = "Who denied sales to Russia?"
NO_SUCH_USER = "nosuchuser-qa-test"
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
        assert Path(app.screen.query_one(Input).value).name.startswith("qa-session-")
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
    exported = target.read_text(encoding="utf-8")
    assert exported.index(f"## {SEED_QUESTION}") < exported.index(f"## {OFF_TOPIC_QUESTION}")
    assert "No answer: Nothing in the corpus answers this question. No passage reaches similarity 0.30." in exported
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


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""What must never leave the chat raw (newline and tab aside)."""
HOSTILE_TITLE = "Bridge \x1b]0;pwned\x07 tolls \x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\"
HOSTILE_BODY = (
    "The mayor of Springfield \x1b[2Jdenied that the river bridge would get new tolls this winter. "
    "\x1b]52;c;ZXZpbA==\x07Residents of Springfield opposed the river bridge tolls at every meeting, "
    "and the mayor said the bridge budget would be balanced \x9b31mwithout any tolls at all."
)


async def test_a_hostile_answer_is_cited_and_exported_with_controls_as_pictures(
    seed_copy, make_app, ask, wait, embedder, tmp_path
):
    (seed_copy.corpus_dir / "hostile.txt").write_text(HOSTILE_BODY, encoding="utf-8")
    sidecar = {"title": HOSTILE_TITLE, "outlet": "Evil\x1b[31m Gazette", "published": "2024-03-01"}
    (seed_copy.corpus_dir / "hostile.meta.json").write_text(json.dumps(sidecar), encoding="utf-8")
    Engine(seed_copy, embedder=embedder).build_index()
    target = tmp_path / "session.md"
    app = make_app(seed_copy)
    async with app.run_test(size=(100, 40)) as pilot:
        await ask(app, pilot, "Did the \x1b]0;x\x07 mayor deny the bridge tolls in Springfield?")
        card = next(card for card in app.query(AnswerCard) if card.hit.title == HOSTILE_TITLE)
        card.focus()
        await pilot.press("c")
        assert "Bridge \u241b]0;pwned\u2407 tolls" in app.clipboard and not CONTROL.search(app.clipboard)
        app.query_one("#question").focus()
        await pilot.press("ctrl+y")
        assert not CONTROL.search(app.clipboard)
        await pilot.press("ctrl+s")
        await pilot.pause()
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await wait(app, pilot)
    exported = target.read_text(encoding="utf-8")
    assert not CONTROL.search(exported)
    assert "## Did the \u241b]0;x\u2407 mayor deny" in exported
    assert '1. Evil\u241b\\[31m Gazette · 1 Mar 2024, "Bridge \u241b\\]0;pwned\u2407 tolls' in exported  # [ ] escaped
    assert "\u241b]52;c;ZXZpbA==\u2407Residents" in exported


async def test_an_export_path_that_cannot_be_expanded_or_written_is_a_notice(seed_settings, make_app, ask, tmp_path):
    app = make_app(seed_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(app, pilot, SEED_QUESTION)
        for path, notice in (
            (f"~{NO_SUCH_USER}/session.md", f"Cannot expand ~{NO_SUCH_USER}/session.md: no such user's home folder"),
            (str(tmp_path / "no-folder" / "session.md"), f"Cannot write {tmp_path / 'no-folder' / 'session.md'}: "),
            (str(tmp_path), f"Cannot write {tmp_path}: "),
            (str(tmp_path / ("n" * 300 + ".md")), f"Cannot write {tmp_path / ('n' * 300 + '.md')}: File name too long"),
        ):
            await pilot.press("ctrl+s")
            await pilot.pause()
            app.screen.query_one(Input).value = path
            await pilot.press("enter")
            await pilot.pause()
            assert list(app._notifications)[-1].message.startswith(notice)
            assert not isinstance(app.screen, PromptScreen)
        await pilot.press("a")
        assert app.query_one("#question", Input).value == "a"
    assert app.return_code in (None, 0)


def test_the_user_in_the_unexpandable_paths_does_not_exist():
    try:
        pwd.getpwnam(NO_SUCH_USER)
    except KeyError:
        return
    raise AssertionError(f"user {NO_SUCH_USER} exists here: the prompt tests need a name that does not")
