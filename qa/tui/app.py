"""`qa chat`: ask questions, read attributed answer cards. Slow work runs in worker threads."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Input, Static

from qa.config import Settings
from qa.engine import Engine
from qa.errors import QAError
from qa.models import Answer
from qa.tui.widgets.answer_card import AnswerCard


class QAApp(App):
    """A transcript of questions and answer cards above an input line."""

    CSS_PATH = "app.tcss"
    TITLE = "qa"
    SUB_TITLE = "attributed answers from your articles"
    BINDINGS = [("ctrl+q", "quit", "Quit"), ("ctrl+l", "clear", "Clear")]

    def __init__(self, settings: Settings, *, engine: Engine | None = None) -> None:
        super().__init__()
        self.engine = engine or Engine(settings)

    def compose(self) -> ComposeResult:
        yield Header()
        yield VerticalScroll(id="transcript")
        yield Static("Loading the embedding model…", id="status", markup=False)
        yield Input(placeholder="Ask a question, e.g. Who denied sales to Russia?", id="question")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#question", Input).focus()
        self.prepare()

    @work(thread=True, exclusive=True, group="prepare")
    def prepare(self) -> None:
        """Load the model and open the index off the UI thread; say what to do if either fails."""
        try:
            self.engine.load_model()
            passages = self.engine.status().counts["passages"]
        except QAError as error:
            self.call_from_thread(self._set_status, f"Not ready: {error}", error=True)
            return
        self.call_from_thread(self._set_status, f"Ready · {passages} passages indexed")

    def _set_status(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(Text(message))
        status.set_class(error, "error")
        if error:
            self.notify(message, severity="error", timeout=10)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if not question:
            return
        event.input.value = ""
        transcript = self.query_one("#transcript", VerticalScroll)
        transcript.mount(Static(Text(f"Q: {question}"), classes="question", markup=False))
        self.query_one("#status", Static).update("Searching…")
        self.ask(question)

    @work(thread=True, exclusive=True, group="ask")
    def ask(self, question: str) -> None:
        try:
            answer = self.engine.ask(question)
        except QAError as error:
            self.call_from_thread(self._set_status, str(error), error=True)
            return
        self.call_from_thread(self._show_answer, answer)

    def _show_answer(self, answer: Answer) -> None:
        transcript = self.query_one("#transcript", VerticalScroll)
        if answer.abstained:
            transcript.mount(Static(Text(answer.message or ""), classes="abstained", markup=False))
        else:
            transcript.mount_all(AnswerCard(hit) for hit in answer.passages)
        transcript.scroll_end(animate=False)
        self._set_status(f"{len(answer.passages)} passage(s) for: {answer.question}")

    def action_clear(self) -> None:
        self.query_one("#transcript", VerticalScroll).remove_children()
