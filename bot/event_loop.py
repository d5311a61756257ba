"""Which event loop ``serve`` runs on: uvloop when it is installed, else asyncio's own.

uvloop (libuv under asyncio's API) is a drop-in replacement that makes the per-request
work of the event loop and its sockets cheaper; the bench (``bench/run.py``) measures it
on every path. It is an optional dependency (``pip install 'ai-choice[fast]'``): without
it, or with ``AI_CHOICE_EVENT_LOOP=asyncio``, the standard loop runs, and nothing else
changes.
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TypeVar

T = TypeVar("T")

#: The variable that picks the loop: ``auto`` (the default), ``uvloop`` or ``asyncio``.
VARIABLE = "AI_CHOICE_EVENT_LOOP"
CHOICES = ("auto", "uvloop", "asyncio")


class EventLoopError(ValueError):
    """The variable names a loop that does not exist or is not installed."""


def chosen(env: Mapping[str, str]) -> str:
    """The loop ``env`` asks for, resolved: ``uvloop`` or ``asyncio``."""
    wanted = env.get(VARIABLE, "").strip().lower() or "auto"
    if wanted not in CHOICES:
        raise EventLoopError(f"{VARIABLE} must be one of {', '.join(CHOICES)}, not {wanted!r}")
    installed = importlib.util.find_spec("uvloop") is not None
    if wanted == "uvloop" and not installed:
        raise EventLoopError(f"{VARIABLE}=uvloop but uvloop is not installed")
    if wanted == "asyncio" or not installed:
        return "asyncio"
    return "uvloop"


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
