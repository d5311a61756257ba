"""Driving scheduled polls in the core: a clock in Paris, a recording outbound port."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.conversation import Conversation
from bot.events import Actor, Command
from bot.outbound import MessageRef, Place
from bot.replies import Reply

PARIS = ZoneInfo("Europe/Paris")
MANAGER = Actor("test", "W1", "C1", "UMGR", "Maya", time_zone="Europe/Paris")


def paris(text: str) -> float:
    """Epoch seconds of a wall-clock time in Paris (``2026-12-03 09:30``)."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=PARIS).timestamp()


class RecordingOutbound:
    """A platform's outbound port: records posts and updates, as a platform stand-in."""

    def __init__(self) -> None:
        self.posts: list[tuple[Place, Reply]] = []
        self.updates: list[tuple[MessageRef, Reply]] = []
        self.notes: list[tuple[Actor, Reply]] = []
        #: When False, the platform refuses every post (the bot left the channel).
        self.accepts = True

    async def post(self, place: Place, reply: Reply) -> MessageRef | None:
        if not self.accepts:
            return None
        self.posts.append((place, reply))
        return {"ts": f"{len(self.posts)}.0", "channel": place.channel}

    async def update(self, message: MessageRef, reply: Reply) -> bool:
        self.updates.append((message, reply))
        return True

    async def notify(self, person: Actor, reply: Reply) -> bool:
        self.notes.append((person, reply))
        return True

    async def delete(self, message: MessageRef) -> bool:
        return True


async def schedule(conversation: Conversation, text: str, actor: Actor = MANAGER) -> Reply:
    """Send ``poll <text>`` as ``actor``; the one reply (a note, or a poll posted now)."""
    (reply,) = await conversation.handle(Command(actor, "poll", text))
    return reply
