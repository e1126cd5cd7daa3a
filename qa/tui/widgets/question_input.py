"""The question line: Enter asks, up/down walk the questions asked before (kept between runs)."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message

from qa.tui.history import QuestionHistory
from qa.tui.widgets.text_input import TextInput


class QuestionInput(TextInput):
    """An input with a shell-like history; recalled questions are shown like typed ones, controls as pictures.

    Enter empties the line at once, in the same step as the key, and sends the question as `Asked`:
    whatever is typed after Enter starts the next question, even before the app has seen this one.
    """

    BINDINGS = [
        Binding("up", "history_previous", "Earlier question", show=False),
        Binding("down", "history_next", "Later question, or the answer cards", show=False),
    ]

    class Asked(Message):
        """A question was submitted (already stripped and non-empty)."""

        def __init__(self, question: str) -> None:
            super().__init__()
            self.question = question

    class CardsWanted(Message):
        """Down past the newest question: the reader wants to move into the answer cards."""

    def __init__(self, history: QuestionHistory, **kwargs) -> None:
        super().__init__(**kwargs)
        self.history = history

    async def action_submit(self) -> None:
        question = self.value.strip()
        if not question:
            return
        self.value = ""
        self.post_message(self.Asked(question))

    def action_history_previous(self) -> None:
        if (question := self.history.previous(self.value)) is not None:
            self.value = question
            self.cursor_position = len(self.value)

    def action_history_next(self) -> None:
        if (question := self.history.next()) is not None:
            self.value = question
            self.cursor_position = len(self.value)
        else:
            self.post_message(self.CardsWanted())
