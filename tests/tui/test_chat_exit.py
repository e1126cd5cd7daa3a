"""`qa chat` tells its caller when the app ended on an error: a real subprocess, a real Textual failure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HANG_GUARD_SECONDS = 120
"""A bound so a broken run fails instead of hanging; never a timing assertion."""


def test_qa_chat_exits_non_zero_when_the_app_ends_on_an_error(tmp_path: Path):
    """With its standard input closed, Textual's driver fails inside the app (sys.__stdin__ is None)."""
    qa = Path(sys.executable).parent / "qa"
    command = [str(qa), "chat", "--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "index")]
    result = subprocess.run(
        ["sh", "-c", 'exec "$@" <&-', "sh", *command],
        capture_output=True,
        text=True,
        errors="replace",
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "QA_HISTORY": str(tmp_path / "history"),
            "HF_HUB_OFFLINE": "1",
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        },
        timeout=HANG_GUARD_SECONDS,
        check=False,
    )
    assert "Traceback" in result.stderr or "Error" in result.stderr
    assert result.returncode == 1
