"""Dependencies point one way: the library never imports the front ends' libraries."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

UI_LIBRARIES = ("textual", "typer", "rich")
LIBRARY_MODULES = [
    "qa.models",
    "qa.config",
    "qa.config_file",
    "qa.locations",
    "qa.progress",
    "qa.filters",
    "qa.errors",
    "qa.ingest",
    "qa.passages",
    "qa.embed",
    "qa.store.base",
    "qa.store.index",
    "qa.store.ranking",
    "qa.store.milvus",
    "qa.store.migrate",
    "qa.answer",
    "qa.engine",
]


def modules_loaded_by(module: str, candidates: tuple[str, ...]) -> list[str]:
    """Which of `candidates` are in sys.modules after importing `module` in a fresh interpreter."""
    code = (
        f"import json, sys; import {module}; "
        f"print(json.dumps([name for name in {list(candidates)!r} if name in sys.modules]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("module", LIBRARY_MODULES)
def test_the_library_does_not_import_ui_libraries(module):
    assert modules_loaded_by(module, UI_LIBRARIES) == []


@pytest.mark.parametrize("module", ["qa.engine", "qa.cli"])
def test_the_embedding_model_stack_is_imported_only_when_needed(module):
    # `qa --help` and `qa status` stay fast: torch and sentence-transformers load with the model,
    # pymilvus only with the Milvus backend.
    assert modules_loaded_by(module, ("torch", "sentence_transformers", "textual", "pymilvus")) == []


def test_the_probe_sees_what_a_module_imports():
    # Guards the helper: a module that does import typer is reported as importing it.
    assert "typer" in modules_loaded_by("qa.cli", UI_LIBRARIES)
