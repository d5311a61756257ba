"""Helpers for tests that edit a copy of the content or run the command line."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml


def edit(folder: Path, name: str, change: Callable[[Any], object]) -> None:
    """Load ``folder/name`` as YAML, apply ``change`` to it, write it back."""
    path = folder / name
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``ai-choice ARGS`` in a subprocess, with its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
