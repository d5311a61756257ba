"""The Slack front end's wiring: the Bolt ``AsyncApp``, its listeners, its Web API client.

Nothing here runs per request. Over HTTP, :class:`adapters.slack.inbound.SlackRequests`
verifies and reads each request and hands it to Bolt (whose own verification is off: it
would also log bodies it rejects); over Socket Mode, slack_sdk hands Bolt each envelope.
Bolt then dispatches by the matchers registered here, one listener per kind of request
and per core action (:class:`bot.replies.Action`) for buttons.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp

from adapters.slack.blocks import action_id_pattern
from adapters.slack.commands import DirectCommands
from adapters.slack.delivery import SlackDelivery, web_client
from adapters.slack.forms import FORM_CALLBACK
from adapters.slack.inbound import PLATFORM, SlackRequests
from adapters.slack.listeners import SlackListeners
from adapters.slack.outbound import SlackOutbound
from adapters.slack.people import SlackPeople
from adapters.slack.roster import SlackRoster
from adapters.slack.settings import SlackSettings
from bot.background import BackgroundWork
from bot.conversation import Conversation
from bot.replies import Action
from bot.store import StateStore

log = logging.getLogger(__name__)

#: Seconds shutdown waits for replies still being delivered.
DRAIN_SECONDS = 10.0
#: The slash command the app manifest declares (deploy/slack/manifest.yaml).
SLASH_COMMAND = "/ai-choice"
#: Anything at all: the last listener of its kind, which acknowledges what no other took.
ANYTHING = re.compile(r".*")


def register_listeners(bolt: AsyncApp, listeners: SlackListeners) -> None:
    """Bolt's matchers → our listeners. Bolt runs the first listener that matches, so the
    catch-alls come last: an old button the core no longer has still gets the core's
    answer, and an event we do not answer is still acknowledged (never a 404)."""
    bolt.command(SLASH_COMMAND)(listeners.on_command)
    for action in Action:
        bolt.action(action_id_pattern(action))(listeners.press_listener(action))
    bolt.action(ANYTHING)(listeners.on_unknown_press)
    bolt.view(FORM_CALLBACK)(listeners.on_form_submission)
    bolt.view(ANYTHING)(listeners.on_other_event)  # not our modal: acknowledged, ignored
    bolt.event("app_mention", matchers=[listeners.is_from_a_person])(listeners.on_mention)
    bolt.event("message", matchers=[listeners.is_direct_from_a_person])(listeners.on_direct_message)
    bolt.event("app_home_opened", matchers=[listeners.is_home_tab])(listeners.on_home_opened)
    bolt.event(ANYTHING)(listeners.on_other_event)


class SlackApp:
    """Slack wiring for one process: the Bolt app, its Web API client and listeners."""

    def __init__(
        self, conversation: Conversation, store: StateStore, settings: SlackSettings
    ) -> None:
        if not (settings.signing_secret and settings.bot_token):
            raise ValueError("Slack needs SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN")
        self.settings = settings
        client = web_client(settings.bot_token, settings.api_url)
        self.background = BackgroundWork(PLATFORM)
        self.delivery = SlackDelivery(client, conversation.content.strings.delivery_failed)
        self.people = SlackPeople(client, store)
        conversation.people.register(PLATFORM, self.people)
        self.listeners = SlackListeners(conversation, store, self.delivery, self.background)
        conversation.outbox.register(PLATFORM, SlackOutbound(self.delivery))
        conversation.rosters.register(PLATFORM, SlackRoster(client, self.people))
        self.bolt = AsyncApp(
            name="ai-choice",
            client=client,
            signing_secret=settings.signing_secret,
            request_verification_enabled=False,  # done by SlackRequests, before any parsing
            # Our listeners acknowledge and hand the work to ``background`` themselves, so
            # Bolt answers as soon as they return instead of polling for the ack.
            process_before_response=True,
            logger=logging.getLogger("adapters.slack.bolt"),
        )
        register_listeners(self.bolt, self.listeners)
        # The slash command skips Bolt's per-request machinery (adapters/slack/commands.py).
        direct = DirectCommands({SLASH_COMMAND: self.listeners.on_command})
        self.requests = SlackRequests(settings.signing_secret, self.bolt, direct)
        self._socket_mode: Any = None
        self._connecting: asyncio.Task[None] | None = None

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
