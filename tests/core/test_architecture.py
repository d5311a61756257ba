"""The layering the project promises: a neutral core, adapters that don't know each other,
and every botbuilder import inside adapters/teams/ (so a move to its successor SDK touches
that folder alone)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "microsoft_agents")
#: Words that name a platform, in identifiers and in string literals of the core.
PLATFORM_WORDS = re.compile(r"slack|msteams|microsoft|botframework|botbuilder", re.IGNORECASE)
#: "teams" as a platform (an identifier part, the product name, a label) but not the plain
#: English word in wording such as "remote teams" (which lives in content/ anyway).
TEAMS_WORD = re.compile(r"(?:^|_)teams(?:_|$)|\bTeams\b|^teams$")


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
        for module in imports(path):
            if module.split(".")[0] in (*PLATFORM_SDKS, "adapters"):
                offenders.append(f"{path.relative_to(repo_root)}: {module}")
    assert offenders == []


#: The benchmark's baseline: a bare botbuilder bot that is not ours, measured beside ours.
BARE_BOTBUILDER_BASELINE = "bench/bare_botbuilder_app.py"


def test_botbuilder_is_imported_only_inside_adapters_teams(repo_root: Path) -> None:
    offenders = []
    for folder in ("bot", "adapters", "tests", "bench"):
        for path in python_files(repo_root, folder) if (repo_root / folder).exists() else []:
            relative = path.relative_to(repo_root).as_posix()
            if relative.startswith(("adapters/teams/", "tests/teams/")):
                continue
            if relative == BARE_BOTBUILDER_BASELINE:
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


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string constants that are docstrings (and so may name anything)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
        # attribute docstrings: a string expression right after an assignment
        for field in ("body", "orelse"):
            statements = getattr(node, field, None)
            for statement in statements if isinstance(statements, list) else []:
                if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                    found.add(id(statement.value))
    return found


def platform_names(source: str) -> list[str]:
    """Identifiers and non-docstring strings in ``source`` that name a platform."""
    tree = ast.parse(source)
    skip = docstrings(tree)
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Name):
            names = [node.id]
        elif isinstance(node, ast.Attribute):
            names = [node.attr]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names = [node.name]
        elif isinstance(node, ast.arg):
            names = [node.arg]
        elif isinstance(node, ast.alias):
            names = [node.name, node.asname or ""]
        elif isinstance(node, ast.keyword) and node.arg:
            names = [node.arg]
        elif (
            isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
        ):
            names = [node.value]
        for name in names:
            if PLATFORM_WORDS.search(name) or TEAMS_WORD.search(name):
                found.append(f"{getattr(node, 'lineno', '?')}: {name[:60]!r}")
    return found


def test_the_check_finds_platform_names_and_ignores_docstrings_and_plain_words() -> None:
    named = """
def slack_mount(teams_settings):
    \"\"\"Docstrings may say Slack and Microsoft Teams.\"\"\"
    route = "/api/messages" if x else "msteams"
    return {"platform": "teams", "Bot": "Microsoft"}
"""
    hits = " ".join(platform_names(named))
    for word in ("slack_mount", "teams_settings", "msteams", "'teams'", "Microsoft"):
        assert word in hits, word
    assert "Docstrings" not in hits
    assert platform_names('advice = "for remote teams and small businesses"') == []


def test_the_core_names_no_platform(repo_root: Path) -> None:
    offenders = []
    for path in python_files(repo_root, "bot"):
        for hit in platform_names(path.read_text()):
            offenders.append(f"{path.relative_to(repo_root)}:{hit}")
    for path in sorted((repo_root / "bot").glob("*.lua")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("--", 1)[0]
            if PLATFORM_WORDS.search(code) or TEAMS_WORD.search(code):
                offenders.append(f"{path.relative_to(repo_root)}:{number}")
    assert offenders == []


def _reads_kind(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "kind"


def _kind_decisions(tree: ast.AST) -> list[int]:
    """Lines where code decides something from a reply's ``kind``: compares it, calls a
    string method on it, or looks it up in a table."""
    lines = set()
    for node in ast.walk(tree):
        compares = isinstance(node, ast.Compare) and any(map(_reads_kind, ast.walk(node)))
        string_method = isinstance(node, ast.Attribute) and _reads_kind(node.value)
        indexed = isinstance(node, ast.Subscript) and any(map(_reads_kind, ast.walk(node.slice)))
        looked_up = (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and any(map(_reads_kind, node.args))
        )
        if compares or string_method or indexed or looked_up:
            lines.add(getattr(node, "lineno", 0))
    return sorted(lines)


def test_adapters_never_decide_from_a_reply_kind(repo_root: Path) -> None:
    # Where a platform needs to know (shared, a new poll, a note's tone), the Reply says so
    # in a field; the kind is for tests and logs.
    offenders = []
    for path in python_files(repo_root, "adapters"):
        tree = ast.parse(path.read_text(), filename=str(path))
        offenders += [f"{path.relative_to(repo_root)}:{line}" for line in _kind_decisions(tree)]
    assert offenders == []
