"""Where polls live in Redis, and the atomic operations on them.

A poll's keys share one hash tag, ``{<poll id>}``, so its Lua scripts run on Redis Cluster:

* ``poll:{id}:meta``     the poll itself (question, options, flags, message reference), JSON
* ``poll:{id}:state``    ``closed``, ``version`` (bumped by every vote and the close), ...
* ``poll:{id}:votes``    voter key -> option index (voter keys are keyed hashes when anonymous);
  in a multiple-choice poll, the voter's picks joined by commas (``0,2``)
* ``poll:{id}:counts``   option index -> count
* ``poll:{id}:names``    voter key -> display name (named polls only)
* ``poll:{id}:profiles`` voter key -> JSON of that voter's questionnaire priorities
* ``poll:{id}:viewers``  sorted set of the newest 60 front-end user ids shown a view of
  their own of the poll's message (Teams' user-specific views), scored by time

The viewers set, like the votes, expires ``POLL_TTL_SECONDS`` after its last change.

Every one of them expires :data:`POLL_TTL_SECONDS` after the poll's last change. Deadlines
sit in one sorted set, ``poll-deadlines`` (score: epoch seconds), kept for good but bounded:
removing a poll from it is the claim that lets exactly one server close it.
"""

from __future__ import annotations

import importlib.resources
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.poll_options import parse_picks
from bot.store import StateStore, reachable

VOTE_NEW, VOTE_MOVED, VOTE_WITHDRAWN, VOTE_UNCHANGED = 0, 1, 2, 3
VOTE_CLOSED, VOTE_NO_POLL = -1, -2
#: Multiple-choice polls: another pick added; a press beyond the limit (nothing changed).
VOTE_ADDED, VOTE_FULL = 4, 5

#: Poll data outlives the poll by this much, for exports and late button presses.
POLL_TTL_SECONDS = 90 * 24 * 3600
#: The sorted set of open polls' deadlines.
DEADLINES = ("poll-deadlines",)


def _script(name: str) -> str:
    return importlib.resources.files("bot").joinpath(name).read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class VoteOutcome:
    """What one vote did."""

    status: int
    previous: int | None


@dataclass(frozen=True, slots=True)
class Tally:
    """A poll's live numbers, read together."""

    counts: tuple[int, ...]
    voters: int
    closed: bool
    closed_at: float | None
    version: int
    #: Voter key -> option index (empty for anonymous polls when not needed).
    votes: dict[str, int]
    names: dict[str, str]
    profiles: list[dict[str, float]]
    #: Voter key -> every option they picked (one for a single-choice poll); filled when
    #: ``votes`` is. ``votes`` lists single picks only.
    picks: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @classmethod
    def empty(cls, options: int) -> Tally:
        """A new poll's numbers: open, no votes."""
        return cls((0,) * options, 0, False, None, 0, {}, {}, [])

    @property
    def votes_cast(self) -> int:
        """Every pick counted (a multiple-choice voter counts once per pick)."""
        return sum(self.counts)


@dataclass(frozen=True, slots=True)
class PicksOutcome:
    """What one press on a multiple-choice poll did, and the voter's picks after it."""

    status: int
    picks: tuple[int, ...]


