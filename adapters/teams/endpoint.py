"""``POST /api/messages``: one Bot Framework activity in, the HTTP answer Teams expects out.

In order: in local mode (no credentials) the peer must be loopback with no proxy header
(else 401; :mod:`adapters.teams.local_mode`), the body must be a JSON activity (else 400),
its serviceUrl must be one the bot may send to (else 401;
:mod:`adapters.teams.service_urls`), the caller must be authenticated (else 401), a
redelivered activity id is acknowledged and dropped, and then botbuilder's CloudAdapter
runs the turn. Every refusal comes before any Redis write or outbound call. An invoke (and an
``expectReplies`` activity) is answered with the turn's result, so its turn runs before
the answer; anything else is acknowledged with 201 at once and its turn runs as a tracked
background task (its replies go to the connector, which does not wait on our answer), so
the connector's request is not held while the core thinks and the reply is sent.
Background turns are drained on shutdown.

The background is bounded: with :attr:`MessagesEndpoint.max_background_turns` turns
already running, the next activity's turn runs *before* its 201. Under overload the
connector is then acknowledged more slowly (it holds its request open, as it does for an
invoke) instead of replies still to send piling up in memory without limit; no activity
is dropped, and each such wait is counted (``aic_backlog_full_total``).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from aiohttp import web
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes, DeliveryModes
from msrest.serialization import Deserializer, Model

from adapters.teams import local_mode
from adapters.teams.activities import PLATFORM
from adapters.teams.auth import RequestAuthenticator, Unauthorized
from adapters.teams.service_urls import ServiceUrlPolicy
from adapters.teams.teams_bot import TeamsBot
from bot.background import BackgroundWork
from bot.front_ends import REQUEST_KIND
from bot.metrics import BACKLOG_FULL
from bot.store import StateStore, StoreUnavailable

log = logging.getLogger(__name__)

#: How long an activity id is remembered so a redelivery is handled once.
DEDUPE_TTL = 3600

#: How long shutdown waits for background turns before cancelling them.
DRAIN_SECONDS = 10.0

#: Background turns at once; beyond them a turn runs before its acknowledgement.
MAX_BACKGROUND_TURNS = 64


#: How much of a refused serviceUrl the log line quotes.
_LOGGED_URL = 120

#: One msrest deserializer for every request (``Activity.deserialize`` builds a new one,
#: with its model table, each time); it keeps no state between calls.
_ACTIVITY_DESERIALIZER = Deserializer(Activity._infer_class_models())  # type: ignore[no-untyped-call]


class BadActivity(ValueError):
    """The request body is not an activity this endpoint can process."""


def parse_activity(body: Any) -> Activity:
    """The activity in a decoded JSON body; raises :class:`BadActivity` when it is not one."""
    if not isinstance(body, dict):
        raise BadActivity("body is not a JSON object")
    if not isinstance(body.get("type"), str) or not body["type"]:
        raise BadActivity("missing 'type'")
    if not isinstance(body.get("serviceUrl"), str) or not body["serviceUrl"]:
        raise BadActivity("missing 'serviceUrl'")
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str):
        raise BadActivity("missing 'conversation.id'")
    try:
        activity: Activity = _ACTIVITY_DESERIALIZER("Activity", body)
    except Exception as error:  # msrest raises its own DeserializationError family
        raise BadActivity(f"not an activity: {type(error).__name__}") from error
    return activity


class MessagesEndpoint:
    """The aiohttp handler for ``/api/messages``."""

    def __init__(
        self,
        adapter: CloudAdapter,
        bot: TeamsBot,
        authenticator: RequestAuthenticator,
        store: StateStore,
        service_urls: ServiceUrlPolicy,
    ) -> None:
        self.adapter = adapter
        self.bot = bot
        self.authenticator = authenticator
        self.store = store
        self.service_urls = service_urls
        self._turns = BackgroundWork(PLATFORM)
        #: The most turns left running after their 201 (the backlog's bound).
        self.max_background_turns = MAX_BACKGROUND_TURNS

    async def handle(self, request: web.Request) -> web.Response:
        """Answer one POST from the Bot Connector (or the Emulator)."""
        started = time.perf_counter()
        if self.service_urls.local_only:  # no credentials: local mode
            reason = local_mode.refusal(request)
            if reason is not None:
                REQUEST_KIND.set("unauthorized")
                return _unauthorized(f"local mode: {reason}")
        if request.content_type != "application/json":
            REQUEST_KIND.set("malformed")
            return _bad_request("expected Content-Type application/json")
        try:
            activity = parse_activity(await request.json())
        except (ValueError, UnicodeDecodeError) as error:  # JSONDecodeError, BadActivity
            REQUEST_KIND.set("malformed")
            return _bad_request(str(error) or "malformed body")
        except RecursionError:  # JSON nested deeper than the parser goes
            REQUEST_KIND.set("malformed")
            return _bad_request("body nested too deeply")
        if not self.service_urls.allows(activity.service_url):
            shown = activity.service_url[:_LOGGED_URL]
            rule = self.service_urls.describe()
            REQUEST_KIND.set("unauthorized")
            return _unauthorized(f"serviceUrl {shown!r} not allowed: {rule}")
        try:
            auth = await self.authenticator.authenticate(
                activity, request.headers.get("Authorization", "")
            )
        except Unauthorized:
            REQUEST_KIND.set("unauthorized")
            return _unauthorized_response()
        REQUEST_KIND.set(str(activity.type))
        if activity.id and not await self._first_delivery(activity.id):
            log.info("teams: activity %s redelivered; already handled", activity.id)
            return web.Response(status=200)
        if activity.type == ActivityTypes.invoke or (
            activity.delivery_mode == DeliveryModes.expect_replies
        ):
            invoke_response = await self._turn(auth, activity, started)
            if invoke_response:
                body = invoke_response.body
                if isinstance(body, Model):
                    body = serializer_helper(body)
                return web.json_response(data=body, status=invoke_response.status)
            return web.Response(status=201)
        if self._turns.running >= self.max_background_turns:
            # The backlog is full: this turn runs first, so the connector waits for our
            # answer rather than replies queueing up here without limit.
            BACKLOG_FULL.labels(PLATFORM).inc()
            await self._turn(auth, activity, started)
            return web.Response(status=201)
        self._turns.spawn(self._turn(auth, activity, started), f"{activity.type} turn")
        return web.Response(status=201)

    async def _turn(self, auth: Any, activity: Activity, started: float) -> Any:
        """Run the turn (a failure inside it goes to the bot's on_turn_error)."""
        result = await self.adapter.process_activity(auth, activity, self.bot.on_turn)
        log.debug(  # not info: a log line per message would cost more than the turn
            "teams: %s handled in %.0f ms",
            activity.type,
            (time.perf_counter() - started) * 1000,
        )
        return result

    @property
    def running(self) -> int:
        """How many background turns are still running."""
        return self._turns.running

    async def drain(self, timeout: float = DRAIN_SECONDS) -> None:
        """Wait up to ``timeout`` seconds for background turns, then cancel the rest."""
        await self._turns.drain(timeout)

    async def close(self) -> None:
        """Shutdown: finish (or cancel) background turns, then close the kept clients."""
        await self.drain()
        close = getattr(self.adapter, "close", None)
        if close is not None:
            await close()

    async def _first_delivery(self, activity_id: str) -> bool:
        """True unless this activity id was already claimed; a Redis outage lets it through."""
        try:
            return await self.store.claim_once("teams", "activity", activity_id, ttl=DEDUPE_TTL)
        except StoreUnavailable:
            return True


def _unauthorized_response() -> web.Response:
    return web.json_response({"error": "unauthorized"}, status=401)


def _unauthorized(reason: str) -> web.Response:
    # Info, not warning: scanners on the internet would otherwise fill the log.
    log.info("teams: 401 %s", reason)
    return _unauthorized_response()


def _bad_request(reason: str) -> web.Response:
    log.info("teams: 400 %s", reason)
    return web.json_response({"error": "bad request", "detail": reason}, status=400)
