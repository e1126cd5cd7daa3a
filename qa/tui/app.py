"""`qa chat`: ask questions, read attributed answer cards, cite them. Slow work runs in worker threads."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, LoadingIndicator, ProgressBar, Static

from qa.config import Settings
from qa.engine import Engine
from qa.errors import IndexMissingError, ModelLoadError, QAError, UsageError
from qa.models import Answer, Hit, SearchFilters
from qa.printable import printable
from qa.tui.adding import added_message
from qa.tui.citing import answer_cards, citation_text, session_markdown
from qa.tui.filters import describe_filters
from qa.tui.history import QuestionHistory
from qa.tui.locations import history_path as default_history_path
from qa.tui.screens.filters import FiltersScreen
from qa.tui.screens.problem import ProblemScreen
from qa.tui.screens.prompt import PromptScreen
from qa.tui.screens.reading import ReadingScreen
from qa.tui.screens.timeline import TimelineScreen
from qa.tui.typed_paths import typed_path, typed_paths
from qa.tui.widgets.answer_card import AnswerCard
from qa.tui.widgets.answer_view import AnswerView, QuestionLine, plain
from qa.tui.widgets.question_input import QuestionInput
from qa.tui.widgets.transcript import Transcript

PASSAGES_PER_ANSWER = 5
DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"


def _exists(path: Path) -> bool:
    """False only when nothing is there: a path that cannot be looked at is left to the add, which says why."""
    try:
        return path.exists()
    except OSError:
        return True


class QAApp(App):
    """A transcript of questions and answer cards above an input line, with reading and timeline screens."""

    CSS_PATH = "app.tcss"
    TITLE = "qa"
    SUB_TITLE = "attributed answers from your articles"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("ctrl+f", "filters", "Filter"),
        Binding("ctrl+t", "timeline", "Timeline"),
        Binding("ctrl+y", "cite", "Cite"),
        Binding("ctrl+s", "export", "Export"),
        Binding("ctrl+o", "add_files", "Add"),
        Binding("f2", "toggle_theme", "Theme"),
        Binding("ctrl+l", "clear", "Clear", show=False),
        Binding("escape", "focus_question", "Question", show=False),
    ]

    def __init__(self, settings: Settings, *, engine: Engine | None = None, history_path: Path | None = None) -> None:
        super().__init__()
        self.engine = engine or Engine(settings)
        self.history = QuestionHistory(history_path or default_history_path())
        self.filters = SearchFilters()
        self.theme = DARK_THEME
        self._engine_lock = threading.Lock()
        """Held while the shared Engine is used from a worker: questions, model loading, reopening."""
        self._busy: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="filterbar", markup=False)
        yield Transcript(id="transcript")
        with Horizontal(id="statusbar"):
            yield LoadingIndicator(id="busy")
            yield Static("Loading the embedding model\u2026", id="status", markup=False)
            yield ProgressBar(id="progress", show_eta=False)
        yield QuestionInput(self.history, placeholder="Ask a question, e.g. Who denied sales to Russia?", id="question")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#question").focus()
        self.prepare()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Filter sources", "Limit answers to outlets and a date range", self.action_filters)
        yield SystemCommand("Clear filters", "Answer from every article again", self.clear_filters)
        yield SystemCommand("Timeline", "The last answer's passages by publication date", self.action_timeline)
        yield SystemCommand("Copy citation", "Outlet, date, title, URL and quoted sentence", self.action_cite)
        yield SystemCommand("Export session", "Write every answer and its citations to Markdown", self.action_export)
        yield SystemCommand("Add files or folders", "Copy into the corpus and index them", self.action_add_files)
        yield SystemCommand("Light or dark", "Switch between the light and dark theme", self.action_toggle_theme)

    # -- status line -------------------------------------------------------------------------

    def set_status(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(Text(printable(message)))
        status.set_class(error, "error")

    def _set_busy(self, job: str, busy: bool) -> None:
        (self._busy.add if busy else self._busy.discard)(job)
        self.query_one("#busy").display = bool(self._busy)

    def _notify_error(self, message: str) -> None:
        self.notify(printable(message), severity="error", timeout=10, markup=False)

    # -- start-up: model and index -----------------------------------------------------------

    @work(thread=True, exclusive=True, group="prepare")
    def prepare(self) -> None:
        """Load the model and open the index off the UI thread; say what to do if either fails."""
        self.call_from_thread(self._set_busy, "prepare", True)
        try:
            self._prepare()
        finally:
            self.call_from_thread(self._set_busy, "prepare", False)

    def _prepare(self) -> None:
        corpus = self.engine.settings.corpus_dir
        try:
            with self._engine_lock:
                self.engine.close()  # a retry must see an index built meanwhile
                passages = self.engine.status().counts.passages
        except IndexMissingError as error:
            self.call_from_thread(self._show_problem, "No index yet", str(error), self._index_steps(corpus))
            passages = None
        except QAError as error:
            self.call_from_thread(
                self._show_problem, "The index cannot be opened", str(error), self._index_steps(corpus)
            )
            passages = None
        if passages == 0:
            explanation = f"The index in {self.engine.settings.index_dir} has no articles."
            self.call_from_thread(self._show_problem, "The index is empty", explanation, self._index_steps(corpus))
        if passages is None:
            return  # the question encoder is the index's own export: it loads on retry, once there is one
        try:
            with self._engine_lock:
                self.engine.load_model()
        except ModelLoadError as error:
            steps = (
                "Set QA_MODEL to a local sentence-transformers directory (or unset it for the bundled "
                "model), then press r to retry; `make setup` installs the bundled model."
            )
            self.call_from_thread(self._show_problem, "The embedding model did not load", str(error), steps)
            return
        if passages:
            self.call_from_thread(self.set_status, f"Ready \u00b7 {passages} passages indexed")

    @staticmethod
    def _index_steps(corpus: Path) -> str:
        return (
            f"Press a to add article files or folders from here, or put them in {corpus} and run "
            "`qa index` in a shell, then press r to retry. Escape closes this message."
        )

    def _show_problem(self, title: str, explanation: str, next_steps: str) -> None:
        self.set_status(f"Not ready: {explanation}", error=True)
        self.push_screen(ProblemScreen(title, explanation, next_steps), callback=self._after_problem)

    def _after_problem(self, choice: str | None) -> None:
        if choice == "add":
            self.action_add_files()
        elif choice == "retry":
            self.set_status("Retrying\u2026")
            self.prepare()

    # -- asking ------------------------------------------------------------------------------

    def on_input_submitted(self, event: QuestionInput.Submitted) -> None:
        if event.input.id != "question":
            return
        question = event.value.strip()
        if not question:
            return
        self.history.add(question)
        event.input.value = ""
        line = QuestionLine(question)
        transcript = self.query_one("#transcript", Transcript)
        transcript.mount(line)
        transcript.scroll_end(animate=False)
        self._set_busy(f"ask-{id(line)}", True)
        self.set_status(f"Searching: {question}")
        self.ask(question, self.filters, line)

    @work(thread=True, group="ask")
    def ask(self, question: str, filters: SearchFilters, line: QuestionLine) -> None:
        """Answer in a thread; the answer is placed under its own question even if asked in a burst."""
        try:
            with self._engine_lock:
                answer = self.engine.ask(question, k=PASSAGES_PER_ANSWER, filters=filters)
        except QAError as error:
            self.call_from_thread(self._ask_failed, str(error), line)
            return
        self.call_from_thread(self._show_answer, answer, line)

    def _ask_failed(self, message: str, line: QuestionLine) -> None:
        self._set_busy(f"ask-{id(line)}", False)
        self.query_one("#transcript").mount(plain(message, classes="ask-error"), after=line)
        self.set_status(message, error=True)
        self._notify_error(message)

    def _show_answer(self, answer: Answer, line: QuestionLine) -> None:
        self._set_busy(f"ask-{id(line)}", False)
        transcript = self.query_one("#transcript", Transcript)
        transcript.mount(AnswerView(answer), after=line)
        # Start reading at the question: the first card (the best answer) is what matters most.
        self.call_after_refresh(transcript.scroll_to_widget, line, animate=False, top=True)
        self.set_status(f"{len(answer.passages)} passage(s) for: {answer.question}")

    def _current_answer(self) -> Answer | None:
        """The answer holding the focused card, else the latest one."""
        focused = self.focused
        if isinstance(focused, AnswerCard) and isinstance(focused.parent, AnswerView):
            return focused.parent.answer
        views = list(self.query(AnswerView))
        return views[-1].answer if views else None

    # -- reading, timeline, citing -----------------------------------------------------------

    def on_answer_card_opened(self, event: AnswerCard.Opened) -> None:
        self.open_article(event.hit)

    def on_answer_card_cited(self, event: AnswerCard.Cited) -> None:
        self.cite(event.hit)

    @work(thread=True, group="read")
    def open_article(self, hit: Hit) -> None:
        with self._engine_lock:
            try:
                article = self.engine.article(hit.doc_id)
            except QAError as error:
                self.call_from_thread(self._notify_error, str(error))
                return
        if article is None:
            self.call_from_thread(self._notify_error, "This article is no longer in the index.")
            return
        self.call_from_thread(self.push_screen, ReadingScreen(article, hit))

    def cite(self, hit: Hit) -> None:
        """Put the citation on the clipboard (OSC 52: works locally, over SSH and in tmux)."""
        self.copy_to_clipboard(citation_text(hit))
        self.notify(printable(f"Citation copied: {hit.citation.label}"), title="Cite", markup=False)

    def action_cite(self) -> None:
        if isinstance(self.focused, AnswerCard):
            self.cite(self.focused.hit)
            return
        answer = self._current_answer()
        if answer is None or answer.abstained:
            self.notify("No answer to cite yet: ask a question first.", severity="warning")
            return
        self.cite(answer_cards(answer)[0].hits[0])

    def action_timeline(self) -> None:
        answer = self._current_answer()
        if answer is None or answer.abstained:
            self.notify("No answer to put on a timeline yet: ask a question first.", severity="warning")
            return
        self.push_screen(TimelineScreen(answer))

    # -- filters -----------------------------------------------------------------------------

    def action_filters(self) -> None:
        self.push_screen(FiltersScreen(self.filters), callback=self.set_filters)

    def clear_filters(self) -> None:
        self.set_filters(SearchFilters())

    def set_filters(self, filters: SearchFilters | None) -> None:
        """Use `filters` for the next questions and show them above the transcript while active."""
        if filters is None:
            return
        self.filters = filters
        bar = self.query_one("#filterbar", Static)
        bar.update(Text(printable(f"Filters: {describe_filters(filters)}  (ctrl+f to change)")))
        bar.set_class(filters.active, "-active")
        self.notify(printable(f"Filters: {describe_filters(filters)}"), markup=False)

    # -- export ------------------------------------------------------------------------------

    def action_export(self) -> None:
        if not self.query(AnswerView):
            self.notify("Nothing to export yet: ask a question first.", severity="warning")
            return
        default = f"qa-session-{dt.datetime.now():%Y%m%d-%H%M}.md"
        self.push_screen(
            PromptScreen("Export the session", "Markdown file to write (replaced if it exists):", value=default),
            callback=self.export_session,
        )

    def export_session(self, path_text: str | None) -> None:
        if path_text is None:
            return
        try:
            path = typed_path(path_text)
        except UsageError as error:
            self._notify_error(str(error))
            return
        answers = [view.answer for view in self.query(AnswerView)]
        try:
            path.write_text(session_markdown(answers, exported=dt.datetime.now()), encoding="utf-8")
        except OSError as error:
            self._notify_error(f"Cannot write {path}: {error.strerror or error}")
            return
        self.notify(printable(f"Exported {len(answers)} answer(s) to {path}"), title="Export", markup=False)

    # -- adding documents --------------------------------------------------------------------

    def action_add_files(self) -> None:
        corpus = self.engine.settings.corpus_dir
        hint = (
            f"Files or folders, separated by spaces (quote paths with spaces). They are copied into "
            f"{corpus} and indexed in the background; keep asking meanwhile."
        )
        self.push_screen(PromptScreen("Add documents", hint, placeholder="~/articles/new"), callback=self.add_paths)

    def add_paths(self, paths_text: str | None) -> None:
        if paths_text is None:
            return
        try:
            paths = typed_paths(paths_text)
        except UsageError as error:
            self._notify_error(str(error))
            return
        if missing := [str(path) for path in paths if not _exists(path)]:
            self._notify_error("Not found: " + ", ".join(missing))
            return
        progress = self.query_one("#progress", ProgressBar)
        progress.update(total=None, progress=0)
        progress.add_class("-active")
        self.set_status(f"Adding {len(paths)} path(s)\u2026")
        self.add_documents(paths)

    @work(thread=True, exclusive=True, group="add")
    def add_documents(self, paths: list[Path]) -> None:
        """Index with a second Engine, so questions keep using the open index meanwhile.

        The writer loads its own copy of the model: a fast tokenizer shared by two threads can fail
        ("Already borrowed"), and questions must not wait for the whole indexing run.
        """

        def on_progress(stage: str, done: int, total: int) -> None:
            self.call_from_thread(self.show_progress, stage, done, total)

        writer = Engine(self.engine.settings)
        try:
            report = writer.add(paths, on_progress=on_progress)
            with self._engine_lock:
                self.engine.close()  # reopened on the next question, with the new articles
                passages = self.engine.status().counts.passages
        except (QAError, OSError) as error:
            self.call_from_thread(self._add_finished, f"Adding failed: {error}", error=True)
            return
        finally:
            writer.close()
        message = added_message(report, passages)
        self.call_from_thread(self._add_finished, message, error=bool(report.skipped) and not report.changed)

    def show_progress(self, stage: str, done: int, total: int) -> None:
        self.query_one("#progress", ProgressBar).update(total=total or None, progress=done)
        if stage == "waiting":
            self.set_status("Adding: waiting for another qa process to finish writing the index\u2026")
        else:
            self.set_status(f"Adding: {stage} {done}/{total}" if total else f"Adding: {stage}\u2026")

    def _add_finished(self, message: str, *, error: bool) -> None:
        self.query_one("#progress", ProgressBar).remove_class("-active")
        self.set_status(message, error=error)
        if error:
            self._notify_error(message)
        else:
            self.notify(printable(message), title="Add", markup=False)

    # -- view --------------------------------------------------------------------------------

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.current_theme.dark else DARK_THEME

    def action_clear(self) -> None:
        self.query_one("#transcript", Transcript).remove_children()

    def action_focus_question(self) -> None:
        self.query_one("#question").focus()
