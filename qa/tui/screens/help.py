"""Every key of the chat on one screen (F1 anywhere, `?` wherever it is not typed as text)."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

KEYS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Anywhere",
        [
            ("F1", "this help (also ? outside a text field)"),
            ("ctrl+f", "filter the sources: outlets and a date range"),
            ("ctrl+t", "timeline: the last answer's articles by date"),
            ("ctrl+y", "copy a citation of the focused card (or the best one)"),
            ("ctrl+s", "export the session to Markdown"),
            ("ctrl+o", "add article files or folders"),
            ("f2", "light or dark theme"),
            ("ctrl+l", "clear the transcript"),
            ("ctrl+p", "command palette"),
            ("escape", "back to the question line (closes a dialog first)"),
            ("ctrl+q", "quit"),
        ],
    ),
    (
        "Question line",
        [
            ("enter", "ask; keep typing the next question meanwhile"),
            ("up", "earlier question from the history"),
            ("down", "later question; past the newest, into the answer cards"),
            ("tab", "into the answer cards"),
            ("?", "typed as part of the question: use F1 here for help"),
        ],
    ),
    (
        "Answer cards",
        [
            ("enter", "read the article at this passage"),
            ("c", "copy this card's citation"),
            ("down, j", "next card (after the last one, the question line)"),
            ("up, k", "previous card (from the newest answer's first card, the question line)"),
            ("?", "this help"),
        ],
    ),
    (
        "Reading and timeline",
        [
            ("enter", "timeline: read the highlighted article"),
            ("c", "copy the citation"),
            ("p", "reading: back to the passage"),
            ("escape", "back"),
        ],
    ),
    (
        "Welcome screen (no articles yet)",
        [
            ("ctrl+o, a", "add article files or folders"),
            ("r", "retry, once articles are indexed"),
            ("escape", "close it and use the chat anyway"),
            ("ctrl+q, q", "quit"),
        ],
    ),
    (
        "Dialogs",
        [
            ("tab, shift+tab", "next or previous field"),
            ("enter", "apply"),
            ("escape", "cancel"),
        ],
    ),
]
"""What each key does, by where the focus is; `tests/tui` checks every binding of the chat is here."""


def keys_table() -> Group:
    """One titled two-column grid per place, the key columns all of one width."""
    key_width = max(len(key) for _, keys in KEYS for key, _ in keys)
    parts: list[Text | Table] = []
    for place, keys in KEYS:
        parts.append(Text(f"\n{place}" if parts else place, style="bold underline"))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True, width=key_width)
        grid.add_column()
        for key, meaning in keys:
            grid.add_row(key, meaning)
        parts.append(grid)
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    """The keys, by where the focus is; any of Escape, F1, ? or q closes it."""

    BINDINGS = [Binding("escape,f1,question_mark,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help", classes="dialog"):
            yield Label("Keys", classes="dialog-title")
            yield Static(keys_table(), id="help-keys")