class PollStore:
    """Poll state in Redis: create, vote, close, read, and claim deadlines."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        client = store.client
        self._vote = client.register_script(_script("poll_vote.lua"))
        self._close = client.register_script(_script("poll_close.lua"))
        self._pick = client.register_script(_script("poll_multi_vote.lua"))

    def _key(self, poll_id: str, part: str) -> str:
        return self.store.key("poll", "{" + poll_id + "}", part)

    def _keys(self, poll_id: str, *parts: str) -> list[str]:
        return [self._key(poll_id, part) for part in parts]

    @property
    def _deadlines(self) -> str:
        return self.store.key(*DEADLINES)

    async def create(self, poll_id: str, meta: dict[str, Any], deadline: float | None) -> None:
        """Store a new poll (open, no votes) and its deadline, if it has one."""
        state, meta_key = self._keys(poll_id, "state", "meta")
        async with reachable("poll create"), self.store.client.pipeline(transaction=False) as pipe:
            pipe.hset(meta_key, mapping={"v": 1, "data": json.dumps(meta)})
            pipe.hset(state, mapping={"closed": "0", "version": 0, "rendered": -1})
            pipe.expire(meta_key, POLL_TTL_SECONDS)
            pipe.expire(state, POLL_TTL_SECONDS)
            if deadline is not None:
                pipe.zadd(self._deadlines, {poll_id: deadline})
            await pipe.execute()

    async def meta(self, poll_id: str) -> dict[str, Any] | None:
        """The poll's definition, or None when there is no such poll."""
        value = await self.store.get_json("poll", "{" + poll_id + "}", "meta")
        return value if isinstance(value, dict) else None

    async def update_meta(self, poll_id: str, changes: dict[str, Any]) -> None:
        """Merge ``changes`` into the poll's definition (e.g. its message reference)."""

        def merge(current: Any) -> Any:
            return {**current, **changes} if isinstance(current, dict) else current

        await self.store.update_json(
            "poll", "{" + poll_id + "}", "meta", change=merge, ttl=POLL_TTL_SECONDS
        )

    async def add_viewer(self, poll_id: str, viewer: str, limit: int) -> None:
        """Remember ``viewer`` among the newest ``limit`` people shown a view of their own."""
        key = self._key(poll_id, "viewers")
        async with reachable("poll viewer"), self.store.client.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {viewer: time.time()})
            pipe.zremrangebyrank(key, 0, -limit - 1)
            pipe.expire(key, POLL_TTL_SECONDS)
            await pipe.execute()

    async def viewers(self, poll_id: str) -> list[str]:
        """The remembered viewers, oldest first."""
        async with reachable("poll viewers"):
            found = await self.store.client.zrange(self._key(poll_id, "viewers"), 0, -1)
        return [str(viewer) for viewer in found]

    async def vote_of(self, poll_id: str, voter: str) -> int | None:
        """The option ``voter`` has voted for, or None."""
        async with reachable("vote of"):
            option = await self.store.client.hget(self._key(poll_id, "votes"), voter)
        return int(option) if option is not None else None

    async def vote(
        self, poll_id: str, voter: str, option: int, *, toggle: bool, name: str
    ) -> VoteOutcome:
        """Cast, move or withdraw one vote in a single round trip."""
        keys = self._keys(poll_id, "state", "votes", "counts", "names")
        args = [voter, str(option), "toggle" if toggle else "set", name, POLL_TTL_SECONDS]
        async with reachable("vote"):
            status, previous = await self._vote(keys=keys, args=args)
        return VoteOutcome(int(status), int(previous) if previous not in ("", None) else None)

    async def pick(
        self, poll_id: str, voter: str, option: int, *, limit: int, name: str
    ) -> PicksOutcome:
        """Add or take back one pick of a multiple-choice poll in a single round trip;
        a pick beyond ``limit`` changes nothing (status :data:`VOTE_FULL`)."""
        keys = self._keys(poll_id, "state", "votes", "counts", "names")
        args: list[str | int] = [voter, str(option), str(limit), name, POLL_TTL_SECONDS]
        async with reachable("vote"):
            status, picks = await self._pick(keys=keys, args=args)
        return PicksOutcome(int(status), parse_picks(str(picks or "")))

    async def picks_of(self, poll_id: str, voter: str) -> tuple[int, ...]:
        """Every option ``voter`` picked (one at most in a single-choice poll)."""
        async with reachable("vote of"):
            value = await self.store.client.hget(self._key(poll_id, "votes"), voter)
        return parse_picks(str(value)) if value is not None else ()

    async def add_option(self, poll_id: str, change: Callable[[Any], Any]) -> dict[str, Any]:
        """Apply ``change`` (which adds an option, or raises) to the poll's definition
        atomically, and bump its version so its message is updated; the new definition."""
        changed = await self.store.update_json(
            "poll", "{" + poll_id + "}", "meta", change=change, ttl=POLL_TTL_SECONDS
        )
        async with reachable("poll option"):
            await self.store.client.hincrby(self._key(poll_id, "state"), "version", 1)
        return changed if isinstance(changed, dict) else {}

    async def close(self, poll_id: str, when: float, by: str) -> int:
        """Close the poll; 1 when this call closed it, 0 when it was closed already."""
        async with reachable("poll close"):
            result = int(await self._close(keys=[self._key(poll_id, "state")], args=[when, by]))
            await self.store.client.zrem(self._deadlines, poll_id)
        return result

    async def save_profile(self, poll_id: str, voter: str, priorities: dict[str, float]) -> None:
        """Keep one voter's questionnaire priorities (replacing an earlier take)."""
        key = self._key(poll_id, "profiles")
        async with reachable("poll profile"), self.store.client.pipeline(transaction=False) as pipe:
            pipe.hset(key, voter, json.dumps(priorities))
            pipe.expire(key, POLL_TTL_SECONDS)  # as long as the votes it explains
            await pipe.execute()

    async def tally(self, poll_id: str, options: int, with_voters: bool) -> Tally:
        """Counts, voters, state and (when asked) who voted for what, in one pipeline."""
        client = self.store.client
        state, counts, votes, names, profiles = self._keys(
            poll_id, "state", "counts", "votes", "names", "profiles"
        )
        async with reachable("tally"), client.pipeline(transaction=False) as pipe:
            pipe.hgetall(state)
            pipe.hgetall(counts)
            pipe.hlen(votes)
            pipe.hvals(profiles)
            if with_voters:
                pipe.hgetall(votes)
                pipe.hgetall(names)
            results = await pipe.execute()
        state_map, count_map, voters, profile_list = results[:4]
        vote_map: dict[str, str] = results[4] if with_voters else {}
        name_map: dict[str, str] = results[5] if with_voters else {}
        picks = {voter: parse_picks(value) for voter, value in vote_map.items()}
        return Tally(
            counts=tuple(int(count_map.get(str(i), 0)) for i in range(options)),
            voters=int(voters),
            closed=state_map.get("closed") == "1",
            closed_at=float(state_map["closed_at"]) if "closed_at" in state_map else None,
            version=int(state_map.get("version", 0)),
            votes={voter: chosen[0] for voter, chosen in picks.items() if len(chosen) == 1},
            names=dict(name_map),
            profiles=[json.loads(p) for p in profile_list],
            picks=picks,
        )

    async def claim_render(self, poll_id: str, window_ms: int) -> bool:
        """True when this server may update the poll's message now (one per window)."""
        async with reachable("render claim"):
            key = self._key(poll_id, "render-lock")
            return bool(await self.store.client.set(key, "1", nx=True, px=window_ms))

    async def mark_rendered(self, poll_id: str, version: int) -> None:
        """Remember which version the poll's message now shows."""
        async with reachable("render mark"):
            await self.store.client.hset(self._key(poll_id, "state"), "rendered", version)

    async def render_lag(self, poll_id: str) -> tuple[int, int]:
        """(current version, version the message shows)."""
        async with reachable("render lag"):
            version, rendered = await self.store.client.hmget(
                self._key(poll_id, "state"), ["version", "rendered"]
            )
        return int(version or 0), int(rendered or -1)

    async def due(self, now: float, limit: int = 100) -> list[str]:
        """Polls whose deadline has passed and that no server has claimed yet."""
        async with reachable("deadlines"):
            found = await self.store.client.zrangebyscore(
                self._deadlines, "-inf", now, start=0, num=limit
            )
        return [str(poll_id) for poll_id in found]

    async def claim_deadline(self, poll_id: str) -> bool:
        """Take a due poll off the deadline set; only one server ever gets True."""
        async with reachable("deadline claim"):
            return bool(await self.store.client.zrem(self._deadlines, poll_id))
