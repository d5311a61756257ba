"""Team polls in Slack: the poll message posted to the channel.

A poll's message is posted with ``chat.postMessage`` (never ephemeral, never the
acknowledgement) so it has a ``ts``; the core stores ``{"channel", "ts"}`` as the poll's
message reference and keeps it current through the outbound port
(:mod:`adapters.slack.outbound`).
"""

from __future__ import annotations

import logging

from adapters.slack.delivery import SlackDelivery
from bot.polls import PollService
from bot.replies import Reply

log = logging.getLogger(__name__)


class SlackPollPoster:
    """Posts a new poll's message to the channel and tells the core where it is."""

    def __init__(self, delivery: SlackDelivery, polls: PollService) -> None:
        self.delivery = delivery
        self.polls = polls

    async def post(self, channel: str, reply: Reply) -> bool:
        """Post the new poll ``reply`` (``reply.new_poll`` set) to ``channel``; False when
        Slack refused (e.g. the bot is not in the channel)."""
        reference = await self.delivery.post_for_reference(channel, reply)
        if reference is None:
            return False
        await self.polls.attach_message(reply.new_poll, reference)
        return True
