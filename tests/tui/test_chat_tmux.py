"""End to end: the real `qa chat` command in a real terminal (tmux), driven by keys, read from the pane.

Skipped, saying why, where tmux is not installed. Polls are bounded so a broken app fails, never hangs.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

SEED_QUESTION = "Who denied sales to Russia?"
WAIT_SECONDS = 240
"""Upper bound for each step (a cold model load on a busy machine); never a timing assertion."""

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed: the end-to-end `qa chat` run needs it"
)


class Pane:
    """One tmux server of our own (-L socket), one session, one pane."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False)

    def capture(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "chat").stdout

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "chat", *keys)

    def text(self, text: str) -> None:
        self.tmux("send-keys", "-t", "chat", "-l", text)

    def wait_gone(self, needle: str) -> None:
        """Wait until `needle` has left the pane (a closed screen), so the next keys are not taken with it."""
        deadline = time.monotonic() + WAIT_SECONDS
        while needle in self.capture():
            assert time.monotonic() < deadline, f"{needle!r} never went away"
            time.sleep(0.2)

    def title(self) -> str:
        """The pane's title, which an OSC 0/2 sequence written raw would change."""
        return self.tmux("display-message", "-p", "-t", "chat", "#{pane_title}").stdout.strip()

    def alive(self) -> bool:
        return self.tmux("has-session", "-t", "chat").returncode == 0

    def wait_still(self, quiet: float = 1.0) -> str:
        """Wait until the pane has not changed for `quiet` seconds (a screen done opening) and return it."""
        deadline = time.monotonic() + WAIT_SECONDS
        screen, since = self.capture(), time.monotonic()
        while time.monotonic() - since < quiet:
            assert time.monotonic() < deadline, f"the pane never settled; it shows:\n{screen}"
            time.sleep(0.1)
            now = self.capture()
            if now != screen:
                screen, since = now, time.monotonic()
        return screen

    def press_until(self, key: str, shown: Callable[[str], bool], *, patience: float = 10.0) -> str:
        """Press `key` until `shown(pane)` holds, waiting after each press for the pane to change (up to
        `patience` seconds). Fails when three presses in a row change nothing (the end of what `key` moves
        through) or after WAIT_SECONDS, showing the pane."""
        deadline = time.monotonic() + WAIT_SECONDS
        screen, unmoved = self.capture(), 0
        while not shown(screen):
            assert unmoved < 3 and time.monotonic() < deadline, f"{key} never showed it; the pane shows:\n{screen}"
            self.keys(key)
            pressed = time.monotonic()
            while (now := self.capture()) == screen and time.monotonic() - pressed < patience:
                time.sleep(0.1)
            unmoved = unmoved + 1 if now == screen else 0
            screen = now
        return screen

    def wait_for(self, needle: str) -> str:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            screen = self.capture()
            if needle in screen:
                return screen
            time.sleep(0.5)
        raise AssertionError(f"{needle!r} never appeared; the pane shows:\n{self.capture()}")


@pytest.fixture
def pane(tmp_path):
    pane = Pane(f"qa-test-{os.getpid()}-{tmp_path.name}")  # one server per test, even across parallel workers
    yield pane
    pane.tmux("kill-server")


def _chat_command(settings, history: Path, *, folder: Path | None = None) -> str:
    """`qa chat` on `settings`' corpus and index, run from `folder` (default: the test's own)."""
    qa = Path(sys.executable).parent / "qa"
    return shlex.join(
        [
            "env",
            "-C",
            str(folder or Path.cwd()),
            "-u",  # set by the test session; they would pin the app to 80x24 instead of the pane's size
            "COLUMNS",
            "-u",
            "LINES",
            "HF_HUB_OFFLINE=1",
            "TRANSFORMERS_OFFLINE=1",
            f"QA_HISTORY={history}",
            f"QA_EXPORT_DIR={history.parent / 'exports'}",
            f"XDG_CONFIG_HOME={history.parent / 'config'}",
            f"XDG_DATA_HOME={history.parent / 'data'}",
            str(qa),
            "chat",
            "--corpus",
            str(settings.corpus_dir),
            "--index",
            str(settings.index_dir),
        ]
    )


def test_qa_chat_in_tmux_answers_the_seed_question_with_attributed_cards(pane: Pane, seed_settings, tmp_path: Path):
    history = tmp_path / "history"
    command = _chat_command(seed_settings, history)
    started = pane.tmux("new-session", "-d", "-s", "chat", "-x", "120", "-y", "60", command)
    assert started.returncode == 0, started.stderr
    pane.wait_for("Ready · ")
    pane.text(SEED_QUESTION)
    pane.keys("Enter")
    pane.wait_for("passages for: Who denied sales to Russia?")
    screen = pane.wait_for("relevance ●")
    assert f"Q: {SEED_QUESTION}" in screen
    assert "The Kyiv Independent · 11 Feb 2024" in screen
    assert "Forbes · 11 Feb 2024   via The America One News · 31 May 2025" in screen

    pane.keys("Tab")
    pane.keys("Enter")
    reading = pane.wait_for("qa — reading")
    assert "The Kyiv Independent · 11 Feb 2024" in reading.splitlines()[1]
    pane.keys("Escape")
    pane.wait_for("^t Timeline")

    pane.keys("C-q")
    deadline = time.monotonic() + WAIT_SECONDS
    while pane.alive() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not pane.alive(), "ctrl+q did not end `qa chat`"
    assert history.read_text(encoding="utf-8").splitlines() == [SEED_QUESTION]


