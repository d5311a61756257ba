"""The Slack front end: a Bolt ``AsyncApp`` behind ``POST /slack/events`` or Socket Mode.

Over HTTP, every request is verified here first (signature and timestamp, see
:mod:`adapters.slack.verification`) and read strictly (:mod:`adapters.slack.payloads`):
anything unsigned, stale or malformed gets 401/400 before Bolt or the core sees it, so it
changes nothing. Bolt's own verification is therefore off; it would also log bodies it
rejects. Bolt then routes the parsed dict to :class:`SlackListeners`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack.delivery import SlackDelivery, web_client
from adapters.slack.inbound import PLATFORM
from adapters.slack.listeners import SlackListeners
from adapters.slack.outbound import SlackOutbound
from adapters.slack.payloads import MalformedRequest, read_body, request_kind
from adapters.slack.people import SlackPeople
from adapters.slack.settings import SlackSettings
from adapters.slack.verification import is_signed_by_slack
from bot.background import BackgroundWork
from bot.conversation import Conversation
from bot.front_ends import report_kind
from bot.store import StateStore

log = logging.getLogger(__name__)

#: Seconds shutdown waits for replies still being delivered.
DRAIN_SECONDS = 10.0


def _unauthorised() -> web.Response:
    return web.json_response({"error": "invalid request"}, status=401)


class SlackApp:
    """Slack wiring for one process: the Bolt app, its Web API client and listeners."""

    def __init__(
        self, conversation: Conversation, store: StateStore, settings: SlackSettings
    ) -> None:
        if not (settings.signing_secret and settings.bot_token):
            raise ValueError("Slack needs SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN")
        self.settings = settings
        self._signing_secret = settings.signing_secret
        client = web_client(settings.bot_token, settings.api_url)
        self.background = BackgroundWork(PLATFORM)
        self.delivery = SlackDelivery(client, conversation.content.strings.delivery_failed)
        self.people = SlackPeople(client, store)
        conversation.people.register(PLATFORM, self.people)
        self.listeners = SlackListeners(conversation, store, self.delivery, self.background)
        conversation.outbox.register(PLATFORM, SlackOutbound(self.delivery))
        self.bolt = AsyncApp(
            name="ai-choice",
            client=client,
            signing_secret=settings.signing_secret,
            request_verification_enabled=False,  # done in handle_http, before any parsing
            logger=logging.getLogger("adapters.slack.bolt"),
        )
        self.bolt.command(re.compile(r"^/.+"))(self.listeners.on_command)
        self.bolt.action(re.compile(r".*"))(self.listeners.on_action)
        self.bolt.event(re.compile(r".*"))(self.listeners.on_event)
        self._socket_mode: Any = None
        self._connecting: asyncio.Task[None] | None = None

    async def handle_http(self, request: web.Request) -> web.Response:
        """``POST /slack/events``: verify, read, hand to Bolt, return its acknowledgement."""
        body = await request.read()
        if not is_signed_by_slack(self._signing_secret, request.headers, body):
            log.info("slack request rejected: missing, stale or wrong signature")
            return _unauthorised()
        try:
            payload = read_body(body, request.content_type)
        except MalformedRequest as exc:
            report_kind(request, "malformed")
            log.info("slack request rejected: %s", exc)
            return web.json_response({"error": "malformed request"}, status=400)
        report_kind(request, request_kind(payload))
        headers: dict[str, str | Sequence[str]] = {
            name.lower(): value for name, value in request.headers.items()
        }
        # Bolt takes an already parsed body only in its Socket Mode shape (a dict). That
        # mode changes nothing else here: it only skips Bolt's signature verification,
        # which is off anyway (done above, on the raw bytes). Handing Bolt the dict saves
        # dumping it to JSON and Bolt parsing it a second time.
        bolt_request = AsyncBoltRequest(
            body=payload, query=request.query_string, headers=headers, mode="socket_mode"
        )
        response = await self.bolt.async_dispatch(bolt_request)
        result: web.Response = await to_aiohttp_response(response)
        return result

    async def start_socket_mode(self) -> None:
        """Start connecting over Socket Mode (``SLACK_APP_TOKEN``) when the web app starts.

        The connection is made in the background: slack_sdk keeps retrying until Slack
        answers, and that must not hold up the rest of the server (health, Teams).
        """
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        self._socket_mode = AsyncSocketModeHandler(self.bolt, self.settings.app_token)
        self._connecting = asyncio.get_running_loop().create_task(
            self._connect(self._socket_mode), name="slack socket mode"
        )

    async def _connect(self, handler: Any) -> None:
        await handler.connect_async()
        log.info("Slack is on over Socket Mode")

    async def stop_socket_mode(self) -> None:
        """Close the Socket Mode connection on shutdown."""
        if self._connecting is not None:
            self._connecting.cancel()
            self._connecting = None
        if self._socket_mode is not None:
            await self._socket_mode.close_async()
            self._socket_mode = None

    async def start(self) -> None:
        """Open the HTTP session every call to Slack shares, once the loop is running."""
        self.delivery.open()

    async def finish(self) -> None:
        """Let replies still in flight reach Slack before the process exits."""
        await self.background.drain(DRAIN_SECONDS)
        await self.delivery.close()
