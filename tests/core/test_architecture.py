"""The layering the project promises: a neutral core, adapters that don't know each other,
and every botbuilder import inside adapters/teams/ (so a move to its successor SDK touches
that folder alone)."""

from __future__ import annotations

import ast
from pathlib import Path

PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "microsoft_agents")
COMPOSITION_ROOT = "bot/cli.py"


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def python_files(root: Path, folder: str) -> list[Path]:
    return sorted((root / folder).rglob("*.py"))


def test_the_core_imports_no_platform_sdk_and_no_adapter(repo_root: Path) -> None:
    offenders = []
    for path in python_files(repo_root, "bot"):
        if path.relative_to(repo_root).as_posix() == COMPOSITION_ROOT:
            continue
        for module in imports(path):
            if module.split(".")[0] in (*PLATFORM_SDKS, "adapters"):
                offenders.append(f"{path.relative_to(repo_root)}: {module}")
    assert offenders == []


def test_botbuilder_is_imported_only_inside_adapters_teams(repo_root: Path) -> None:
    offenders = []
    for folder in ("bot", "adapters", "tests", "bench"):
        for path in python_files(repo_root, folder) if (repo_root / folder).exists() else []:
            relative = path.relative_to(repo_root).as_posix()
            if relative.startswith(("adapters/teams/", "tests/teams/")):
                continue
            for module in imports(path):
                if module.split(".")[0] in ("botbuilder", "botframework"):
                    offenders.append(f"{relative}: {module}")
    assert offenders == []


def test_adapters_do_not_import_each_other(repo_root: Path) -> None:
    adapters = [p.name for p in (repo_root / "adapters").iterdir() if (p / "__init__.py").exists()]
    offenders = []
    for name in adapters:
        for path in python_files(repo_root, f"adapters/{name}"):
            for module in imports(path):
                parts = module.split(".")
                if parts[0] == "adapters" and len(parts) > 1 and parts[1] != name:
                    offenders.append(f"{path.relative_to(repo_root)}: {module}")
    assert offenders == []
