"""Teams' outbound port (:class:`bot.outbound.Outbound`): post, update, delete and notify.

Every proactive send goes through ``continue_conversation`` with a conversation reference
this front end saved (:mod:`adapters.teams.references`, the one owner of them): a message
reference is that conversation's reference plus the card's activity id
(``references.poll_message_reference``), stored by the core and handed back here. Updates
replace a card in place with ``updateActivity`` and a delete removes it with
``deleteActivity``, retrying throttled calls. A stored
serviceUrl the bot may no longer send to (:mod:`adapters.teams.service_urls`: not loopback
in local mode, off the allow-list with credentials) gets nothing, and a warning.
"""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference

from adapters.teams.connector_retry import DEFAULT_RETRY, RetryPolicy, with_retries
from adapters.teams.delivery import card_activity
from adapters.teams.personal_chats import find_personal_chat
from adapters.teams.references import NAMESPACE
from adapters.teams.service_urls import ServiceUrlPolicy
from bot.events import Actor
from bot.outbound import MessageRef, Place
from bot.replies import Reply
from bot.store import StateStore

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


def conversation_reference(saved: MessageRef) -> ConversationReference:
    """The botbuilder reference of a saved conversation (or of a card's place in one)."""
    return _conversation_reference(saved)


class TeamsOutbound:
    """Posts and replaces cards in conversations the bot was told about."""

    def __init__(
        self,
        adapter: CloudAdapter,
        app_id: str | None,
        service_urls: ServiceUrlPolicy,
        store: StateStore,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        self.store = store
        self.adapter = adapter
        self.app_id = app_id or None
        self.service_urls = service_urls
        self.retry = retry

    def _may_send(self, saved: MessageRef) -> bool:
        if self.service_urls.allows(str(saved.get("service_url") or "")):
            return True
        log.warning(
            "teams: nothing sent: the stored serviceUrl is not allowed (%s)",
            self.service_urls.describe(),
        )
        return False

    async def post(self, place: Place, reply: Reply) -> MessageRef | None:
        """Post a card into a conversation the bot was added to (its saved reference)."""
        saved = await self.store.get_json(*NAMESPACE, place.channel.split(";", 1)[0])
        if not isinstance(saved, dict):
            return None
        if place.thread.startswith(saved["conversation_id"] + ";"):  # a reply in that thread
            saved = {**saved, "conversation_id": place.thread}
        return await self._send(saved, reply)

    async def notify(self, person: Actor, reply: Reply) -> bool:
        """A card in the person's personal chat with the bot, when the bot knows it (saved
        when they install the app or write to it; ``teams:personal:<tenant>:<user>``)."""
        chat = await find_personal_chat(self.store, person.workspace, person.user)
        if chat is None:
            return False
        saved = {
            "service_url": chat.get("service_url") or "",
            "conversation_id": chat["conversation_id"],
            "conversation_type": "personal",
            "tenant_id": person.workspace,
        }
        return await self._send(saved, reply) is not None

    async def _send(self, saved: MessageRef, reply: Reply) -> MessageRef | None:
        """Send ``reply`` as a new card into the saved conversation; where it went."""
        if not self._may_send(saved):
            return None
        posted: list[str] = []

        async def send(turn_context: TurnContext) -> None:
            async def post_card() -> object:
                return await turn_context.send_activity(card_activity(reply))

            try:
                sent = await with_retries(post_card, self.retry, what="post a card")
            except Exception:
                log.warning("teams: posting a card failed", exc_info=True)
                return
            activity_id = getattr(sent, "id", None)
            if activity_id:
                posted.append(str(activity_id))

        await self.adapter.continue_conversation(_conversation_reference(saved), send, self.app_id)
        return {**saved, "activity_id": posted[0]} if posted else None

    async def update(self, message: MessageRef, reply: Reply) -> bool:
        """PUT the card at ``message``; False when the connector keeps refusing."""
        saved = message
        if not self._may_send(saved) or not saved.get("activity_id"):
            return False
        failures: list[BaseException] = []

        async def update(turn_context: TurnContext) -> None:
            async def put() -> object:
                activity = card_activity(reply)
                activity.id = saved["activity_id"]
                return await turn_context.update_activity(activity)

            try:
                await with_retries(put, self.retry, what="update a card")
            except Exception as error:
                # Raised here it would only reach the adapter's turn-error handler; the
                # core must know, so it does not mark this version as shown.
                failures.append(error)

        await self.adapter.continue_conversation(
            _conversation_reference(saved), update, self.app_id
        )
        if failures:
            log.warning("teams: updating a card failed: %s", type(failures[0]).__name__)
        return not failures

    async def delete(self, message: MessageRef) -> bool:
        """DELETE the card at ``message``; False when the connector keeps refusing."""
        saved = message
        if not self._may_send(saved) or not saved.get("activity_id"):
            return False
        failures: list[BaseException] = []

        async def delete(turn_context: TurnContext) -> None:
            async def remove() -> object:
                return await turn_context.delete_activity(str(saved["activity_id"]))

            try:
                await with_retries(remove, self.retry, what="delete a card")
            except Exception as error:
                failures.append(error)

        await self.adapter.continue_conversation(
            _conversation_reference(saved), delete, self.app_id
        )
        if failures:
            log.warning("teams: deleting a card failed: %s", type(failures[0]).__name__)
        return not failures
