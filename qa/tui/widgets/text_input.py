"""An input line that never holds a control character, however its value arrives."""

from __future__ import annotations

from textual.widgets import Input

from qa.printable import printable_line


class TextInput(Input):
    """An `Input` whose value shows control characters as pictures (`␛`), never sends them to the terminal.

    Typed keys cannot carry ESC, but a paste, a recalled question from the history file or a value
    set from data can: every assignment passes through `printable_line`, so none reaches the screen raw.
    """

    def validate_value(self, value: str) -> str:
        return printable_line(value)
