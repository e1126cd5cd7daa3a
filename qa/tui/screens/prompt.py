"""Ask for one line of text (a path to add, a file to export to); returns it or None."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from qa.printable import printable
from qa.tui.widgets.text_input import TextInput


class PromptScreen(ModalScreen[str | None]):
    """A titled input with a hint; Enter returns the text, Escape returns None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, hint: str, *, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.hint = hint
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(printable(self.title_text)), classes="dialog-title")
            yield Static(Text(printable(self.hint)), classes="dialog-hint", markup=False)
            yield TextInput(self.value, placeholder=self.placeholder, id="prompt")

    def on_mount(self) -> None:
        self.query_one("#prompt", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
