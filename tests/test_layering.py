"""Dependencies point one way: the library never imports the front ends' libraries."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

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
    "qa.store.reading",
    "qa.store.writing",
    "qa.store.build",
    "qa.store.index",
    "qa.store.ranking",
    "qa.store.milvus",
    "qa.store.migrate",
    "qa.attribution",
    "qa.summary",
    "qa.corroboration",
    "qa.answer",
    "qa.engine",
]


def modules_loaded_by(module: str, candidates: tuple[str, ...]) -> list[str]:
    """Which of `candidates` are in sys.modules after importing `module` in a fresh interpreter."""
    code = (
        f"import json, sys; import {module}; "
        f"print(json.dumps([name for name in {list(candidates)!r} if name in sys.modules]))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
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


PACKAGE = Path(__file__).resolve().parents[1] / "qa"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of_package() -> dict[str, set[str]]:
    """Each qa module's imports of other qa modules, wherever they are written: at the top, under
    TYPE_CHECKING or inside a function (a late import still ties the two modules together)."""
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found |= {
                    f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in modules else node.module
                    for alias in node.names
                }
        graph[name] = {each for each in found if each in modules and each != name}
    return graph


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in sorted(graph[module]):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return circles


def test_the_package_has_no_import_circle():
    assert import_circles(imports_of_package()) == []


def test_the_circle_check_sees_a_circle():
    # Guards the check: two modules importing each other (even late) are one circle.
    assert import_circles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
