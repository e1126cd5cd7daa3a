"""Progress of long work on the command line: a live bar on a terminal, plain lines in a log, or nothing."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from qa.cli.common import user_location
from qa.cli.output import console
from qa.printable import printable_line
from qa.progress import Stage

if TYPE_CHECKING:
    from qa.config import Settings

PLAIN_EVERY_SECONDS = 10.0
"""Without a terminal, a progress line at most this often (and at each new stage)."""


class Progress:
    """Progress of long work: a live bar on a terminal, a plain line now and then otherwise, or nothing.

    Used as a context manager that yields the `on_progress(stage, done, total)` callback. Each
    stage is shown by its words (`Stage.label`): counted stages as a bar or as lines such as
    `embedding passages: 120/480 (35.2 passages/s, about 10 s left)`, the others as one line when
    they begin (`Publishing the new index…`).
    """

    def __init__(self, settings: Settings, *, quiet: bool) -> None:
        self.settings = settings
        self.quiet = quiet
        self.console = console(stderr=True)
        self.bar = None
        self.tasks: dict[Stage, int] = {}
        self.started: dict[Stage, float] = {}
        """When each stage was first reported: stages interleave (embed a chunk, store it, ...)."""
        self.last_line: dict[Stage, float] = {}

    def __enter__(self):
        if self.quiet:
            return None
        if self.console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as Bar

            self.bar = Bar(
                TextColumn("{task.description:<20}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self.bar.start()
        return self.update

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()

    def update(self, stage: Stage | str, done: int, total: int) -> None:
        stage = Stage(stage)  # a stage named by its value is the same stage
        now = time.monotonic()
        if stage not in self.started:
            self.started[stage] = now
            if not stage.counted:
                self.console.print(self._beginning(stage), soft_wrap=True)
        if not stage.counted:
            return
        elapsed = now - self.started[stage]
        rate = done / elapsed if elapsed > 0 and done else 0.0
        unit = stage.unit
        if self.bar is not None:
            if stage not in self.tasks:
                self.tasks[stage] = self.bar.add_task(stage.label, total=total, rate="")
            self.bar.update(self.tasks[stage], completed=done, total=total, rate=f"{rate:.1f} {unit}/s")
        elif now - self.last_line.get(stage, -PLAIN_EVERY_SECONDS) >= PLAIN_EVERY_SECONDS or done == total:
            self.last_line[stage] = now
            left = f", about {_duration((total - done) / rate)} left" if rate and done < total else ""
            self.console.print(f"{stage.label}: {done}/{total} ({rate:.1f} {unit}/s{left})", soft_wrap=True)

    def _beginning(self, stage: Stage) -> str:
        """The line that says an uncounted stage has begun."""
        if stage is Stage.WAITING:
            index = printable_line(user_location(self.settings))  # a path: one line
            return f"Another qa process is writing the index in {index}; waiting for it to finish…"
        return f"{stage.label[:1].upper()}{stage.label[1:]}…"


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
