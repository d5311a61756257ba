"""A fresh clone has only the repository: nothing in it may read the workspace's shared/
folder (schemas, seed, tools) that sits beside the checkout on developers' machines."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

#: A path that climbs out of the checkout into the sibling folder named :data:`SIBLING`,
#: however written: a relative path, ``parent / NAME``, ``parents[1] / NAME`` or
#: ``os.path.join(.., NAME)``.
SIBLING = "sha" + "red"
OUTSIDE_SHARED = re.compile(
    r"""\.\./shared\b|parents?(\[\d+\])?\s*/\s*["']shared["']|["']\.\.["']\s*,\s*["']shared["']"""
)


def tracked_files(repo_root: Path) -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=repo_root, capture_output=True, check=False
    )
    if listed.returncode != 0:  # not a git checkout (an unpacked sdist): walk the tree
        return [
            p
            for p in repo_root.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.parts)
        ]
    return [repo_root / name for name in listed.stdout.decode().split("\0") if name]


def test_the_pattern_catches_each_way_of_writing_the_path() -> None:
    # Built from parts, so this file holds no such path itself.
    up, name = "..", SIBLING
    for text in (
        f'open("{up}/{name}/schemas/x.json")',
        f'repo_root.parent / "{name}" / "schemas"',
        f"Path(__file__).parents[2] / '{name}'",
        f'os.path.join(root, "{up}", "{name}")',
    ):
        assert OUTSIDE_SHARED.search(text), text
    assert not OUTSIDE_SHARED.search('Visibility.SHARED = "shared"')


def test_no_file_in_the_repository_refers_to_the_shared_folder_outside_it(
    repo_root: Path,
) -> None:
    this_file = Path(__file__).resolve()
    offenders = []
    files = tracked_files(repo_root)
    assert len(files) > 50, "the walk found the repository's files"
    for path in files:
        if path.resolve() == this_file or not path.exists():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, IsADirectoryError):
            continue  # images and other binaries
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE_SHARED.search(line):
                offenders.append(f"{path.relative_to(repo_root)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_schemas_the_tests_validate_against_are_in_the_repository(repo_root: Path) -> None:
    schemas = repo_root / "tests" / "data" / "schemas"
    for name in ("adaptive-card-1.5.json", "teams-manifest.schema.json", "SOURCE.txt"):
        assert (schemas / name).is_file(), name
    assert "commit" in (schemas / "SOURCE.txt").read_text(encoding="utf-8")
