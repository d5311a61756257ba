"""Whether a person is a member of a conversation, asked of the platform's roster port.

"Experts are the members of the experts' channel": who may answer, assign, close or teach
the FAQ is checked at the moment they press, through the platform's roster
(:mod:`bot.roster`: Slack's ``conversations.members``, the Teams roster of the channel's
team), never from a list the bot keeps. The roster is read a page at a time and the walk
stops at the first page that names the person. A platform without a roster has no
members the core can vouch for, so nobody there counts as one.
"""

from __future__ import annotations

from contextlib import aclosing

from bot.events import Actor
from bot.outbound import MessageRef, Place
from bot.roster import Rosters


async def is_member(
    rosters: Rosters, place: Place, person: Actor, message: MessageRef | None = None
) -> bool:
    """True when the platform lists ``person`` among ``place``'s members right now
    (``message``: one of the bot's messages there, which some platforms need to find the
    conversation again). False on another platform or workspace, or without a roster."""
    if (place.platform, place.workspace) != (person.platform, person.workspace):
        return False
    roster = rosters.get(place.platform)
    if roster is None or not person.user:
        return False
    async with aclosing(roster.members(place, message)) as pages:  # type: ignore[type-var]
        async for page in pages:
            if any(member.user == person.user for member in page):
                return True
    return False
