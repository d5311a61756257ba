"""Slack's outbound port (:class:`bot.outbound.Outbound`): post, update, delete and notify.

A message reference is ``{"channel", "ts"}``: what ``chat.postMessage`` answered, and what
``chat.update`` and ``chat.delete`` need. A private note is a message in the bot's direct
message with the person (``chat.postMessage`` to the user id opens it).
"""

from __future__ import annotations

from adapters.slack.delivery import SlackDelivery
from bot.events import Actor
from bot.outbound import MessageRef, Place
from bot.replies import Reply


class SlackOutbound:
    """Posts, updates and notifies through the Web API client the front end shares."""

    def __init__(self, delivery: SlackDelivery) -> None:
        self.delivery = delivery

    async def post(self, place: Place, reply: Reply) -> MessageRef | None:
        """``chat.postMessage`` into the channel (and thread); where it went."""
        return await self.delivery.post_for_reference(place.channel, reply, place.thread)

    async def update(self, message: MessageRef, reply: Reply) -> bool:
        """``chat.update`` the message at ``{"channel", "ts"}``."""
        channel, ts = message.get("channel"), message.get("ts")
        if not (isinstance(channel, str) and isinstance(ts, str) and channel and ts):
            return False
        return await self.delivery.update(channel, ts, reply)

    async def notify(self, person: Actor, reply: Reply) -> bool:
        """A direct message from the bot to ``person``."""
        return bool(person.user) and await self.delivery.post(person.user, reply)

    async def delete(self, message: MessageRef) -> bool:
        """``chat.delete`` the message at ``{"channel", "ts"}``."""
        channel, ts = message.get("channel"), message.get("ts")
        if not (isinstance(channel, str) and isinstance(ts, str) and channel and ts):
            return False
        return await self.delivery.delete(channel, ts)
