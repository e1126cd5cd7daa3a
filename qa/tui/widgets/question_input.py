"""The question line: Enter asks, up/down walk the questions asked before (kept between runs)."""

from __future__ import annotations

from textual.binding import Binding

from qa.tui.history import QuestionHistory
from qa.tui.widgets.text_input import TextInput


class QuestionInput(TextInput):
    """An input with a shell-like history; recalled questions are shown like typed ones, controls as pictures."""

    BINDINGS = [
        Binding("up", "history_previous", "Earlier question", show=False),
        Binding("down", "history_next", "Later question", show=False),
    ]

    def __init__(self, history: QuestionHistory, **kwargs) -> None:
        super().__init__(**kwargs)
        self.history = history

    def action_history_previous(self) -> None:
        if (question := self.history.previous(self.value)) is not None:
            self.value = question
            self.cursor_position = len(self.value)

    def action_history_next(self) -> None:
        if (question := self.history.next()) is not None:
            self.value = question
            self.cursor_position = len(self.value)
