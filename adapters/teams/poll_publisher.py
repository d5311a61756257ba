"""Keeping a poll's shared card current: the core's :class:`bot.polls.PollPublisher` for Teams.

When a poll card is posted, the bot records where it went (service URL, conversation,
tenant, bot, and the card's activity id; ``references.poll_message_reference``) in the poll.
The core calls :meth:`TeamsPollPublisher.publish_poll` when the results change (at most
once per poll per refresh window) and when the poll closes; it replaces the card in place
with ``updateActivity`` through ``continue_conversation``, retrying throttled calls. A
stored serviceUrl the bot may no longer send to (:mod:`adapters.teams.service_urls`: not
loopback in local mode, off the allow-list with credentials) gets nothing, and a warning.
"""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference

from adapters.teams.connector_retry import DEFAULT_RETRY, RetryPolicy, with_retries
from adapters.teams.service_urls import ServiceUrlPolicy
from adapters.teams.teams_bot import card_activity
from bot.replies import Reply

log = logging.getLogger(__name__)


def _conversation_reference(saved: dict[str, Any]) -> ConversationReference:
    return ConversationReference(
        service_url=saved["service_url"],
        channel_id=saved.get("channel_id") or "msteams",
        conversation=ConversationAccount(
            id=saved["conversation_id"],
            conversation_type=saved.get("conversation_type") or None,
            tenant_id=saved.get("tenant_id") or None,
        ),
        bot=ChannelAccount(id=saved.get("bot_id") or "", name=saved.get("bot_name") or None),
    )


class TeamsPollPublisher:
    """Replaces a Teams poll card with its current state."""

    def __init__(
        self,
        adapter: CloudAdapter,
        app_id: str | None,
        service_urls: ServiceUrlPolicy,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        self.adapter = adapter
        self.app_id = app_id or None
        self.service_urls = service_urls
        self.retry = retry

    async def publish_poll(self, meta: dict[str, Any], reply: Reply) -> None:
        """PUT the card at ``meta['message']``; raises when the connector keeps refusing."""
        saved = meta["message"]
        if not self.service_urls.allows(saved.get("service_url") or ""):
            # Not raised: the core would retry a card that must never be sent.
            log.warning(
                "teams: poll %s not updated: its card's serviceUrl is not allowed (%s)",
                meta["id"],
                self.service_urls.describe(),
            )
            return
        failures: list[BaseException] = []

        async def update(turn_context: TurnContext) -> None:
            async def put() -> object:
                activity = card_activity(reply, meta.get("viewers"))
                activity.id = saved["activity_id"]
                return await turn_context.update_activity(activity)

            try:
                await with_retries(put, self.retry, what=f"update poll {meta['id']}")
            except Exception as error:
                # Raised here it would only reach the adapter's turn-error handler; the
                # core must know, so it does not mark this version as shown.
                failures.append(error)

        await self.adapter.continue_conversation(
            _conversation_reference(saved), update, self.app_id
        )
        if failures:
            raise failures[0]
