"""One article's answer: outlet and date first, then title, the passage with its answer sentence marked."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from qa.models import ArticleCard, Hit
from qa.printable import printable

RELEVANCE_DOTS = 5


def relevance(similarity: float) -> str:
    """`●●●○○ 0.56`: cosine similarity as dots (one per 0.2) and its value."""
    filled = max(1, min(RELEVANCE_DOTS, round(similarity * RELEVANCE_DOTS)))
    return "\u25cf" * filled + "\u25cb" * (RELEVANCE_DOTS - filled) + f" {similarity:.2f}"


def passage_text(hit: Hit, *, passage_style: str = "", sentence_style: str = "bold underline") -> Text:
    """The passage with its answering sentence styled; every character shown literally."""
    text = Text(style=passage_style)
    if hit.highlight is None:
        text.append(printable(hit.text))
        return text
    start, end = hit.highlight
    text.append(printable(hit.text[:start]))
    text.append(printable(hit.text[start:end]), style=sentence_style)
    text.append(printable(hit.text[end:]))
    return text


def card_text(hit: Hit, *, more: Sequence[Hit] = (), also_reported: str | None = None) -> Text:
    """Plain `Text` built piece by piece, so markup or escapes inside articles are shown, never run."""
    citation = hit.citation
    text = Text()
    text.append(f" {printable(citation.label)} ", style="bold reverse")
    if citation.via:
        text.append(f"  {printable(citation.via)}", style="italic")
    also_published = citation.also_published
    if also_published:
        text.append(f"\n{printable(also_published)}", style="italic")
    text.append(f"\n{printable(hit.title or 'untitled')}\n", style="bold")
    text.append_text(passage_text(hit))
    for other in more:
        text.append("\n\u2026 ")
        text.append(printable(other.highlighted_sentence or other.text), style="italic")
    text.append(f"\nrelevance {relevance(hit.similarity)}", style="dim")
    if hit.url:
        text.append(f" \u00b7 {printable(hit.url)}", style="dim")
    if also_reported:
        text.append(f"\n{printable(also_reported)}", style="bold")
    return text


class AnswerCard(Static, can_focus=True):
    """An article's hits as one card in the transcript; Enter opens the article, c copies a citation."""

    BINDINGS = [
        Binding("enter", "open", "Read"),
        Binding("c", "cite", "Cite"),
        Binding("up,k", "app.card_up", "Previous", show=False),
        Binding("down,j", "app.focus_next", "Next", show=False),
    ]

    class Opened(Message):
        """The reader asked to read this card's article at its best passage."""

        def __init__(self, hit: Hit) -> None:
            super().__init__()
            self.hit = hit

    class Cited(Message):
        """The reader asked for this card's citation on the clipboard."""

        def __init__(self, hit: Hit) -> None:
            super().__init__()
            self.hit = hit

    def __init__(self, card: ArticleCard, *, also_reported: str | None = None) -> None:
        self.card = card
        self.hit = card.hits[0]
        super().__init__(card_text(self.hit, more=card.hits[1:], also_reported=also_reported), markup=False)

    def action_open(self) -> None:
        self.post_message(self.Opened(self.hit))

    def action_cite(self) -> None:
        self.post_message(self.Cited(self.hit))

    def on_click(self) -> None:
        self.action_open()