def test_a_question_recalled_from_a_hostile_history_file_never_retitles_the_terminal(
    pane: Pane, seed_settings, tmp_path: Path
):
    history = tmp_path / "history"
    history.write_bytes(b"\x1b]2;pwned-title\x07who said it \xff\n")
    started = pane.tmux(
        "new-session", "-d", "-s", "chat", "-x", "120", "-y", "40", _chat_command(seed_settings, history)
    )
    assert started.returncode == 0, started.stderr
    pane.wait_for("Ready · ")
    pane.keys("Up")
    recalled = "\u241b]2;pwned-title\u2407who said it \ufffd"
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        screen, title = pane.capture(), pane.title()
        if recalled in screen or "pwned" in title:
            break
        time.sleep(0.5)
    assert "pwned" not in title, "the recalled question retitled the terminal"
    assert recalled in screen
    pane.keys("C-q")


@pytest.mark.model  # the chat's ctrl+o worker embeds the articles with the real model
def test_qa_chat_from_an_empty_folder_welcomes_adds_with_ctrl_o_and_answers(pane: Pane, tmp_path: Path):
    from qa.config import BUNDLED_MODEL, Settings
    from tests.support.seeds import copy_seed_corpus

    empty = tmp_path / "empty"
    empty.mkdir()
    articles = copy_seed_corpus(tmp_path / "downloads")
    settings = Settings(corpus_dir=empty / "corpus", index_dir=empty / "index", model=BUNDLED_MODEL)
    command = _chat_command(settings, tmp_path / "history", folder=empty)
    started = pane.tmux("new-session", "-d", "-s", "chat", "-x", "80", "-y", "24", command)
    assert started.returncode == 0, started.stderr
    welcome = pane.wait_for("Welcome to qa")
    assert "Traceback" not in welcome and "Error" not in welcome
    pane.keys("C-o")
    pane.text(str(articles))  # typed straight after the shortcut: the prompt must get every key
    pane.keys("Enter")
    pane.wait_for("Ready · 13 passages indexed")
    pane.keys("F1")
    help_screen = pane.wait_for("Question line")
    assert "ctrl+f" in help_screen and "Anywhere" in help_screen
    pane.keys("Escape")
    pane.wait_gone("Question line")  # else the terminal reads Escape and the next letter as one alt+key
    pane.text(SEED_QUESTION)
    pane.keys("Enter")
    pane.wait_for(f"passages for: {SEED_QUESTION}")  # at 80x24 the summary fills the view above the cards
    pane.keys("Down")  # into the cards: the best card first
    pane.keys("Enter")
    pane.wait_for("qa — reading")
    pane.wait_still()  # opened and scrolled to the passage: a Home sent before that scroll would be undone by it
    pane.press_until("Home", _shows_the_metadata)  # the metadata, above the passage the screen opened at
    reading = pane.press_until("Down", lambda screen: "Also published by" in screen)
    labels = [line.strip() for line in reading.splitlines() if line.strip().startswith(("Also published by", "URL"))]
    assert labels and all("  " in label for label in labels), labels  # each label stands apart from its value
    pane.keys("Escape", "Escape")
    pane.keys("C-q")


def _shows_the_metadata(screen: str) -> bool:
    """The reading screen's metadata grid is in view: its first row, the article's Title."""
    return any(line.strip().startswith("Title  ") for line in screen.splitlines())


def test_twenty_questions_typed_ahead_in_a_real_terminal_are_each_asked_once_in_order(
    pane: Pane, seed_settings, tmp_path: Path
):
    history = tmp_path / "history"
    started = pane.tmux(
        "new-session", "-d", "-s", "chat", "-x", "100", "-y", "30", _chat_command(seed_settings, history)
    )
    assert started.returncode == 0, started.stderr
    pane.wait_for("Ready · ")
    questions = [f"question number {number} who sold Starlink" for number in range(1, 21)]
    for question in questions:
        pane.text(question)
        pane.keys("Enter")
    pane.wait_for(f"for: {questions[-1]}")  # "passages for: …" or "No answer for: …": asked, whatever the answer
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline and len(history.read_text(encoding="utf-8").splitlines()) < len(questions):
        time.sleep(0.5)
    assert history.read_text(encoding="utf-8").splitlines() == questions
    pane.keys("C-q")
