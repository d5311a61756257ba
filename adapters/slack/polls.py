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
from bot.replies import Reply, Visibility

log = logging.getLogger(__name__)

#: The reply kind of a poll's shared message.
POLL_KIND = "poll"


def is_poll_message(reply: Reply) -> bool:
    """True for a poll's shared message, which must be posted to the channel."""
    return (
        reply.kind == POLL_KIND and reply.visibility is Visibility.SHARED and "poll" in reply.meta
    )


class SlackPollPoster:
    """Posts a new poll's message to the channel and tells the core where it is."""

    def __init__(self, delivery: SlackDelivery, polls: PollService) -> None:
        self.delivery = delivery
        self.polls = polls

    async def post(self, channel: str, reply: Reply) -> bool:
        """Post the poll to ``channel``; False when Slack refused (e.g. not in the channel)."""
        reference = await self.delivery.post_for_reference(channel, reply)
        if reference is None:
            return False
        await self.polls.attach_message(reply.meta["poll"], reference)
        return True

    def failure(self) -> Reply:
        """What the person who started the poll sees when it could not be posted."""
        return Reply(
            kind="poll.error",
            text=self.polls.messages.post_failed,
            visibility=Visibility.PRIVATE,
        )
