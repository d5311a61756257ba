"""The aiohttp server every front end mounts on: health, readiness and metrics routes.

Front ends add their own routes through *mounts* handed in by the composition root
(:mod:`bot.cli`); this module knows no platform.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from bot.store import StateStore

log = logging.getLogger(__name__)

#: Adds a front end's routes (and start-up/clean-up hooks) to the application.
Mount = Callable[[web.Application], None]

STORE_KEY: web.AppKey[StateStore] = web.AppKey("store", StateStore)


async def _healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def _readyz(request: web.Request) -> web.Response:
    if await request.app[STORE_KEY].ping():
        return web.json_response({"status": "ready"})
    return web.json_response({"status": "redis unreachable"}, status=503)


async def _metrics(_request: web.Request) -> web.Response:
    body = generate_latest(REGISTRY)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def build_app(store: StateStore, mounts: Sequence[Mount] = ()) -> web.Application:
    """The web application: health routes plus whatever the mounts add."""
    app = web.Application(client_max_size=1024 * 1024)
    app[STORE_KEY] = store
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/readyz", _readyz)
    app.router.add_get("/metrics", _metrics)
    for mount in mounts:
        mount(app)
    return app
