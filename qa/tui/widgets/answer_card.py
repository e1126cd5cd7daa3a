"""One attributed passage: outlet and date first, then title, then the passage with its answer sentence marked."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from qa.models import Hit


def card_text(hit: Hit) -> Text:
    """Plain `Text` built piece by piece, so markup or escapes inside articles are shown, never run."""
    citation = hit.citation
    text = Text()
    text.append(f" {citation.label} ", style="bold reverse")
    if citation.via:
        text.append(f"  {citation.via}", style="dim")
    text.append(f"\n{hit.title or 'untitled'}\n", style="italic")
    passage = hit.text
    if hit.highlight is None:
        text.append(passage)
    else:
        start, end = hit.highlight
        text.append(passage[:start])
        text.append(passage[start:end], style="bold underline")
        text.append(passage[end:])
    text.append(f"\nsimilarity {hit.similarity:.2f}", style="dim")
    if hit.url:
        text.append(f" · {hit.url}", style="dim")
    return text


class AnswerCard(Static):
    """A hit as a card in the transcript."""

    def __init__(self, hit: Hit) -> None:
        super().__init__(card_text(hit), markup=False)
        self.hit = hit
