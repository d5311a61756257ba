"""The roster port: who is in a conversation, for reminders to those who haven't voted.

A front end that can list a conversation's members registers one :class:`Roster` per
platform. The core asks it for the members of the place a poll was posted in, page by
page; asks whether a member is a person (not a bot) only for those it means to remind;
and, where a person cannot be sent a private note, asks it to name them in one message
in the poll's thread. Reminders themselves travel as private notes through the outbound
port (:meth:`bot.outbound.Outbox.notify`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.outbound import MessageRef, Place
from bot.replies import Reply


@dataclass(frozen=True, slots=True)
class Member:
    """One member of a conversation, as its platform lists them."""

    #: The id the platform's events carry as :attr:`bot.events.Actor.user`.
    user: str
    #: A display name, when the listing gives one ("" otherwise).
    name: str = ""
    #: The listing itself says this member is a bot.
    is_bot: bool = False
    #: The platform's own address for them when it differs from ``user`` (what a mention
    #: of them needs); opaque to the core.
    address: str = ""


class Roster(Protocol):
    """What a front end gives the core to list and call on a conversation's members."""

    def members(self, place: Place, message: MessageRef | None) -> AsyncIterator[list[Member]]:
        """Every member of ``place`` (``message``: the poll's message there), a page at a
        time; stops early (logged) when the platform refuses."""
        ...

    async def is_person(self, workspace: str, member: Member) -> bool:
        """False for a bot or an account that cannot be reminded; asked only of those the
        core is about to remind."""
        ...

    async def mention(self, message: MessageRef, members: Sequence[Member], reply: Reply) -> bool:
        """Post ``reply`` in the thread of ``message`` naming ``members`` so each is
        notified; False where the platform cannot (or refused)."""
        ...


class Rosters:
    """Every platform's roster port, by platform name."""

    def __init__(self) -> None:
        self._ports: dict[str, Roster] = {}

    def register(self, platform: str, port: Roster) -> None:
        """Let ``platform``'s front end list its conversations' members."""
        self._ports[platform] = port

    def get(self, platform: str) -> Roster | None:
        """``platform``'s roster port, or None when it has none."""
        return self._ports.get(platform)
