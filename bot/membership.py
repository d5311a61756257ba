"""The membership port: whether a person is in a conversation, asked of the platform.

"Experts are the members of the experts' channel": who may answer, assign, close or teach
the FAQ is checked at the moment they press, through the platform (Slack's
``conversations.members``, the Teams roster of the channel's team), never from a list the
bot keeps. A platform without a port has no members the core can vouch for, so nobody
there counts as one.

The poll reminders' roster will live beside this one: both answer questions about who is
in a :class:`~bot.outbound.Place`, so they are meant to merge into one port.
"""

from __future__ import annotations

from typing import Protocol

from bot.events import Actor
from bot.outbound import Place


class Membership(Protocol):
    """A front end's way of saying who is in a conversation."""

    async def is_member(self, place: Place, person: Actor) -> bool:
        """True when ``person`` is a member of ``place`` right now; never raises (False
        when the platform cannot say)."""
        ...


class Rosters:
    """Every platform's membership port, by platform name."""

    def __init__(self) -> None:
        self._ports: dict[str, Membership] = {}

    def register(self, platform: str, port: Membership) -> None:
        """Let ``platform``'s front end answer who is in its conversations."""
        self._ports[platform] = port

    async def is_member(self, place: Place, person: Actor) -> bool:
        """``person`` is in ``place``, as their platform says (False without a port, or
        when the two are on different platforms or workspaces)."""
        if (place.platform, place.workspace) != (person.platform, person.workspace):
            return False
        port = self._ports.get(place.platform)
        return await port.is_member(place, person) if port else False
