"""How often polls may start: per person and per channel, over a sliding window in Redis.

Each window is a sorted set of the polls started in it (member: poll id, score: start time
in milliseconds) that expires a window after its last poll:

* ``poll-rate:{<platform>:<workspace>}:person:<user>``
* ``poll-rate:{<platform>:<workspace>}:channel:<channel>``

Both keys carry the workspace as their hash tag, so one Lua script checks and records
both at once, on Redis Cluster too. The limits are in :mod:`bot.limits`.
"""

from __future__ import annotations

import importlib.resources
from enum import Enum

from bot.events import Actor
from bot.limits import POLL_RATE_WINDOW_SECONDS, POLLS_PER_CHANNEL, POLLS_PER_PERSON
from bot.store import StateStore, reachable


class PollQuota(Enum):
    """Which window a poll was refused by, if any."""

    ADMITTED = 0
    PERSON = 1
    CHANNEL = 2


class PollRateLimit:
    """Admits or refuses a new poll, recording the admitted ones."""

    def __init__(
        self,
        store: StateStore,
        *,
        per_person: int = POLLS_PER_PERSON,
        per_channel: int = POLLS_PER_CHANNEL,
        window_seconds: int = POLL_RATE_WINDOW_SECONDS,
    ) -> None:
        self.store = store
        self.per_person = per_person
        self.per_channel = per_channel
        self.window_seconds = window_seconds
        script = importlib.resources.files("bot").joinpath("poll_rate.lua")
        self._admit = store.client.register_script(script.read_text(encoding="utf-8"))

    async def admit(self, actor: Actor, poll_id: str, now: float) -> PollQuota:
        """Record ``poll_id`` as started by ``actor`` now, unless a window is full."""
        tag = "{" + f"{actor.platform}:{actor.workspace}" + "}"
        keys = [self.store.key("poll-rate", tag, "person", actor.user)]
        limits = [self.per_person]
        if actor.channel:  # no channel (App Home): the person's window alone
            keys.append(self.store.key("poll-rate", tag, "channel", actor.channel))
            limits.append(self.per_channel)
        args: list[str | int] = [int(now * 1000), self.window_seconds * 1000, poll_id, *limits]
        async with reachable("poll rate limit"):
            full = int(await self._admit(keys=keys, args=args))
        return PollQuota(full)
