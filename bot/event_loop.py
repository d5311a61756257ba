"""Which event loop ``serve`` runs on: asyncio's own, or uvloop when asked for.

uvloop (libuv under asyncio's API) is a drop-in replacement; ``bench/run.py --event-loop
both`` measures it beside asyncio's loop on every path. On this project it does not win:
no change for the slash command, and more CPU per request where the bot also calls out
over HTTP (a vote's private confirmation, a Teams reply: about a third and a sixth more,
issue 15). So asyncio's loop is the default, and ``AI_CHOICE_EVENT_LOOP=uvloop`` (with
uvloop installed: ``pip install 'ai-choice[uvloop]'``) is there to measure it again.
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TypeVar

T = TypeVar("T")

#: The variable that picks the loop: ``asyncio`` (the default) or ``uvloop``.
VARIABLE = "AI_CHOICE_EVENT_LOOP"
CHOICES = ("asyncio", "uvloop")


class EventLoopError(ValueError):
    """The variable names a loop that does not exist or is not installed."""


def chosen(env: Mapping[str, str]) -> str:
    """The loop ``env`` asks for: ``asyncio`` or ``uvloop``."""
    wanted = env.get(VARIABLE, "").strip().lower() or "asyncio"
    if wanted not in CHOICES:
        raise EventLoopError(f"{VARIABLE} must be one of {', '.join(CHOICES)}, not {wanted!r}")
    if wanted == "uvloop" and importlib.util.find_spec("uvloop") is None:
        raise EventLoopError(f"{VARIABLE}=uvloop but uvloop is not installed")
    return wanted


def loop_factory(name: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """What builds the loop called ``name`` (None: asyncio's default)."""
    if name != "uvloop":
        return None
    import uvloop

    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def run(main: Coroutine[Any, Any, T], name: str) -> T:
    """``asyncio.run(main)`` on the loop called ``name``."""
    with asyncio.Runner(loop_factory=loop_factory(name)) as runner:
        return runner.run(main)
