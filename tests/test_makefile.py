"""`make run` says what each set-up step costs, and TORCH_INDEX_URL reaches the torch step only.

Read with `make -n` (print the commands, run nothing) and `-W pyproject.toml` (as if it had
changed, so the set-up steps are due).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def planned(*variables: str) -> list[str]:
    result = subprocess.run(
        ["make", "-n", "-W", "pyproject.toml", "run", *variables],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def test_each_setup_step_announces_its_size_and_time():
    steps = [line for line in planned() if line.startswith('echo "') and "/4 " in line]
    assert len(steps) == 4
    for step in steps:
        assert " MB" in step or " GB" in step, step
        assert "second" in step or "minute" in step, step


def test_the_torch_index_url_goes_to_the_torch_step_only():
    default = [line for line in planned() if "pip install" in line]
    assert not any("--index-url" in line for line in default)
    cpu = "https://download.pytorch.org/whl/cpu"
    installs = [line for line in planned(f"TORCH_INDEX_URL={cpu}") if "pip install" in line]
    assert [line for line in installs if "--index-url" in line] == [
        f'.venv/bin/python -m pip install --quiet --index-url "{cpu}" "torch==2.13.0"'
    ]


def test_make_run_uses_the_repository_archive_whatever_the_config_says():
    commands = [line for line in planned() if line.startswith(".venv/bin/qa ")]
    archive = f'--corpus "{REPO}/corpus" --index "{REPO}/index"'
    assert commands == [f".venv/bin/qa index {archive}", f".venv/bin/qa chat {archive}"]
