"""The composition root: one place that builds the core for ``serve``, ``chat`` and ``ask``.

:func:`build_core` loads the content, opens the store the settings name and builds the
conversation engine; :func:`serve` adds the front ends and runs the web server. Front ends
come from :mod:`bot.front_ends` (entry points), so nothing here names one.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from aiohttp import web

from bot.content import Content, load_content
from bot.conversation import Conversation
from bot.front_ends import FrontEnd, discover
from bot.redis_connect import RedisConnection, connect
from bot.server import build_app
from bot.settings import Settings
from bot.store import StateStore

log = logging.getLogger("ai_choice")


@dataclass
class Core:
    """Everything a front end builds on: settings, content, the store and the engine."""

    settings: Settings
    content: Content
    store: StateStore
    conversation: Conversation
    #: The connection behind the store, closed with the core (None when the caller owns it).
    connection: RedisConnection | None = None

    async def close(self) -> None:
        """Finish background work and close the store's connection."""
        await self.conversation.polls.drain()
        if self.connection is not None:
            await self.connection.close()


def build_core(
    settings: Settings,
    front_ends: Sequence[FrontEnd] | None = None,
    content: Content | None = None,
    connection: RedisConnection | None = None,
) -> Core:
    """The core on the store the settings name (embedded Valkey when none is set).

    ``front_ends`` (the registered ones by default) only lend a secret to derive the
    anonymous-poll key from when ``AI_CHOICE_SECRET`` is unset, so ``serve`` and ``chat``
    hash voters alike; ``content`` and ``connection`` default to the real ones.
    """
    front_ends = discover(settings.env) if front_ends is None else front_ends
    content = content or load_content()
    connection = connection or connect(settings)
    store = StateStore(connection.client, prefix=settings.key_prefix)
    poll_key = settings.poll_key(f.secret_material() for f in front_ends)
    conversation = Conversation(content, store, poll_secret=poll_key)
    return Core(settings, content, store, conversation, connection)


def build_web_app(core: Core, front_ends: Sequence[FrontEnd]) -> web.Application:
    """The web application with every enabled front end's routes and lifecycle hooks."""
    enabled = [f for f in front_ends if f.enabled]
    app = build_app(core.store, [(f, f.attach(core)) for f in enabled])
    for front_end in front_ends:
        log.info("%s", front_end.describe())
    for front_end in enabled:
        app.on_startup.append(_hook(front_end.start))
        app.on_cleanup.append(_hook(front_end.stop))
    return app


def _hook(step: Callable[[], Awaitable[None]]) -> Callable[[web.Application], Awaitable[None]]:
    async def run(_app: web.Application) -> None:
        await step()

    return run


async def serve(
    settings: Settings, front_ends: Sequence[FrontEnd] | None = None, loop_name: str = "asyncio"
) -> None:
    """Run the HTTP server until SIGINT or SIGTERM, then shut down cleanly (``loop_name``
    is the event loop it runs on, for the start-up log line)."""
    front_ends = discover(settings.env) if front_ends is None else front_ends
    core = build_core(settings, front_ends)
    app = build_web_app(core, front_ends)
    # No access log: the server already counts and times every front-end request, and a
    # log line per request costs more than the answer itself.
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    # Everything loaded so far lives as long as the process: keep it out of the garbage
    # collector's full passes, which otherwise add tens of milliseconds to unlucky requests.
    gc.freeze()
    log.info(
        "serving on http://%s:%s (state: %s; event loop: %s)",
        settings.host,
        settings.port,
        core.connection.description if core.connection else "external",
        loop_name,
    )
    # Poll deadlines: every replica sweeps; each close is claimed once in Redis. A server
    # that was down at a deadline closes the poll on its first sweep.
    sweeper = asyncio.create_task(core.conversation.polls.run_sweeper())
    # Timed reminders and bursts a stopped server left: each claimed once in Redis.
    reminders = asyncio.create_task(core.conversation.polls.reminders.run_sweeper())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    log.info("shutting down: finishing requests in flight")
    sweeper.cancel()
    reminders.cancel()
    await core.conversation.polls.reminders.stop()  # another server resumes them
    await runner.cleanup()
    await core.close()
