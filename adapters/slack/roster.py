"""Slack's roster port (:class:`bot.roster.Roster`): who is in a channel, and who is a bot.

``conversations.members`` lists a channel's members a page at a time (a cursor; Tier 4,
so a 2,000-member channel costs ten quick calls, and a 429 is retried after
``Retry-After`` by the client's retry handler). Whether a member is a bot or deactivated
comes from ``users.info`` through the people port's hour-long cache, asked only for those
about to be reminded. Everyone else can be sent a direct message, so no one is named in
the channel: :meth:`SlackRoster.mention` declines.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.people import SlackPeople
from bot.outbound import MessageRef, Place
from bot.replies import Reply
from bot.roster import Member

log = logging.getLogger(__name__)

#: Members asked for per ``conversations.members`` page (Slack's recommended size).
PAGE_SIZE = 200
#: Pages read at most (200,000 members; Slack's largest channels are smaller).
MAX_PAGES = 1000


class SlackRoster:
    """Lists a channel's members and tells people from bots."""

    def __init__(self, client: AsyncWebClient, people: SlackPeople) -> None:
        self.client = client
        self.people = people

    async def members(
        self, place: Place, message: MessageRef | None
    ) -> AsyncIterator[list[Member]]:
        """Every member of the channel, a page of ``conversations.members`` at a time."""
        cursor = ""
        for _ in range(MAX_PAGES):
            try:
                response = await self.client.conversations_members(
                    channel=place.channel, limit=PAGE_SIZE, cursor=cursor or None
                )
            except SlackApiError as exc:
                data = getattr(exc.response, "data", None)
                error = data.get("error") if isinstance(data, dict) else None
                log.warning("slack conversations.members failed: %s", error or "unknown error")
                return
            except Exception as exc:
                log.warning("slack conversations.members failed: %s", type(exc).__name__)
                return
            found = response.get("members")
            yield [Member(str(user)) for user in found if user] if isinstance(found, list) else []
            metadata = response.get("response_metadata")
            cursor = metadata.get("next_cursor", "") if isinstance(metadata, dict) else ""
            if not cursor:
                return

    async def is_person(self, workspace: str, member: Member) -> bool:
        """Not a bot and not deactivated, as ``users.info`` says (cached an hour)."""
        profile = await self.people.profile(workspace, member.user)
        return not profile.get("bot") and not profile.get("deleted")

    async def mention(self, message: MessageRef, members: Sequence[Member], reply: Reply) -> bool:
        """Slack reaches everyone by direct message: nobody is named in the channel."""
        return False
