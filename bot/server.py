"""The aiohttp server every front end plugs into: health, readiness and metrics routes, and
each front end's own routes behind one guard.

Every front-end route gets the same treatment, whichever platform it serves: a request id
for its log lines, a count and a time under the front end's platform label, and a 500
instead of a traceback when its handler fails. The kind label is what the handler reported
after verifying and parsing the request (:data:`bot.front_ends.REQUEST_KIND`): nothing here
reads a body, so nothing is parsed before it is verified.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from bot.front_ends import ALWAYS_KNOWN, REQUEST_KIND, UNVERIFIED, FrontEnd, Handler, Route
from bot.logging_setup import request_id
from bot.metrics import ACK_SECONDS, ERRORS, REQUESTS
from bot.store import StateStore

log = logging.getLogger(__name__)

STORE_KEY: web.AppKey[StateStore] = web.AppKey("store", StateStore)

#: The largest request body any route reads (aiohttp answers 413 beyond it).
MAX_BODY_BYTES = 1024 * 1024


async def _healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def _readyz(request: web.Request) -> web.Response:
    if await request.app[STORE_KEY].ping():
        return web.json_response({"status": "ready"})
    return web.json_response({"status": "redis unreachable"}, status=503)


async def _metrics(_request: web.Request) -> web.Response:
    body = generate_latest(REGISTRY)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def observed(platform: str, kinds: frozenset[str], handler: Handler) -> Handler:
    """``handler`` counted, timed and tagged under ``platform``, never answering with a
    traceback."""
    known = kinds | ALWAYS_KNOWN

    def label() -> str:
        # A bounded label set: a kind outside what the front end declared is "other".
        kind = REQUEST_KIND.get()
        return kind if kind in known or kind == UNVERIFIED else "other"

    async def observe(request: web.Request) -> web.StreamResponse:
        token = request_id.set(
            request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex[:16]
        )
        kind_token = REQUEST_KIND.set(UNVERIFIED)
        started = time.perf_counter()
        try:
            response = await handler(request)
        except web.HTTPException as error:
            REQUESTS.labels(platform, label()).inc()
            if error.status >= 500:
                ERRORS.labels(platform, "server").inc()
            raise
        except Exception:
            REQUESTS.labels(platform, label()).inc()
            ERRORS.labels(platform, "server").inc()
            log.exception("unhandled error answering a %s request", platform)
            return web.json_response({"error": "internal error"}, status=500)
        else:
            REQUESTS.labels(platform, label()).inc()
            if response.status >= 500:
                ERRORS.labels(platform, "server").inc()
            return response
        finally:
            ACK_SECONDS.labels(platform).observe(time.perf_counter() - started)
            REQUEST_KIND.reset(kind_token)
            request_id.reset(token)

    return observe


def build_app(
    store: StateStore, routes: Sequence[tuple[FrontEnd, Sequence[Route]]] = ()
) -> web.Application:
    """The web application: health routes plus every front end's routes, observed."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[STORE_KEY] = store
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/readyz", _readyz)
    app.router.add_get("/metrics", _metrics)
    for front_end, front_end_routes in routes:
        for route in front_end_routes:
            handler = observed(front_end.platform, front_end.request_kinds, route.handler)
            app.router.add_route(route.method, route.path, handler)
    return app
