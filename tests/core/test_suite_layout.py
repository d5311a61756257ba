"""The test suite's own layout: shared helpers live in one place and every folder is a package.

A test module imported by another runs twice or drags its fixtures along; a folder without
``__init__.py`` has its conftest imported twice (as ``conftest`` and as ``tests.x.conftest``).
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _python_files() -> list[Path]:
    # tests/data holds fixtures, not test code (e.g. a toy front end put on PYTHONPATH).
    files = sorted(p for p in TESTS.rglob("*.py") if "data" not in p.relative_to(TESTS).parts)
    assert len(files) > 20, files
    return files


def test_no_module_imports_a_test_module() -> None:
    offenders = {
        f"{path.relative_to(TESTS)} imports {name}"
        for path in _python_files()
        for name in _imported_modules(path)
        if name.startswith("tests.") and name.rsplit(".", 1)[-1].startswith("test_")
    }
    assert offenders == set()


def test_every_test_folder_is_a_package() -> None:
    folders = {path.parent for path in _python_files()}
    assert len(folders) > 5, folders
    assert (
        sorted(str(f.relative_to(TESTS)) for f in folders if not (f / "__init__.py").exists()) == []
    )


def test_free_port_is_defined_once() -> None:
    defined = [
        str(path.relative_to(TESTS))
        for path in _python_files()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef) and node.name in {"free_port", "redis_process"}
    ]
    assert sorted(defined) == ["conftest.py", "net.py"]
