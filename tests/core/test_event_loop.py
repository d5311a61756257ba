"""``serve`` runs on uvloop when it is installed, on asyncio's loop when told or when it is
not, and refuses a loop it does not know with a clear line instead of a traceback."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import event_loop

AI_CHOICE = Path(sys.executable).parent / "ai-choice"
HAS_UVLOOP = importlib.util.find_spec("uvloop") is not None


async def _loop_module() -> str:
    return type(asyncio.get_running_loop()).__module__


def test_asking_for_asyncio_runs_asyncio_s_own_loop() -> None:
    name = event_loop.chosen({"AI_CHOICE_EVENT_LOOP": "asyncio"})
    assert name == "asyncio"
    assert event_loop.run(_loop_module(), name).startswith("asyncio")


@pytest.mark.skipif(not HAS_UVLOOP, reason="uvloop (the 'fast' extra) is not installed")
def test_by_default_uvloop_runs_when_installed() -> None:
    name = event_loop.chosen({})
    assert name == "uvloop"
    assert event_loop.run(_loop_module(), name).startswith("uvloop")


@pytest.mark.parametrize("value", ["tokio", "uv loop", "1"])
def test_an_unknown_loop_is_refused(value: str) -> None:
    with pytest.raises(event_loop.EventLoopError, match="AI_CHOICE_EVENT_LOOP"):
        event_loop.chosen({"AI_CHOICE_EVENT_LOOP": value})


def test_serve_with_an_unknown_loop_says_so_and_exits_2() -> None:
    env = {**os.environ, "AI_CHOICE_EVENT_LOOP": "tokio", "PORT": "1"}
    done = subprocess.run(
        [str(AI_CHOICE), "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "AI_CHOICE_EVENT_LOOP must be one of auto, uvloop, asyncio" in done.stderr
    assert "Traceback" not in done.stderr
