"""The full article, scrolled to the passage that answered, with every metadata value's source."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from qa.models import Article, FieldProvenance, Hit, format_date
from qa.printable import printable
from qa.tui.widgets.answer_card import passage_text

NOT_METADATA = {"doc_id", "text", "source_path", "provenance"}
LABELS = {
    "title": "Title",
    "outlet": "Outlet",
    "published": "Published",
    "published_at": "Published at",
    "url": "URL",
    "author": "Author",
    "republished_by": "Republished by",
    "also_published_by": "Also published by",
}
"""The reading screen's names for the article's fields; a field not named here shows its own name."""


def field_label(name: str) -> str:
    return LABELS.get(name) or name.replace("_", " ").capitalize()


LABEL_WIDTH = max(len(field_label(name)) for name in Article.model_fields if name not in NOT_METADATA) + 2
"""The label column: the longest label and a gap of two, so no value ever touches its label."""


def _value_text(value: object) -> str:
    """Any metadata value as one line; nothing known is `unknown`, a missing date `undated`."""
    if value is None or value == []:
        return "unknown"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, list):
        return "; ".join(_value_text(item) for item in value)
    if isinstance(value, BaseModel):
        known = [_value_text(item) for item in value.model_dump().values() if item is not None]
        return " \u00b7 ".join(known)
    return str(value)


def _provenance_text(provenance: FieldProvenance | None) -> str:
    if provenance is None:
        return "no source"
    parts = [f"from {provenance.source.value}"]
    if provenance.detail:
        parts.append(provenance.detail)
    if provenance.confidence < 1.0:
        parts.append(f"confidence {provenance.confidence:.2f}")
    line = ", ".join(parts)
    return f"{line}. {provenance.note}" if provenance.note else line


def metadata_table(article: Article) -> Table:
    """One row per field: the label, then the value and where it came from (or `no source` when unknown).

    A grid, so a long title or note wraps inside the value column and never under the labels.
    """
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True, min_width=LABEL_WIDTH - 2)
    table.add_column(overflow="fold")  # a long URL folds, never cut short
    for name in _fields(article):
        value = getattr(article, name)
        cell = Text(printable(_value_text(value)))
        if value not in (None, []):
            cell.append(f"\n{printable(_provenance_text(article.provenance.get(name)))}", style="dim")
        table.add_row(field_label(name), cell)
    table.add_row("File", Text(printable(f"{article.source_path} (doc {article.doc_id})")))
    return table


def _fields(article: Article) -> list[str]:
    return [name for name in type(article).model_fields if name not in NOT_METADATA]


def source_text(hit: Hit) -> Text:
    """Who said it and when, kept in view above the scrolling article."""
    text = Text()
    text.append(f" {printable(hit.citation.label)} ", style="bold reverse")
    if hit.citation.via:
        text.append(f"  {printable(hit.citation.via)}", style="italic")
    return text


class ReadingScreen(Screen):
    """Reading one article; Escape goes back to the chat."""

    BINDINGS = [
        Binding("escape", "dismiss", "Back"),
        Binding("c", "cite", "Cite"),
        Binding("p", "to_passage", "To passage"),
    ]

    def __init__(self, article: Article, hit: Hit) -> None:
        super().__init__()
        self.article = article
        self.hit = hit

    def compose(self) -> ComposeResult:
        article, hit = self.article, self.hit
        yield Header()
        yield Static(source_text(hit), id="reading-source", markup=False)
        with VerticalScroll(id="article"):
            yield Static(Text(printable(article.title or "untitled")), id="article-title", markup=False)
            yield Static(metadata_table(article), id="metadata", markup=False)
            yield Static(Text(printable(article.text[: hit.start])), id="before", markup=False)
            yield Static(passage_text(hit, sentence_style="bold reverse"), id="passage", markup=False)
            yield Static(Text(printable(article.text[hit.end :])), id="after", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "reading"
        self.query_one("#article").focus()
        self.call_after_refresh(self.action_to_passage)

    def action_to_passage(self) -> None:
        self.query_one("#article", VerticalScroll).scroll_to_widget(self.query_one("#passage"), animate=False, top=True)

    def action_cite(self) -> None:
        self.app.cite(self.hit)
