"""A question and what the corpus said about it: cards, or a plain abstention."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from qa.filters import describe_filters
from qa.models import Answer
from qa.printable import printable
from qa.tui.citing import also_reported_by, answer_cards
from qa.tui.widgets.answer_card import AnswerCard


def plain(text: str, *, classes: str) -> Static:
    """A line of untrusted text (the question, an article sentence) shown literally."""
    return Static(Text(printable(text)), classes=classes, markup=False)


class QuestionLine(Static):
    """The question as asked, at the top of its answer."""

    def __init__(self, question: str) -> None:
        super().__init__(Text(printable(f"Q: {question}")), classes="question", markup=False)


class AnswerView(Vertical):
    """Everything shown for one answer, in reading order."""

    def __init__(self, answer: Answer) -> None:
        super().__init__()
        self.answer = answer

    def compose(self) -> ComposeResult:
        answer = self.answer
        if answer.filters.active:
            yield plain(f"Filters: {describe_filters(answer.filters)}", classes="answer-filters")
        if answer.abstained:
            yield plain(f"No answer. {answer.message or ''}".strip(), classes="abstained")
            return
        if answer.summary:
            yield plain(answer.summary, classes="summary")
        if answer.message:
            yield plain(answer.message, classes="answer-note")
        corroborated = also_reported_by(answer)
        for number, card in enumerate(answer_cards(answer)):
            yield AnswerCard(card, also_reported=corroborated if number == 0 else None)
