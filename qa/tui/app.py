"""`qa chat`: ask questions, read attributed answer cards, cite them. Slow work runs in worker threads."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import QueryType
from textual.screen import Screen
from textual.widgets import Footer, Header, LoadingIndicator, ProgressBar, Static

from qa.config import Settings
from qa.engine import Engine
from qa.errors import QAError, UsageError
from qa.filters import describe_filters
from qa.models import Answer, Hit, SearchFilters
from qa.printable import printable
from qa.progress import Stage
from qa.tui.add_files import AddingFiles
from qa.tui.citing import answer_cards, citation_text
from qa.tui.exporting import export_target, session_file_name, write_session
from qa.tui.history import QuestionHistory
from qa.tui.key_order import KeysInOrder
from qa.tui.locations import export_dir, full_path
from qa.tui.locations import history_path as default_history_path
from qa.tui.screens.filters import FiltersScreen
from qa.tui.screens.first_run import FirstRunScreen
from qa.tui.screens.help import HelpScreen
from qa.tui.screens.problem import ProblemScreen
from qa.tui.screens.prompt import PromptScreen
from qa.tui.screens.reading import ReadingScreen
from qa.tui.screens.timeline import TimelineScreen
from qa.tui.startup import Readiness, check_readiness
from qa.tui.widgets.answer_card import AnswerCard
from qa.tui.widgets.answer_view import AnswerView, QuestionLine, plain
from qa.tui.widgets.question_input import QuestionInput
from qa.tui.widgets.transcript import Transcript
from qa.tui.wording import counted

PASSAGES_PER_ANSWER = 5
DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"


FIRST_QUESTION_HINT = (
    "Type a question and press Enter; you can type the next one while this one is answered. "
    "Down (or Tab) moves into the answer cards, Enter on a card reads the article, "
    "Escape comes back here. F1 lists every key."
)


class QAApp(AddingFiles, KeysInOrder):
    """A transcript of questions and answer cards above an input line, with reading and timeline screens.

    Keys are delivered in order (`KeysInOrder`), so typing ahead never loses or merges anything.
    Every dialog and the timeline give the focus back to the question line when they close.
    """

    CSS_PATH = "app.tcss"
    TITLE = "qa"
    SUB_TITLE = "attributed answers from your articles"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("f1", "help", "Help"),
        # `?` is typed into the question line (questions end with one); elsewhere it opens the help.
        Binding("question_mark", "help", "Help", show=False),
        Binding("ctrl+f", "filters", "Filter"),
        Binding("ctrl+t", "timeline", "Timeline"),
        Binding("ctrl+y", "cite", "Cite"),
        Binding("ctrl+s", "export", "Export"),
        Binding("ctrl+o", "add_files", "Add"),
        Binding("f2", "toggle_theme", "Theme", show=False),
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
        self._can_answer = False
        """True once the index has articles and the model is loaded."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="filterbar", markup=False)
        with Transcript(id="transcript"):
            yield Static(FIRST_QUESTION_HINT, id="hint", markup=False)
        with Horizontal(id="statusbar"):
            yield LoadingIndicator(id="busy")
            yield Static("Loading the embedding model\u2026", id="status", markup=False)
            yield ProgressBar(id="progress", show_eta=False)
        yield QuestionInput(self.history, placeholder="Ask a question, e.g. Who denied sales to Russia?", id="question")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.chat(QuestionInput).focus()
        self.prepare()

    def chat(self, selector: type[QueryType] | str, expect_type: type[QueryType] = Static) -> QueryType:
        """A widget of the chat screen, even while a dialog or the timeline is on top of it."""
        if isinstance(selector, str):
            return self.screen_stack[0].query_one(selector, expect_type)
        return self.screen_stack[0].query_one(selector)

    def open_screen(self, screen: Screen, callback=None) -> None:
        """Show `screen`; once it closes, the focus is back on the question line and `callback` gets its result."""

        def closed(result) -> None:
            self.action_focus_question()
            if callback is not None:
                callback(result)

        self.push_screen(screen, callback=closed)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Filter sources", "Limit answers to outlets and a date range", self.action_filters)
        yield SystemCommand("Clear filters", "Answer from every article again", self.clear_filters)
        yield SystemCommand("Timeline", "The last answer's passages by publication date", self.action_timeline)
        yield SystemCommand("Copy citation", "Outlet, date, title, URL and quoted sentence", self.action_cite)
        yield SystemCommand("Export session", "Write every answer and its citations to Markdown", self.action_export)
        yield SystemCommand("Add files or folders", "Copy into the corpus and index them", self.action_add_files)
        yield SystemCommand("Light or dark", "Switch between the light and dark theme", self.action_toggle_theme)
        yield SystemCommand("Keys", "Every key of the chat", self.action_help)

    # -- status line -------------------------------------------------------------------------

    def set_status(self, message: str, *, error: bool = False) -> None:
        status = self.chat("#status")
        status.update(Text(printable(message)))
        status.set_class(error, "error")

    def _set_busy(self, job: str, busy: bool) -> None:
        (self._busy.add if busy else self._busy.discard)(job)
        self.chat("#busy", LoadingIndicator).display = bool(self._busy)

    def _notify_error(self, message: str) -> None:
        self.notify(printable(message), severity="error", timeout=10, markup=False)

    # -- start-up: model and index -----------------------------------------------------------

    @work(thread=True, exclusive=True, group="prepare")
    def prepare(self) -> None:
        """Load the model and open the index off the UI thread; say what to do if either fails."""
        self.call_from_thread(self._set_busy, "prepare", True)
        try:
            with self._engine_lock:
                readiness = check_readiness(self.engine)
        finally:
            self.call_from_thread(self._set_busy, "prepare", False)
        self.call_from_thread(self._show_readiness, readiness)

    def _show_readiness(self, readiness: Readiness) -> None:
        if problem := readiness.problem:
            self.set_status(f"Not ready: {problem.explanation}", error=True)
            self.open_screen(ProblemScreen(problem.title, problem.explanation, problem.next_steps), self._after_problem)
        elif readiness.first_run:
            self._show_first_run(empty=readiness.passages == 0)
        else:
            self._can_answer = True
            self.set_status(f"Ready \u00b7 {counted(readiness.passages or 0, 'passage')} indexed")

    def _show_first_run(self, *, empty: bool) -> None:
        settings = self.engine.settings
        index = full_path(settings.index_dir)
        self.set_status(f"{'No articles yet' if empty else 'No index yet'} in {index}: ctrl+o adds articles")
        screen = FirstRunScreen(corpus=full_path(settings.corpus_dir), index=index, empty=empty)
        self.open_screen(screen, callback=self._after_problem)

    def _after_problem(self, choice: str | None) -> None:
        if choice == "add":
            self.action_add_files()
        elif choice == "retry":
            self.set_status("Retrying\u2026")
            self.prepare()

    # -- asking ------------------------------------------------------------------------------

    def on_question_input_asked(self, event: QuestionInput.Asked) -> None:
        """The input has already emptied itself: keys typed meanwhile belong to the next question."""
        question = event.question
        self.history.add(question)
        line = QuestionLine(question)
        transcript = self.chat(Transcript)
        for hint in transcript.query("#hint"):
            hint.remove()
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
        except (QAError, OSError) as error:  # e.g. the index folder removed meanwhile: a notice, never a traceback
            self.call_from_thread(self._ask_failed, str(error), line)
            return
        self.call_from_thread(self._show_answer, answer, line)

    def _ask_failed(self, message: str, line: QuestionLine) -> None:
        self._set_busy(f"ask-{id(line)}", False)
        self.chat(Transcript).mount(plain(message, classes="ask-error"), after=line)
        self.set_status(message, error=True)
        self._notify_error(message)

    def _show_answer(self, answer: Answer, line: QuestionLine) -> None:
        self._set_busy(f"ask-{id(line)}", False)
        transcript = self.chat(Transcript)
        transcript.mount(AnswerView(answer), after=line)
        # Start reading at the question: the first card (the best answer) is what matters most.
        self.call_after_refresh(transcript.scroll_to_widget, line, animate=False, top=True)
        found = counted(len(answer.passages), "passage") if answer.passages else "No answer"
        self.set_status(f"{found} for: {answer.question}")

    def _current_answer(self) -> Answer | None:
        """The answer holding the focused card, else the latest one."""
        focused = self.focused
        if isinstance(focused, AnswerCard) and isinstance(focused.parent, AnswerView):
            return focused.parent.answer
        views = list(self.screen_stack[0].query(AnswerView))
        return views[-1].answer if views else None

    # -- moving between the question line and the cards ---------------------------------------

    def _newest_cards(self) -> list[AnswerCard]:
        """The cards of the newest answer that has any: where Down from the question line goes."""
        for view in reversed(list(self.screen_stack[0].query(AnswerView))):
            if cards := list(view.query(AnswerCard)):
                return cards
        return []

    def on_question_input_cards_wanted(self, event: QuestionInput.CardsWanted) -> None:
        if cards := self._newest_cards():
            cards[0].focus()

    def action_card_up(self) -> None:
        """Up from the card Down led to goes back to the question line; elsewhere, to the card above."""
        cards = self._newest_cards()
        if cards and self.focused is cards[0]:
            self.action_focus_question()
        else:
            self.screen.focus_previous()

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
            except (QAError, OSError) as error:
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
        self.open_screen(TimelineScreen(answer))

    # -- filters -----------------------------------------------------------------------------

    def action_filters(self) -> None:
        self.open_screen(FiltersScreen(self.filters), callback=self.set_filters)

    def clear_filters(self) -> None:
        self.set_filters(SearchFilters())

    def set_filters(self, filters: SearchFilters | None) -> None:
        """Use `filters` for the next questions and show them above the transcript while active."""
        if filters is None:
            return
        self.filters = filters
        bar = self.chat("#filterbar")
        bar.update(Text(printable(f"Filters: {describe_filters(filters)}  (ctrl+f to change)")))
        bar.set_class(filters.active, "-active")
        self.notify(printable(f"Filters: {describe_filters(filters)}"), markup=False)

    # -- export ------------------------------------------------------------------------------

    def action_export(self) -> None:
        if not self.screen_stack[0].query(AnswerView):
            self.notify("Nothing to export yet: ask a question first.", severity="warning")
            return
        default = full_path(export_dir() / session_file_name(dt.datetime.now()))
        folder = full_path(export_dir())
        hint = f"Markdown file to write (replaced if it exists). A name alone is saved in {folder}."
        self.open_screen(PromptScreen("Export the session", hint, value=default), callback=self.export_session)

    def export_session(self, path_text: str | None) -> None:
        if path_text is None:
            return
        try:
            path = export_target(path_text, export_dir())
        except UsageError as error:
            self._notify_error(str(error))
            return
        answers = [view.answer for view in self.screen_stack[0].query(AnswerView)]
        try:
            write_session(path, answers, exported=dt.datetime.now(), folder=export_dir())
        except OSError as error:
            self._notify_error(f"Cannot write {full_path(path)}: {error.strerror or error}")
            return
        message = f"Exported {counted(len(answers), 'answer')} to {full_path(path)}"
        self.notify(printable(message), title="Export", markup=False)

    # -- adding documents (the rest is in AddingFiles) ------------------------------------------

    def show_progress(self, stage: Stage, done: int, total: int) -> None:
        """`Adding: embedding passages 3/7`, or `Adding: publishing the new index…`: the stage in words."""
        self.chat("#progress", ProgressBar).update(total=total or None, progress=done)
        label = Stage(stage).label
        self.set_status(f"Adding: {label} {done}/{total}" if total else f"Adding: {label}\u2026")

    # -- view --------------------------------------------------------------------------------

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.current_theme.dark else DARK_THEME

    def action_clear(self) -> None:
        self.chat(Transcript).remove_children()

    def action_focus_question(self) -> None:
        self.chat(QuestionInput).focus()

    def action_help(self) -> None:
        self.open_screen(HelpScreen())
