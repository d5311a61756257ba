"""Where scheduled polls and each person's list of polls live in Redis.

* ``poll-schedules`` one sorted set: schedule id -> its next occurrence (epoch seconds).
  Kept for good but bounded: one member per live schedule; a one-off leaves when it is
  posted, a series when it is stopped (or its record has expired). Moving a member on to
  its next occurrence, only if it still holds the one due (:file:`schedule_claim.lua`),
  is the claim that lets exactly one server post each occurrence.
* ``poll-schedule:{id}`` the schedule's record (JSON: the poll command, where and by whom,
  the rule, the last poll it posted); expires :data:`SCHEDULE_TTL_SECONDS` after its
  next occurrence, and every posting starts that time again.
* ``poll-mine:<platform>:<workspace>:<user>`` a sorted set of the newest
  :data:`MINE_KEPT` polls (``p:<id>``) a person started, scored by when; expires with the
  polls (90 days after the last one started).
* ``poll-series:<platform>:<workspace>:<user>`` the person's live schedules (``s:<id>``,
  at most :data:`MAX_SCHEDULES_PER_PERSON`), scored by when they were set up; expires
  :data:`SERIES_TTL_SECONDS` after the last one was set up or posted.
"""

from __future__ import annotations

import importlib.resources
import json
from typing import Any

from bot.events import Actor
from bot.poll_store import POLL_TTL_SECONDS
from bot.store import StateStore, reachable

#: The sorted set of every live schedule's next occurrence.
SCHEDULES = ("poll-schedules",)
#: A schedule's record outlives its next occurrence by this much (a server down for a
#: while still finds it, and posts late, once).
SCHEDULE_TTL_SECONDS = 30 * 24 * 3600
#: How many schedules and polls each person's list keeps (the newest).
MINE_KEPT = 50
#: How many schedules one person may have live in one workspace.
MAX_SCHEDULES_PER_PERSON = 10
#: A person's list of schedules outlives the last one set up or posted by this much.
SERIES_TTL_SECONDS = POLL_TTL_SECONDS + SCHEDULE_TTL_SECONDS


def _script(name: str) -> str:
    return importlib.resources.files("bot").joinpath(name).read_text(encoding="utf-8")


class ScheduleStore:
    """Schedules and people's lists of polls in Redis."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        self._claim = store.client.register_script(_script("schedule_claim.lua"))

    @property
    def _schedules(self) -> str:
        return self.store.key(*SCHEDULES)

    def _mine(self, platform: str, workspace: str, user: str, member: str = "p:") -> str:
        name = "poll-series" if member.startswith("s:") else "poll-mine"
        return self.store.key(name, platform, workspace, user)

    # --- schedules ----------------------------------------------------------------------

    async def save(self, record: dict[str, Any], occurrence: float) -> None:
        """Store a schedule's record and its next occurrence."""
        ttl = max(int(occurrence - float(record["created"])), 0) + SCHEDULE_TTL_SECONDS
        await self.store.put_json("poll-schedule", record["id"], value=record, ttl=ttl)
        async with reachable("schedule add"):
            await self.store.client.zadd(self._schedules, {record["id"]: occurrence})

    async def record(self, schedule_id: str) -> dict[str, Any] | None:
        """A schedule's record, or None when there is none (stopped, finished, expired)."""
        value = await self.store.get_json("poll-schedule", schedule_id)
        return value if isinstance(value, dict) else None

    async def rewrite(self, record: dict[str, Any], next_occurrence: float, now: float) -> None:
        """Keep a series' record for another while after its next occurrence."""
        ttl = max(int(next_occurrence - now), 0) + SCHEDULE_TTL_SECONDS
        await self.store.put_json("poll-schedule", record["id"], value=record, ttl=ttl)

    async def next_occurrence(self, schedule_id: str) -> float | None:
        """When the schedule is next due, or None when it is not live."""
        async with reachable("schedule next"):
            score = await self.store.client.zscore(self._schedules, schedule_id)
        return float(score) if score is not None else None

    async def due(self, now: float, limit: int = 100) -> list[tuple[str, float]]:
        """Schedules whose occurrence has come, with that occurrence."""
        return await self.store.due_members(self._schedules, now, limit, "schedules due")

    async def claim(self, schedule_id: str, occurrence: float, following: float | None) -> bool:
        """Take ``occurrence`` of the schedule: True for exactly one server. The schedule
        moves on to ``following`` (None: it is done and leaves the set)."""
        args = [schedule_id, repr(occurrence), "" if following is None else repr(following)]
        async with reachable("schedule claim"):
            return bool(await self._claim(keys=[self._schedules], args=args))

    async def stop(self, schedule_id: str) -> bool:
        """Take the schedule off for good; True when it was live."""
        async with reachable("schedule stop"):
            removed = await self.store.client.zrem(self._schedules, schedule_id)
        await self.store.delete("poll-schedule", schedule_id)
        return bool(removed)

    # --- a person's list --------------------------------------------------------------

    async def remember(self, actor: Actor, member: str, when: float) -> None:
        """Add a poll (``p:<id>``, the newest :data:`MINE_KEPT` kept) or a schedule
        (``s:<id>``, capped by :data:`MAX_SCHEDULES_PER_PERSON`) to the person's lists."""
        key = self._mine(actor.platform, actor.workspace, actor.user, member)
        series = member.startswith("s:")
        async with reachable("poll list"), self.store.client.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {member: when})
            if not series:
                pipe.zremrangebyrank(key, 0, -MINE_KEPT - 1)
            pipe.expire(key, SERIES_TTL_SECONDS if series else POLL_TTL_SECONDS)
            await pipe.execute()

    async def keep_series(self, platform: str, workspace: str, user: str) -> None:
        """Start the person's list of schedules on its time again (a schedule posted)."""
        async with reachable("poll series keep"):
            await self.store.client.expire(
                self._mine(platform, workspace, user, "s:"), SERIES_TTL_SECONDS
            )

    async def forget(self, platform: str, workspace: str, user: str, member: str) -> None:
        """Take ``member`` off the person's list."""
        async with reachable("poll list forget"):
            await self.store.client.zrem(self._mine(platform, workspace, user, member), member)

    async def mine(self, actor: Actor) -> list[str]:
        """The person's schedules, then their polls, each newest first."""
        series = self._mine(actor.platform, actor.workspace, actor.user, "s:")
        polls = self._mine(actor.platform, actor.workspace, actor.user, "p:")
        async with reachable("poll list read"), self.store.client.pipeline(False) as pipe:
            pipe.zrevrange(series, 0, -1)
            pipe.zrevrange(polls, 0, -1)
            found_series, found_polls = await pipe.execute()
        return [str(member) for member in (*found_series, *found_polls)]

    async def records(self, schedule_ids: list[str]) -> list[dict[str, Any] | None]:
        """Several schedules' records in one round trip (None for those gone)."""
        if not schedule_ids:
            return []
        keys = [self.store.key("poll-schedule", s) for s in schedule_ids]
        async with reachable("schedule records"), self.store.client.pipeline(False) as pipe:
            for key in keys:
                pipe.hget(key, "data")
            raw = await pipe.execute()
        return [json.loads(value) if value is not None else None for value in raw]
