"""Every text the chat builds from data is printable: any string in any field of a hit or an answer comes
out of the clipboard citation, the Markdown export and an answer card as typed, controls as pictures."""

from __future__ import annotations

import datetime as dt
import io
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from qa.models import (
    Answer,
    ArticleCard,
    Corroboration,
    Hit,
    PassageSpan,
    Republication,
    SearchFilters,
    Syndication,
)
from qa.printable import printable
from qa.tui.citing import citation_text, session_markdown
from qa.tui.widgets.answer_card import card_text

RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
HOSTILE = st.text(alphabet=st.sampled_from("[]/:\\*_#>`bold red \x1b\x07\x9b\x9d\x7f\x85\t\n\r\x0b;0")) | st.text()
"""Rich markup, Markdown, escape sequences (7- and 8-bit) and odd whitespace are built from these; plus any text."""
MAYBE = st.none() | HOSTILE
DATES = st.none() | st.dates(min_value=dt.date(1900, 1, 1))


@st.composite
def hits(draw) -> Hit:
    text = draw(HOSTILE)
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text)))
    return Hit(
        rank=draw(st.integers(1, 10)),
        score=draw(st.floats(0, 1)),
        similarity=draw(st.floats(0, 1)),
        doc_id=draw(HOSTILE),
        title=draw(MAYBE),
        outlet=draw(MAYBE),
        published=draw(DATES),
        url=draw(MAYBE),
        text=text,
        start=0,
        end=len(text),
        highlight=draw(st.none() | st.just((start, end))),
        passage=PassageSpan(start=start, end=end, text=text[start:end]),
        republished_by=draw(st.none() | st.builds(Republication, outlet=HOSTILE, published=DATES, url=MAYBE)),
        also_published_by=draw(st.lists(st.builds(Syndication, outlet=MAYBE, published=DATES), max_size=2)),
    )


@st.composite
def answers(draw) -> Answer:
    passages = draw(st.lists(hits(), max_size=3))
    cards = [ArticleCard(doc_id=hit.doc_id, citation=hit.citation, hits=[hit]) for hit in passages]
    return Answer(
        question=draw(HOSTILE),
        abstained=draw(st.booleans()),
        message=draw(MAYBE),
        passages=passages,
        cards=draw(st.just(cards) | st.just([])),
        corroboration=draw(
            st.lists(
                st.builds(
                    Corroboration,
                    doc_id=HOSTILE,
                    outlet=MAYBE,
                    published=DATES,
                    sentence=HOSTILE,
                    similarity=st.floats(0, 1),
                ),
                max_size=2,
            )
        ),
        summary=draw(MAYBE),
        filters=draw(st.builds(SearchFilters, outlets=st.lists(HOSTILE, max_size=2), since=DATES, until=st.none())),
    )


@given(hits())
def test_a_citation_on_the_clipboard_is_printable_and_keeps_who_said_it(hit):
    cited = citation_text(hit)
    assert RAW_CONTROL.search(cited) is None
    assert printable(hit.citation.label) in cited
    assert printable(f'"{hit.title}"' if hit.title else "untitled") in cited


@given(st.lists(answers(), max_size=3))
def test_a_session_exported_to_markdown_is_printable_and_keeps_every_question(session):
    exported = session_markdown(session, exported=dt.datetime(2024, 2, 11, 9, 30))
    assert RAW_CONTROL.search(exported) is None
    for answer in session:
        assert f"## {printable(answer.question)}\n" in exported


@settings(deadline=None)  # rendering through Rich: no time claim here
@given(hits(), st.lists(hits(), max_size=2), MAYBE)
def test_an_answer_card_shows_every_field_as_typed_and_renders_no_control(hit, more, also_reported):
    text = card_text(hit, more=more, also_reported=also_reported)
    assert RAW_CONTROL.search(text.plain) is None
    assert printable(hit.citation.label) in text.plain
    assert f"\n{printable(hit.title or 'untitled')}\n{printable(hit.text)}" in text.plain
    if also_reported:
        assert printable(also_reported) in text.plain
    screen = io.StringIO()
    Console(file=screen, width=60, color_system=None, force_terminal=False).print(text)
    assert RAW_CONTROL.search(screen.getvalue()) is None
