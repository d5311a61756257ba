"""``POST /api/messages``: one Bot Framework activity in, the HTTP answer Teams expects out.

In order: the body must be a JSON activity (else 400), the caller must be authenticated
(else 401; nothing is stored or sent), a redelivered activity id is acknowledged and
dropped, and then botbuilder's CloudAdapter runs the turn. An invoke (and an
``expectReplies`` activity) is answered with the turn's result, so its turn runs before
the answer; anything else is acknowledged with 201 at once and its turn runs as a tracked
background task (its replies go to the connector, which does not wait on our answer), so
the connector's request is not held while the core thinks and the reply is sent.
Background turns are drained on shutdown.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiohttp import web
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes, DeliveryModes
from msrest.serialization import Deserializer, Model

from adapters.teams.auth import RequestAuthenticator, Unauthorized
from adapters.teams.teams_bot import TeamsBot
from bot.server import MALFORMED, note_request_kind
from bot.store import StateStore, StoreUnavailable

log = logging.getLogger(__name__)

ROUTE = "/api/messages"

#: The activity types counted by name in metrics (any other is ``other``).
REQUEST_KINDS = frozenset(
    {"message", "invoke", "conversationUpdate", "installationUpdate", "messageReaction"}
)

#: How long an activity id is remembered so a redelivery is handled once.
DEDUPE_TTL = 3600

#: How long shutdown waits for background turns before cancelling them.
DRAIN_SECONDS = 10.0


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
    ) -> None:
        self.adapter = adapter
        self.bot = bot
        self.authenticator = authenticator
        self.store = store
        self._turns: set[asyncio.Task[Any]] = set()

    async def handle(self, request: web.Request) -> web.Response:
        """Answer one POST from the Bot Connector (or the Emulator)."""
        started = time.perf_counter()
        if request.content_type != "application/json":
            return _bad_request(request, "expected Content-Type application/json")
        try:
            activity = parse_activity(await request.json())
        except (ValueError, UnicodeDecodeError) as error:  # JSONDecodeError, BadActivity
            return _bad_request(request, str(error) or "malformed body")
        except RecursionError:  # JSON nested deeper than the parser goes
            return _bad_request(request, "body nested too deeply")
        try:
            auth = await self.authenticator.authenticate(
                activity, request.headers.get("Authorization", "")
            )
        except Unauthorized:
            return web.json_response({"error": "unauthorized"}, status=401)
        note_request_kind(request, str(activity.type), REQUEST_KINDS)
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
        task = asyncio.get_running_loop().create_task(
            self._turn(auth, activity, started), name=f"teams {activity.type} turn"
        )
        self._turns.add(task)
        task.add_done_callback(self._finished)
        return web.Response(status=201)

    async def _turn(self, auth: Any, activity: Activity, started: float) -> Any:
        """Run the turn (a failure inside it goes to the bot's on_turn_error)."""
        result = await self.adapter.process_activity(auth, activity, self.bot.on_turn)
        log.info(
            "teams: %s handled in %.0f ms",
            activity.type,
            (time.perf_counter() - started) * 1000,
        )
        return result

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._turns.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("teams: %s failed", task.get_name(), exc_info=task.exception())

    @property
    def running(self) -> int:
        """How many background turns are still running."""
        return len(self._turns)

    async def drain(self, timeout: float = DRAIN_SECONDS) -> None:
        """Wait up to ``timeout`` seconds for background turns, then cancel the rest."""
        while self._turns:
            _done, pending = await asyncio.wait(set(self._turns), timeout=timeout)
            if pending:
                for task in pending:
                    task.cancel()
                log.warning("teams: cancelled %d unfinished turn(s) at shutdown", len(pending))
                await asyncio.wait(pending)
                return

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


def _bad_request(request: web.Request, reason: str) -> web.Response:
    note_request_kind(request, MALFORMED, REQUEST_KINDS)
    log.info("teams: 400 %s", reason)
    return web.json_response({"error": "bad request", "detail": reason}, status=400)
