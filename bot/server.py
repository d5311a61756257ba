"""The aiohttp server every front end mounts on: health, readiness and metrics routes.

Front ends add their own routes through *mounts* handed in by the composition root
(:mod:`bot.cli`); this module knows no platform.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import unquote

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
_SLACK_KINDS = {"command", "block_actions", "view_submission", "event_callback", "url_verification"}
_TEAMS_KINDS = {"message", "invoke", "conversationUpdate", "installationUpdate", "messageReaction"}


_LEADING_TYPE = re.compile(r'\s*\{\s*"type"\s*:\s*"([a-z_]+)"')


def _json_type(raw: bytes) -> str:
    try:
        value = json.loads(raw)
    except ValueError:
        return "malformed"
    return str(value.get("type", "")) if isinstance(value, dict) else "malformed"


#: How much of an interaction payload is decoded to find its leading ``"type"``.
_PAYLOAD_HEAD = 256


def _form_kind(text: str) -> str:
    """A Slack form body's kind, as ``parse_qs`` would see it, without decoding every field:
    ``command`` when any non-blank ``command`` field is present, else the leading
    ``"type"`` of the first non-blank ``payload``, else ``malformed``."""
    payload = None
    for field in text.split("&"):
        name, equals, value = field.partition("=")
        if not (equals and value):
            continue  # parse_qs drops fields without a value
        if "%" in name or "+" in name:
            name = unquote(name.replace("+", " "))
        if name == "command":
            return "command"
        if name == "payload" and payload is None:
            payload = value
    if payload is None:
        return "malformed"
    # An interaction payload opens with its type: decoding its head is enough, and when
    # the head alone does not match (a cut-off escape, a long type), decode all of it.
    found = _LEADING_TYPE.match(unquote(payload[:_PAYLOAD_HEAD].replace("+", " ")))
    if found is None and len(payload) > _PAYLOAD_HEAD:
        found = _LEADING_TYPE.match(unquote(payload.replace("+", " ")))
    return found.group(1) if found else "malformed"


async def request_kind(platform: str, request: web.Request) -> str:
    """What kind of platform request this is, from a fixed set (keeps labels bounded)."""
    raw = await request.read()  # aiohttp keeps the body, so the adapter can read it again
    if platform == "teams":
        kind = _json_type(raw)
        return kind if kind in _TEAMS_KINDS or kind == "malformed" else "other"
    if request.content_type == "application/x-www-form-urlencoded":
        kind = _form_kind(raw.decode("utf-8", "replace"))
    else:
        kind = _json_type(raw)
    return kind if kind in _SLACK_KINDS or kind == "malformed" else "other"


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
        REQUESTS.labels(platform, await request_kind(platform, request)).inc()
        response = await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        ERRORS.labels(platform, "server").inc()
        log.exception("unhandled error answering a %s request", platform)
        return web.json_response({"error": "internal error"}, status=500)
    finally:
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
