"""Slack's membership port (:class:`bot.membership.Membership`): ``conversations.members``.

Asked each time an expert presses a button on a ticket, so someone who left the experts'
channel a minute ago is no longer an expert. The member list is read page by page (at most
:data:`MAX_PAGES` pages of :data:`PAGE_SIZE`), and the walk stops as soon as the person is
found. When Slack cannot say (an error, a missing scope), nobody counts as a member.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.events import Actor
from bot.outbound import Place

log = logging.getLogger(__name__)

#: Members per page, and how many pages are read at most (a 20,000-person channel).
PAGE_SIZE = 1000
MAX_PAGES = 20


class SlackMembership:
    """Whether a Slack user is in a channel, as ``conversations.members`` says."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def is_member(self, place: Place, person: Actor) -> bool:
        """True when ``person.user`` is among ``place.channel``'s members."""
        if not (place.channel and person.user):
            return False
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
                return False
            except Exception as exc:
                log.warning("slack conversations.members failed: %s", type(exc).__name__)
                return False
            members = response.get("members")
            if isinstance(members, list) and person.user in members:
                return True
            metadata = response.get("response_metadata")
            cursor = metadata.get("next_cursor", "") if isinstance(metadata, dict) else ""
            if not cursor:
                return False
        return False
