"""A small form for the outlet and date-range filters; returns the new filters or None."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from qa.errors import UsageError
from qa.filters import filters_from_form
from qa.models import SearchFilters
from qa.tui.widgets.text_input import TextInput


def _iso(value) -> str:
    return value.isoformat() if value else ""


class FiltersScreen(ModalScreen[SearchFilters | None]):
    """Outlets (comma-separated) and a date range in ISO or plain words; Enter applies, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: SearchFilters) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="filters-form", classes="dialog"):
            yield Label("Filter the sources", classes="dialog-title")
            yield Label("Dates: ISO (2024-02-11) or words (February 2024, last week).", classes="dialog-hint")
            yield Label("Outlets (comma-separated)")
            yield TextInput(
                ", ".join(self.current.outlets),
                placeholder="e.g. Forbes, The Kyiv Independent",
                id="outlets",
                compact=True,
            )
            yield Label("From (published on or after)")
            yield TextInput(
                _iso(self.current.since), placeholder="e.g. 2024-01-01 or last year", id="since", compact=True
            )
            yield Label("To (published on or before)")
            yield TextInput(_iso(self.current.until), placeholder="e.g. 2024-12-31 or today", id="until", compact=True)
            yield Static("", id="filters-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Apply", variant="primary", id="apply", compact=True)
                yield Button("Clear all", id="clear", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#outlets", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.apply()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "apply":
            self.apply()
        elif event.button.id == "clear":
            self.dismiss(SearchFilters())
        else:
            self.dismiss(None)

    def apply(self) -> None:
        try:
            filters = filters_from_form(
                self.query_one("#outlets", Input).value,
                self.query_one("#since", Input).value,
                self.query_one("#until", Input).value,
            )
        except UsageError as error:
            message = self.query_one("#filters-error", Static)
            message.update(Text(str(error)))
            message.add_class("-shown")
            return
        self.dismiss(filters)

    def action_cancel(self) -> None:
        self.dismiss(None)
