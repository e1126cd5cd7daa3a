"""The chat's first screen while there is nothing to search: what qa needs, and a key to give it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static

from qa.printable import printable


class FirstRunScreen(ModalScreen[str | None]):
    """A missing or empty index: returns "add" (ctrl+o or a), "retry" (r), or None (Escape)."""

    BINDINGS = [
        Binding("ctrl+o,a", "choose('add')", "Add files"),
        Binding("r", "choose('retry')", "Retry"),
        Binding("escape", "choose(None)", "Close"),
        Binding("ctrl+q,q", "app.quit", "Quit"),
    ]

    def __init__(self, *, corpus: str, index: str, empty: bool) -> None:
        """`corpus` and `index`: full paths; `empty`: the index exists but holds no articles."""
        super().__init__()
        self.corpus = corpus
        self.index = index
        self.empty = empty

    def compose(self) -> ComposeResult:
        state = f"The index in {self.index} {'holds no articles' if self.empty else 'does not exist'} yet."
        with Vertical(id="first-run", classes="dialog"):
            yield Label("Welcome to qa", classes="dialog-title")
            yield Static(
                Text(
                    printable(
                        f"qa answers questions from the news articles you give it, citing who said it and when. {state}"
                    )
                ),
                id="first-run-state",
                markup=False,
            )
            yield Static(
                Text(
                    printable(
                        f"Press ctrl+o to add article files or folders from here: they are copied into "
                        f"{self.corpus} and indexed while you wait. Or put them in that folder, run `qa index` "
                        "in a shell and press r to retry."
                    )
                ),
                id="first-run-steps",
                markup=False,
            )
            yield Static("Escape closes this message; F1 lists every key.", classes="dialog-hint", markup=False)
        yield Footer()

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)
