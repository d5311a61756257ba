"""The outbound port: how the core speaks first, not only in answer to the event in hand.

A front end registers one :class:`Outbound` per platform. Through it the core can post a
new message to a place, replace a message it posted earlier, remove one, and send one
person a private note. The poll refresher replaces a poll's shared message when its
results change and when it closes; scheduled polls, reminders and deadline notices post and notify
through the same port. A message reference is the platform's own JSON (a Slack channel and
``ts``, a Teams conversation reference and activity id): the core stores it and hands it
back, never reading inside it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

from bot.events import Actor
from bot.replies import Reply

log = logging.getLogger(__name__)

#: A platform's reference to a message it posted (opaque to the core, stored as JSON).
MessageRef = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Place:
    """A conversation to post into: a channel or chat, optionally a thread in it."""

    platform: str
    workspace: str
    channel: str
    thread: str = ""

    @classmethod
    def of(cls, actor: Actor) -> Place:
        """Where ``actor`` acted."""
        return cls(actor.platform, actor.workspace, actor.channel)


class Outbound(Protocol):
    """What a front end gives the core to post, update and notify on its platform."""

    async def post(self, place: Place, reply: Reply) -> MessageRef | None:
        """Post ``reply`` as a new message everyone in ``place`` sees; where it went, or
        None when the platform refused (the bot is not in that channel, say)."""
        ...

    async def update(self, message: MessageRef, reply: Reply) -> bool:
        """Replace a message posted earlier; False when the platform refused."""
        ...

    async def notify(self, person: Actor, reply: Reply) -> bool:
        """Send ``person`` a private note (a direct message, a personal chat); False when
        there is no way to reach them."""
        ...

    async def delete(self, message: MessageRef) -> bool:
        """Remove a message posted earlier (a deleted poll); False when the platform
        refused."""
        ...


class Outbox:
    """Every platform's outbound port, by platform name."""

    def __init__(self) -> None:
        self._ports: dict[str, Outbound] = {}

    def register(self, platform: str, port: Outbound) -> None:
        """Let ``platform``'s front end carry the core's outgoing messages."""
        self._ports[platform] = port

    def has(self, platform: str) -> bool:
        """True when ``platform`` has an outbound port."""
        return platform in self._ports

    async def post(self, place: Place, reply: Reply) -> MessageRef | None:
        """Post to ``place`` through its platform's port (None without one)."""
        port = self._ports.get(place.platform)
        return await port.post(place, reply) if port else None

    async def update(self, platform: str, message: MessageRef, reply: Reply) -> bool:
        """Replace ``message`` on ``platform`` (False without a port)."""
        port = self._ports.get(platform)
        return await port.update(message, reply) if port else False

    async def notify(self, person: Actor, reply: Reply) -> bool:
        """A private note to ``person`` on their platform (False without a port)."""
        port = self._ports.get(person.platform)
        return await port.notify(person, reply) if port else False

    async def delete(self, platform: str, message: MessageRef) -> bool:
        """Remove ``message`` on ``platform`` (False without a port)."""
        port = self._ports.get(platform)
        return await port.delete(message) if port else False
