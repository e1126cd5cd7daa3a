"""Who said it, when: the articles behind one answer, grouped by day (or month), one line each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, ListItem, ListView, Static

from qa.models import UNDATED, UNKNOWN_OUTLET, Answer, Hit, format_date
from qa.printable import printable_line
from qa.tui.wording import counted

DAYS_SHOWN_BY_DAY = 62
"""Answers spanning more than about two months are grouped by month: a heading per day would
leave one line under each of dozens of headings."""


@dataclass(frozen=True)
class TimelineArticle:
    """One article on the timeline: its best hit (what Enter opens) and how many passages it gave."""

    best: Hit
    passages: int


@dataclass(frozen=True)
class TimelineGroup:
    """A day or month heading and its articles, best first."""

    heading: str
    articles: list[TimelineArticle]
    lines_show_day: bool
    """A month's lines start with their day; a day's heading already says it."""


def by_publication_date(hits: list[Hit]) -> list[Hit]:
    """Oldest first; undated hits last (their place in time is unknown), then by rank."""
    return sorted(hits, key=lambda hit: (hit.published is None, hit.published or dt.date.min, hit.rank))


def _articles(hits: list[Hit]) -> list[TimelineArticle]:
    """One entry per article, at its best-ranked hit, in date order."""
    best: dict[str, Hit] = {}
    counts: dict[str, int] = {}
    for hit in sorted(hits, key=lambda hit: hit.rank):
        best.setdefault(hit.doc_id, hit)
        counts[hit.doc_id] = counts.get(hit.doc_id, 0) + 1
    ordered = by_publication_date(list(best.values()))
    return [TimelineArticle(hit, counts[hit.doc_id]) for hit in ordered]


def timeline_groups(hits: list[Hit]) -> list[TimelineGroup]:
    """The answer's articles under a heading per day, or per month when the dates span long; undated last."""
    articles = _articles(hits)
    dates = [article.best.published for article in articles if article.best.published]
    by_month = bool(dates) and (max(dates) - min(dates)).days > DAYS_SHOWN_BY_DAY
    groups: list[TimelineGroup] = []
    for article in articles:
        published = article.best.published
        if published is None:
            heading = UNDATED.capitalize()
        else:
            heading = f"{published:%B %Y}" if by_month else format_date(published)
        if groups and groups[-1].heading == heading:
            groups[-1].articles.append(article)
        else:
            groups.append(TimelineGroup(heading, [article], lines_show_day=by_month and published is not None))
    return groups


def timeline_line(article: TimelineArticle, *, with_day: bool) -> Text:
    """`The Kyiv Independent  Ukraine denies … (2 passages)`: the outlet first, then the title, once."""
    hit = article.best
    text = Text(no_wrap=True, overflow="ellipsis")
    if with_day:
        text.append(f"{format_date(hit.published)}  ", style="dim")
    text.append(printable_line(hit.outlet or UNKNOWN_OUTLET), style="bold")
    if hit.citation.via:
        text.append(f" ({printable_line(hit.citation.via)})", style="italic")
    text.append("  ")
    text.append(printable_line(hit.title or "untitled"))
    if article.passages > 1:
        text.append(f"  ({counted(article.passages, 'passage')})", style="dim")
    return text


class TimelineHeading(ListItem):
    """A day or month: shown, never selected."""

    def __init__(self, heading: str) -> None:
        super().__init__(Static(Text(heading), markup=False), disabled=True)


class TimelineItem(ListItem):
    def __init__(self, article: TimelineArticle, *, with_day: bool) -> None:
        super().__init__(Static(timeline_line(article, with_day=with_day), markup=False))
        self.article = article
        self.hit = article.best


class TimelineScreen(Screen):
    """The articles of one answer by date; Enter reads one at its best passage, Escape goes back."""

    BINDINGS = [Binding("escape", "dismiss", "Back"), Binding("c", "cite", "Cite")]

    def __init__(self, answer: Answer) -> None:
        super().__init__()
        self.answer = answer

    def compose(self) -> ComposeResult:
        yield Header()
        title = f"Timeline: {self.answer.question}"
        yield Static(Text(printable_line(title)), id="timeline-title", markup=False)
        items: list[ListItem] = []
        for group in timeline_groups(self.answer.passages):
            items.append(TimelineHeading(group.heading))
            items.extend(TimelineItem(article, with_day=group.lines_show_day) for article in group.articles)
        first = next((index for index, item in enumerate(items) if isinstance(item, TimelineItem)), None)
        yield ListView(*items, id="timeline", initial_index=first)
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
