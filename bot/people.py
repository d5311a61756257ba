"""The people port: what the core asks a front end about a person when an answer needs it.

Most answers depend only on what an event carries. A few need more: the time zone a poll
deadline is written in, whether someone may close a poll they did not start, the name a
named poll shows. The core asks the person's platform through :class:`People` exactly
then, so a front end never has to guess which events need it. A platform that can tell
everything from the event itself (or nothing more) needs no port: :class:`FromTheEvent`
answers from the :class:`~bot.events.Actor` alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.events import Actor


@dataclass(frozen=True, slots=True)
class Person:
    """What a platform says about one person."""

    #: IANA time zone name, "" when the platform cannot say (the core then uses UTC).
    time_zone: str = ""
    #: The platform says this person administers the workspace (or owns the team).
    is_admin: bool = False
    #: How shared messages name them, "" when unknown.
    display_name: str = ""
    #: The platform tells the bot who its admins are (so they may close anyone's poll, and
    #: a refusal can say so); False where it cannot (only a poll's creator may close it).
    admins_known: bool = False
    #: The platform says this account is gone (deactivated, left the workspace): a schedule
    #: it set up stops instead of posting for nobody to stop (False where it cannot say).
    departed: bool = False


class People(Protocol):
    """A front end's way of telling the core who someone is."""

    async def look_up(self, actor: Actor) -> Person:
        """What the platform knows about ``actor``; never raises (unknown: defaults)."""
        ...


class FromTheEvent:
    """The people port of a platform whose events carry all there is to know."""

    async def look_up(self, actor: Actor) -> Person:
        """The person as the event described them."""
        return Person(actor.time_zone, actor.is_admin, actor.user_name)


class Directory:
    """The people port of every platform, by name; :class:`FromTheEvent` by default."""

    def __init__(self) -> None:
        self._ports: dict[str, People] = {}
        self._default = FromTheEvent()

    def register(self, platform: str, people: People) -> None:
        """Let ``platform``'s front end answer for its people."""
        self._ports[platform] = people

    async def look_up(self, actor: Actor) -> Person:
        """What ``actor``'s platform says about them."""
        return await self._ports.get(actor.platform, self._default).look_up(actor)
