"""Running `qa` as a user does: in-process through its `main`, or as a real process to read or kill."""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qa.cli import main
from qa.config import Settings
from qa.ingest import corpus_files, read_corpus_file
from qa.passages import chunk_article
from qa.store.lock import LOCK_NAME

QA_SCRIPT = Path(sys.executable).parent / "qa"
"""The installed `qa` command of the venv running the tests."""
HARBOUR = (
    "The harbour master said on Friday that a second pier would open to ferries next month, "
    "easing the queues that have formed at the old terminal since the summer timetable began.\n\n"
    "Ferry operators welcomed the decision and said they would add evening crossings once the "
    "new pier is ready, while residents asked for quieter engines at night."
)
"""A short article of two passages, unlike anything in the seed corpus."""
UNATTRIBUTED_ARTICLE = (
    "The Larchmere beekeepers' cooperative harvested four tonnes of heather honey this autumn, "
    "its best season since the cooperative was founded by twelve families in the valley.\n\n"
    "Members said the late flowering of the heather and a dry September kept the hives busy, "
    "and the cooperative plans to sell the honey at the winter market in the old town hall."
)
"""An article with no outlet or date anywhere: cited as unknown."""


def qa(*args, capsys) -> tuple[int, str, str]:
    """Run `qa ARGS` in-process: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exit_:
        main([str(arg) for arg in args])
    captured = capsys.readouterr()
    code = exit_.value.code
    return (0 if code is None else code), captured.out, captured.err


def paths(settings: Settings) -> list[str]:
    """The `--corpus` and `--index` options that point `qa` at `settings`."""
    return ["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]


def qa_process(*args, env: dict[str, str] | None = None, **kwargs) -> subprocess.Popen:
    """`qa ARGS` as a real process, offline, with `env` added to the environment."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **(env or {})}
    return subprocess.Popen([str(QA_SCRIPT), *map(str, args)], env=env, text=True, **kwargs)


def start(*args: str | Path) -> subprocess.Popen:
    """`qa ARGS` as a real process whose stdout and stderr the test reads (`wait_for_line`)."""
    return qa_process(*args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for_line(process: subprocess.Popen, text: str, timeout: float = 300) -> bool:
    """Read the process's stderr until a line contains `text`; False if it ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stderr], [], [], 1)
        if ready:
            line = process.stderr.readline()
            if not line:
                return False
            if text in line:
                return True
    raise AssertionError(f"no {text!r} within {timeout} s")


def interrupt(process: subprocess.Popen, how: signal.Signals = signal.SIGKILL) -> None:
    """Send `how` (kill -9 by default) unless the process has ended, and reap it.

    The timeout is a hang guard, not a speed claim: after Ctrl-C `qa index` ends its current batch first, which
    took over 120 s at 3.5 passages/s on a 2-core machine shared by two test workers and other sessions."""
    if process.poll() is None:
        process.send_signal(how)
    process.communicate(timeout=600)


# -- the writer lock ------------------------------------------------------------------------

HOLD_LOCK = """
import sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1])
lock.acquire()
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


def hold_lock(settings: Settings, seconds: float) -> subprocess.Popen:
    """Another process holding the index's writer lock for `seconds`, as a running `qa index` would."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(settings.index_dir / LOCK_NAME), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline() == "held\n"
    return holder


# -- generated corpora ------------------------------------------------------------------------

WORDS = (
    "river harbour council budget ferry bridge market school winter orchard station railway tunnel "
    "factory union strike harvest museum library festival election court hospital clinic airport "
    "storm flood drought tariff export import pension housing rent wages fishing mining forest"
).split()


def write_articles(directory: Path, count: int, *, seed: int) -> None:
    """`count` distinct articles of a few paragraphs each (two to four passages apiece)."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        paragraphs = []
        for paragraph in range(5):
            sentences = [
                f"Report {seed}-{number}-{paragraph}-{s} says the "
                + " ".join(rng.choice(WORDS) for _ in range(14))
                + " were discussed on Monday."
                for s in range(3)
            ]
            paragraphs.append(" ".join(sentences))
        (directory / f"report-{seed}-{number:03d}.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")


def expected_state(settings: Settings) -> tuple[set[str], int]:
    """(corpus files, passages) a complete index of the corpus holds."""
    corpus = settings.corpus_dir
    files = {path.relative_to(corpus).as_posix() for path in corpus_files(corpus)}
    passages = sum(
        len(chunk_article(article, min_words=settings.min_words, max_words=settings.max_words))
        for path in corpus_files(corpus)
        for article in read_corpus_file(path, corpus_dir=corpus).articles
    )
    return files, passages
