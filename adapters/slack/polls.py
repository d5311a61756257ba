"""Team polls in Slack: the poll message in the channel, kept up to date with ``chat.update``.

A poll's message is posted with ``chat.postMessage`` (never ephemeral, never the
acknowledgement) so it has a ``ts``; the core stores ``{"channel", "ts"}`` as the poll's
message reference and calls :class:`SlackPollPublisher` whenever the results change
(coalesced by the core: at most one update per poll per refresh window) and when the
poll closes, by hand or at its deadline.
"""

from __future__ import annotations

import logging
from typing import Any

from adapters.slack.delivery import SlackDelivery
from bot.polls import PollService
from bot.replies import Reply

log = logging.getLogger(__name__)


class PollMessageNotUpdated(RuntimeError):
    """Slack refused ``chat.update``; the core leaves the version unrendered and retries later."""


class SlackPollPublisher:
    """Updates a poll's channel message in place (the core's ``PollPublisher``)."""

    def __init__(self, delivery: SlackDelivery) -> None:
        self.delivery = delivery

    async def publish_poll(self, meta: dict[str, Any], reply: Reply) -> None:
        """``chat.update`` the message at ``meta['message']`` with ``reply``."""
        reference = meta.get("message")
        if not isinstance(reference, dict):
            return
        channel, ts = reference.get("channel"), reference.get("ts")
        if not (isinstance(channel, str) and isinstance(ts, str) and channel and ts):
            return
        if not await self.delivery.update(channel, ts, reply):
            raise PollMessageNotUpdated(f"poll {meta.get('id')}: chat.update failed")


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
