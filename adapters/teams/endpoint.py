"""``POST /api/messages``: one Bot Framework activity in, the HTTP answer Teams expects out.

In order: the body must be a JSON activity (else 400), the caller must be authenticated
(else 401; nothing is stored or sent), a redelivered activity id is acknowledged and
dropped, and then botbuilder's CloudAdapter runs the turn. An invoke is answered with its
invoke response; anything else with 201 once the replies are sent.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from aiohttp import web
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from msrest.serialization import Deserializer, Model

from adapters.teams.auth import RequestAuthenticator, Unauthorized
from adapters.teams.teams_bot import TeamsBot
from bot.store import StateStore, StoreUnavailable

log = logging.getLogger(__name__)

ROUTE = "/api/messages"

#: How long an activity id is remembered so a redelivery is handled once.
DEDUPE_TTL = 3600


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

    async def handle(self, request: web.Request) -> web.Response:
        """Answer one POST from the Bot Connector (or the Emulator)."""
        started = time.perf_counter()
        if request.content_type != "application/json":
            return _bad_request("expected Content-Type application/json")
        try:
            activity = parse_activity(await request.json())
        except (ValueError, UnicodeDecodeError) as error:  # JSONDecodeError, BadActivity
            return _bad_request(str(error) or "malformed body")
        try:
            auth = await self.authenticator.authenticate(
                activity, request.headers.get("Authorization", "")
            )
        except Unauthorized:
            return web.json_response({"error": "unauthorized"}, status=401)
        if activity.id and not await self._first_delivery(activity.id):
            log.info("teams: activity %s redelivered; already handled", activity.id)
            return web.Response(status=200)
        invoke_response = await self.adapter.process_activity(auth, activity, self.bot.on_turn)
        log.info(
            "teams: %s handled in %.0f ms",
            activity.type,
            (time.perf_counter() - started) * 1000,
        )
        if invoke_response:
            body = invoke_response.body
            if isinstance(body, Model):
                body = serializer_helper(body)
            return web.json_response(data=body, status=invoke_response.status)
        return web.Response(status=201)

    async def _first_delivery(self, activity_id: str) -> bool:
        """True unless this activity id was already claimed; a Redis outage lets it through."""
        try:
            return await self.store.claim_once("teams", "activity", activity_id, ttl=DEDUPE_TTL)
        except StoreUnavailable:
            return True


def _bad_request(reason: str) -> web.Response:
    log.info("teams: 400 %s", reason)
    return web.json_response({"error": "bad request", "detail": reason}, status=400)
