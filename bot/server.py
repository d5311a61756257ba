"""The aiohttp server every front end mounts on: health, readiness and metrics routes.

Front ends add their own routes through *mounts* handed in by the composition root
(:mod:`bot.cli`); this module knows no platform.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from collections.abc import Set as AbstractSet

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from bot.logging_setup import request_id
from bot.metrics import ACK_SECONDS, ERRORS, REQUESTS
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


#: Which platform each front-end route serves, for metrics and logs.
PLATFORM_ROUTES = {"/slack/events": "slack", "/api/messages": "teams"}

#: Where a front end notes, once it has verified and read a request, what kind it was.
_REQUEST_KIND: web.RequestKey[str] = web.RequestKey("request_kind", str)
#: The label of a request no front end vouched for: refused before or while verifying.
UNVERIFIED = "unverified"
#: The label of a verified request whose body the front end could not read.
MALFORMED = "malformed"


def note_request_kind(request: web.Request, kind: str, known: AbstractSet[str]) -> None:
    """Label ``request`` in metrics as ``kind``: one of ``known`` (the front end's fixed
    set, which keeps labels bounded), :data:`MALFORMED`, or ``other``.

    Front ends call this after verifying and reading the body, so nothing parses a body
    for metrics before it is verified.
    """
    request[_REQUEST_KIND] = kind if kind in known or kind == MALFORMED else "other"


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def observe_platform_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count, time and tag every Slack or Teams request; never let an error become a
    traceback on the wire."""
    platform = PLATFORM_ROUTES.get(request.path)
    if platform is None or request.method != "POST":
        return await handler(request)
    token = request_id.set(request.headers.get("X-Request-Id", "") or uuid.uuid4().hex[:16])
    started = time.perf_counter()
    try:
        response = await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        ERRORS.labels(platform, "server").inc()
        log.exception("unhandled error answering a %s request", platform)
        return web.json_response({"error": "internal error"}, status=500)
    finally:
        REQUESTS.labels(platform, request.get(_REQUEST_KIND, UNVERIFIED)).inc()
        ACK_SECONDS.labels(platform).observe(time.perf_counter() - started)
        request_id.reset(token)
    if response.status >= 500:
        ERRORS.labels(platform, "server").inc()
    return response


def build_app(store: StateStore, mounts: Sequence[Mount] = ()) -> web.Application:
    """The web application: health routes plus whatever the mounts add."""
    app = web.Application(client_max_size=1024 * 1024, middlewares=[observe_platform_requests])
    app[STORE_KEY] = store
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/readyz", _readyz)
    app.router.add_get("/metrics", _metrics)
    for mount in mounts:
        mount(app)
    return app
