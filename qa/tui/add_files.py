"""Adding article files from the chat: a prompt for the paths, indexing in a worker, a notice when done."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import App
from textual.widgets import ProgressBar

from qa.engine import Engine
from qa.errors import QAError, UsageError
from qa.printable import printable
from qa.progress import Stage
from qa.tui.adding import added_message
from qa.tui.locations import full_path
from qa.tui.screens.prompt import PromptScreen
from qa.tui.typed_paths import typed_paths
from qa.tui.wording import counted


def _exists(path: Path) -> bool:
    """False only when nothing is there: a path that cannot be looked at is left to the add, which says why."""
    try:
        return path.exists()
    except OSError:
        return True


class AddingFiles(App):
    """The chat's ctrl+o. Uses the app's `engine`, `_engine_lock`, `chat`, `open_screen`, `set_status`,
    `show_progress`, `_notify_error` and, after the first articles, `prepare` (to load the model)."""

    def action_add_files(self) -> None:
        corpus = full_path(self.engine.settings.corpus_dir)
        hint = (
            f"Files or folders, separated by spaces (quote paths with spaces). They are copied into "
            f"{corpus} and indexed in the background; keep asking meanwhile."
        )
        self.open_screen(PromptScreen("Add documents", hint, placeholder="~/articles/new"), callback=self.add_paths)

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
        progress = self.chat("#progress", ProgressBar)
        progress.update(total=None, progress=0)
        progress.add_class("-active")
        self.set_status(f"Adding {counted(len(paths), 'path')}\u2026")
        self.add_documents(paths)

    @work(thread=True, exclusive=True, group="add")
    def add_documents(self, paths: list[Path]) -> None:
        """Index with a second Engine, so questions keep using the open index meanwhile.

        The writer loads its own copy of the model: a fast tokenizer shared by two threads can fail
        ("Already borrowed"), and questions must not wait for the whole indexing run.
        """

        def on_progress(stage: Stage, done: int, total: int) -> None:
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

    def _add_finished(self, message: str, *, error: bool) -> None:
        self.chat("#progress", ProgressBar).remove_class("-active")
        self.set_status(message, error=error)
        if error:
            self._notify_error(message)
        else:
            self.notify(printable(message), title="Add", markup=False)
        if not self._can_answer:
            self.prepare()  # the first articles: load the model now, or say again what is missing
