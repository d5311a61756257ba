"""Teams' membership port (:class:`bot.membership.Membership`): the channel's team roster.

A standard channel's members are its team's members, so "is this person in the experts'
channel?" is "is this person in that team?": the Bot Connector's member lookup
(``get_conversation_member``, ``GET /v3/conversations/<channel id>/members/<user id>``, as
``TeamsInfo.get_member`` asks it, which
Teams answers from the team's roster; 404 for anyone else), reached through
``continue_conversation`` with the channel's saved reference. Asked each
time an expert presses a button on a ticket. When the connector says no, or cannot say,
nobody counts as a member.
"""

from __future__ import annotations

import logging

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter

from adapters.teams.outbound import conversation_reference
from adapters.teams.references import NAMESPACE
from adapters.teams.service_urls import ServiceUrlPolicy
from bot.events import Actor
from bot.outbound import Place
from bot.store import StateStore

log = logging.getLogger(__name__)


class TeamsMembership:
    """Whether a person is a member of the team a saved channel belongs to."""

    def __init__(
        self,
        adapter: CloudAdapter,
        app_id: str | None,
        service_urls: ServiceUrlPolicy,
        store: StateStore,
    ) -> None:
        self.adapter = adapter
        self.app_id = app_id or None
        self.service_urls = service_urls
        self.store = store

    async def is_member(self, place: Place, person: Actor) -> bool:
        """True when the connector finds ``person`` in the channel's team."""
        saved = await self.store.get_json(*NAMESPACE, place.channel.split(";", 1)[0])
        if not isinstance(saved, dict) or not person.user:
            return False
        if not self.service_urls.allows(str(saved.get("service_url") or "")):
            return False
        found: list[bool] = []

        async def look_up(turn_context: TurnContext) -> None:
            connector = turn_context.turn_state.get(turn_context.adapter.BOT_CONNECTOR_CLIENT_KEY)
            if connector is None:
                return
            try:
                member = await connector.conversations.get_conversation_member(
                    turn_context.activity.conversation.id, person.user
                )
            except Exception as error:
                log.info("teams: member lookup said no: %s", type(error).__name__)
                return
            found.append(member is not None)

        await self.adapter.continue_conversation(
            conversation_reference(saved), look_up, self.app_id
        )
        return bool(found and found[0])
