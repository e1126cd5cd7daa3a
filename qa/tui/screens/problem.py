"""When the chat cannot answer yet: what went wrong and what to do next, with keys to do it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static

from qa.printable import printable


class ProblemScreen(ModalScreen[str | None]):
    """Returns "add" or "retry" for the key pressed, None when closed with Escape."""

    BINDINGS = [
        Binding("a", "choose('add')", "Add files"),
        Binding("r", "choose('retry')", "Retry"),
        Binding("escape", "choose(None)", "Close"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, title: str, explanation: str, next_steps: str) -> None:
        super().__init__()
        self.title_text = title
        self.explanation = explanation
        self.next_steps = next_steps

    def compose(self) -> ComposeResult:
        with Vertical(id="problem", classes="dialog"):
            yield Label(Text(printable(self.title_text)), classes="dialog-title")
            yield Static(Text(printable(self.explanation)), id="problem-explanation", markup=False)
            yield Static(Text(printable(self.next_steps)), id="problem-next", markup=False)
        yield Footer()

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)
