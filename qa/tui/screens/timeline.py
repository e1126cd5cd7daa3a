"""Who said what, when: the current question's hits ordered by publication date across outlets."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, ListItem, ListView, Static

from qa.models import Answer, Hit
from qa.printable import printable


def by_publication_date(hits: list[Hit]) -> list[Hit]:
    """Oldest first; undated hits last (their place in time is unknown), then by rank."""
    return sorted(hits, key=lambda hit: (hit.published is None, hit.published or dt.date.min, hit.rank))


def timeline_entry(hit: Hit) -> Text:
    citation = hit.citation
    text = Text()
    text.append(f" {printable(citation.label)} ", style="bold reverse")
    if citation.via:
        text.append(f"  {printable(citation.via)}", style="italic")
    text.append(f"\n{printable(hit.title or 'untitled')}", style="bold")
    text.append(f"\n{printable(hit.highlighted_sentence or hit.text)}")
    return text


class TimelineItem(ListItem):
    def __init__(self, hit: Hit) -> None:
        super().__init__(Static(timeline_entry(hit), markup=False))
        self.hit = hit


class TimelineScreen(Screen):
    """The hits of one answer in date order; Enter reads one, Escape goes back."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), Binding("c", "cite", "Cite")]

    def __init__(self, answer: Answer) -> None:
        super().__init__()
        self.answer = answer

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(printable(f"Timeline: {self.answer.question}")), id="timeline-title", markup=False)
        yield ListView(*(TimelineItem(hit) for hit in by_publication_date(self.answer.passages)), id="timeline")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "timeline"
        self.query_one("#timeline").focus()

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        if isinstance(event.item, TimelineItem):
            self.app.open_article(event.item.hit)

    def action_cite(self) -> None:
        item = self.query_one("#timeline", ListView).highlighted_child
        if isinstance(item, TimelineItem):
            self.app.cite(item.hit)
