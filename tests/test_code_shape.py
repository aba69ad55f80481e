"""The shape the code keeps (issue 13): no code file over 400 lines, no function over 60
lines, no private name of the project used across modules. Read from the sources (ast), so
that a file growing past the limit fails here, not in a reviewer's memory.

Tests, migrations and data files are outside these limits; the import layers themselves are
checked by import-linter (pyproject.toml, run by .ci/run).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portal", "forms_app", "documents", "home", "demo", "bench")
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60


def _code_files() -> list[Path]:
    files = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                files.append(path)
    return files


CODE_FILES = _code_files()
TEST_FILES = sorted((ROOT / "tests").rglob("*.py"))
PROJECT_MODULES = {
    ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for path in CODE_FILES + TEST_FILES
}


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _project_module(name: str | None) -> bool:
    return bool(name) and name.split(".")[0] in (*PACKAGES, "tests")


def test_the_project_is_found():
    assert len(CODE_FILES) > 100
    assert "documents.models" in PROJECT_MODULES


@pytest.mark.parametrize("path", CODE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_file_and_functions_stay_short(path: Path):
    source = path.read_text()
    lines = source.count("\n")
    assert lines <= MAX_FILE_LINES, f"{lines} lignes (au plus {MAX_FILE_LINES})"
    long_functions = [
        f"{node.name} (ligne {node.lineno}) : {node.end_lineno - node.lineno + 1} lignes"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long_functions


def _private_uses(tree: ast.Module) -> list[str]:
    """The project's private names this module takes from another module: ``from m import
    _x``, and ``m._x`` where ``m`` is a project module imported by name."""
    uses, modules = [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _project_module(node.module):
            for alias in node.names:
                if _is_private(alias.name):
                    uses.append(f"from {node.module} import {alias.name}")
                elif f"{node.module}.{alias.name}" in PROJECT_MODULES:
                    modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _project_module(alias.name) and alias.asname:
                    modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and _is_private(node.attr)
        ):
            uses.append(f"{modules[node.value.id]}.{node.attr}")
    return uses


@pytest.mark.parametrize("path", CODE_FILES + TEST_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_name_crosses_modules(path: Path):
    assert not _private_uses(ast.parse(path.read_text()))


def test_the_private_check_sees_both_forms():
    tree = ast.parse(
        "from documents.models import _hidden\n"
        "from documents import models\n"
        "models._other()\n"
        "from django.db import models as m\n"
        "m._meta\n"
    )
    assert _private_uses(tree) == [
        "from documents.models import _hidden",
        "documents.models._other",
    ]
