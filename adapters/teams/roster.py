"""Teams' roster port (:class:`bot.roster.Roster`): who is in a team or chat, and mentions.

Members come from the Bot Connector's paged roster through botbuilder's ``TeamsInfo``
(``get_paged_team_members`` in a team, ``get_paged_members`` in a group chat), read in a
proactive turn on the poll card's conversation reference, a page at a time (throttled
calls retried after ``Retry-After``). Each member's Entra object id is the id the core
knows them by (what votes are stored under); bots (``28:`` ids) are marked as such.
Those the bot has no personal chat with are @mentioned in one message in the poll's
thread (a message activity with ``mention`` entities, which notify each person named).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ChannelAccount, Mention

from adapters.teams.cards import plain
from adapters.teams.connector_retry import DEFAULT_RETRY, RetryPolicy, with_retries
from adapters.teams.outbound import conversation_reference
from adapters.teams.service_urls import ServiceUrlPolicy
from bot.outbound import MessageRef, Place
from bot.replies import Reply
from bot.roster import Member

log = logging.getLogger(__name__)

#: Members asked for per roster page (the connector allows 50 to 500).
PAGE_SIZE = 200
#: Pages read at most (a team has at most 25,000 members).
MAX_PAGES = 200
#: How Bot Framework ids of bots start.
BOT_ID_PREFIX = "28:"


def _member(account: Any) -> Member:
    """A roster entry as the core knows them: their Entra object id, name and address."""
    address = str(getattr(account, "id", "") or "")
    user = str(getattr(account, "aad_object_id", "") or address)
    name = str(getattr(account, "name", "") or "")
    return Member(user, name, is_bot=address.startswith(BOT_ID_PREFIX), address=address)


class TeamsRoster:
    """Lists a team's or chat's members, and names people in a poll's thread."""

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

    def _may_send(self, saved: MessageRef) -> bool:
        if self.service_urls.allows(str(saved.get("service_url") or "")):
            return True
        log.warning("teams: roster not read: the stored serviceUrl is not allowed")
        return False

    async def members(
        self, place: Place, message: MessageRef | None
    ) -> AsyncIterator[list[Member]]:
        """Every member of the team (or chat) the poll card is in, page by page."""
        if not message or not self._may_send(message):
            return
        pages: list[list[Member]] = []
        team = str(message.get("team_id") or "")

        async def read(turn_context: TurnContext) -> None:
            token: str | None = None
            for _ in range(MAX_PAGES):

                async def page(token: str | None = token) -> Any:
                    if team:
                        return await TeamsInfo.get_paged_team_members(
                            turn_context, team, token, PAGE_SIZE
                        )
                    turn_context.activity.channel_data = {}  # a chat: its own conversation
                    return await TeamsInfo.get_paged_members(turn_context, token, PAGE_SIZE)

                try:
                    result = await with_retries(page, self.retry, what="read the roster")
                except Exception as error:
                    log.warning("teams: reading the roster failed: %s", type(error).__name__)
                    return
                pages.append([_member(account) for account in result.members or []])
                token = result.continuation_token
                if not token:
                    return

        await self.adapter.continue_conversation(conversation_reference(message), read, self.app_id)
        for found in pages:
            yield found

    async def is_person(self, workspace: str, member: Member) -> bool:
        """Teams' roster lists people (bots are told apart by their ids already)."""
        return not member.is_bot

    async def mention(self, message: MessageRef, members: Sequence[Member], reply: Reply) -> bool:
        """One message in the poll card's thread: ``reply``'s text, then each person named."""
        if not members or not self._may_send(message):
            return False
        named = []
        entities = []
        for member in members:
            name = member.name.replace("<", "").replace(">", "") or member.user
            tag = f"<at>{plain(name)}</at>"
            named.append(tag)
            who = ChannelAccount(id=member.address or member.user, name=name)
            entities.append(Mention(mentioned=who, text=tag, type="mention"))
        activity = MessageFactory.text(f"{plain(reply.text)} {', '.join(named)}")
        activity.entities = entities
        failures: list[BaseException] = []

        async def send(turn_context: TurnContext) -> None:
            async def post() -> object:
                return await turn_context.send_activity(activity)

            try:
                await with_retries(post, self.retry, what="post a mention")
            except Exception as error:
                failures.append(error)

        await self.adapter.continue_conversation(conversation_reference(message), send, self.app_id)
        if failures:
            log.warning("teams: mentioning non-voters failed: %s", type(failures[0]).__name__)
        return not failures
