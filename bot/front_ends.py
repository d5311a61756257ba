"""How a front end plugs into the core: what it declares, and how the core finds it.

A front end is a package under ``adapters/`` (or in another distribution) that exposes one
:class:`FrontEnd` subclass and registers it in its ``pyproject.toml``::

    [project.entry-points."ai_choice.front_ends"]
    echo = "echo_front_end:EchoFrontEnd"

The core discovers every registered front end through that entry-point group (as errbot
finds its backends and opsdroid its connectors) and never names one: it hands each the
environment, asks which variables it reads, which HTTP routes it serves, which command-line
subcommands it adds, and starts and stops it with the server. Every route a front end
serves gets the request id, metrics and the 500 guard from :mod:`bot.server`.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from aiohttp import web

    from bot.core import Core

log = logging.getLogger(__name__)

#: The entry-point group front ends register under.
ENTRY_POINT_GROUP = "ai_choice.front_ends"

Handler = Callable[["web.Request"], Awaitable["web.StreamResponse"]]

#: The label of a request whose handler reported no kind (refused before it was read).
UNVERIFIED = "unverified"
#: Labels any front end may report besides its own kinds: a body that could not be read,
#: a caller that could not be verified.
MALFORMED = "malformed"
UNAUTHORIZED = "unauthorized"
ALWAYS_KNOWN = frozenset({MALFORMED, UNAUTHORIZED})


class FrontEndError(ValueError):
    """A front end's settings do not make a usable combination (said at start-up)."""


@dataclass(frozen=True, slots=True)
class Variable:
    """An environment variable a front end reads."""

    name: str
    meaning: str
    #: Credentials: kept in a Secret, never in a ConfigMap, an image or a log.
    secret: bool = False


@dataclass(frozen=True, slots=True)
class Route:
    """One HTTP route a front end serves on the bot's web server."""

    method: str
    path: str
    handler: Handler


#: The kind of the request being answered, as its handler found it once the request was
#: verified and parsed (``REQUEST_KIND.set("block_actions")``). The server sets it to
#: ``unverified`` as each request arrives and labels its metrics with it, so nothing but
#: the handler reads a body. A context variable, like the request id: setting it runs
#: none of the core's code on the request path.
REQUEST_KIND: ContextVar[str] = ContextVar("ai_choice_request_kind", default=UNVERIFIED)


class FrontEnd:
    """What every front end provides. The defaults do nothing, so a front end overrides
    only what it has: a chat platform has routes, the terminal has a subcommand."""

    #: The platform name its events carry (``Actor.platform``) and metrics are labelled with.
    platform: ClassVar[str] = ""
    #: Every environment variable it reads; deployment files and docs are checked against it.
    variables: ClassVar[tuple[Variable, ...]] = ()
    #: The request kinds its handlers report in :data:`REQUEST_KIND`.
    request_kinds: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, env: Mapping[str, str]) -> None:
        """Read this front end's own settings from ``env``. Never raises: a combination
        that cannot work is reported by :meth:`attach`, so commands that do not serve
        (``--help``, building a package) work with any environment."""

    @property
    def enabled(self) -> bool:
        """True when the settings switch this front end on (it then serves its routes)."""
        return False

    def describe(self) -> str:
        """One line for the start-up log: on or off, and why. No secrets."""
        return f"{self.platform}: {'on' if self.enabled else 'off'}"

    def secret_material(self) -> str | None:
        """A secret of this front end's the core may derive its own keys from when
        ``AI_CHOICE_SECRET`` is unset (anonymous poll voter hashes)."""
        return None

    def attach(self, core: Core) -> Sequence[Route]:
        """Build on the core (register ports, open clients lazily) and return the routes to
        serve. Called once, before the server starts, only when :attr:`enabled`; raises
        :class:`FrontEndError` when the settings cannot work."""
        return ()

    async def start(self) -> None:
        """Called when the server has started (the event loop is running)."""

    async def stop(self) -> None:
        """Called on shutdown: finish work in flight, close clients."""

    def add_commands(self, commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        """Add this front end's command-line subcommands; each sets ``handler`` to a
        function of the parsed arguments returning the exit code."""


FrontEndFactory = Callable[[Mapping[str, str]], FrontEnd]


def registered_factories(group: str = ENTRY_POINT_GROUP) -> dict[str, FrontEndFactory]:
    """Every front end registered under ``group``, by entry-point name, not yet built."""
    found: dict[str, FrontEndFactory] = {}
    for point in sorted(entry_points(group=group), key=lambda p: p.name):
        try:
            factory = point.load()
        except Exception:
            log.exception("front end %r could not be loaded; skipping it", point.name)
            continue
        if not (isinstance(factory, type) and issubclass(factory, FrontEnd)):
            log.error("front end %r is not a FrontEnd subclass; skipping it", point.name)
            continue
        found[point.name] = factory
    return found


def discover(
    env: Mapping[str, str], factories: Mapping[str, FrontEndFactory] | None = None
) -> list[FrontEnd]:
    """Every registered front end, built from ``env``."""
    chosen = registered_factories() if factories is None else factories
    return [factory(env) for factory in chosen.values()]


def all_variables(front_ends: Iterable[FrontEnd]) -> tuple[Variable, ...]:
    """The variables every front end reads, in order, without repeats."""
    seen: dict[str, Variable] = {}
    for front_end in front_ends:
        for variable in front_end.variables:
            seen.setdefault(variable.name, variable)
    return tuple(seen.values())
