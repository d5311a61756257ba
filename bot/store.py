"""The Redis state store: every piece of conversation state goes through here.

Values are JSON. Keys are namespaced under one prefix (``aic:`` unless told otherwise),
so several deployments or test runs can share a server. Nothing here scans with ``KEYS``.

Read-modify-write goes through :meth:`StateStore.update_json`, which keeps a version
number beside the value and writes with a compare-and-set Lua script, retrying on a
conflict: two events for the same user arriving at once never lose an answer. Everything
a script touches is one key, so the same code runs on Redis Cluster.

When Redis cannot be reached, every method raises :class:`StoreUnavailable`; the
conversation engine turns that into one friendly line, and the client reconnects by
itself on the next call once the server is back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeAlias

import redis.asyncio as aioredis
import redis.exceptions

from bot.metrics import REDIS_SECONDS, REDIS_UNAVAILABLE

log = logging.getLogger(__name__)

JSON: TypeAlias = Any
RedisClient: TypeAlias = "aioredis.Redis | aioredis.RedisCluster"

# KEYS[1] = the hash holding {v, data}; ARGV = expected version, new JSON, TTL seconds.
# Returns the new version, or -1 when someone else wrote first.
_COMPARE_AND_SET = """
local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if current ~= tonumber(ARGV[1]) then return -1 end
redis.call('HSET', KEYS[1], 'v', current + 1, 'data', ARGV[2])
local ttl = tonumber(ARGV[3])
if ttl > 0 then redis.call('EXPIRE', KEYS[1], ttl) end
return current + 1
"""

# KEYS[1] = the hash; ARGV = new JSON, TTL seconds. Bumps the version and writes.
_PUT = """
redis.call('HINCRBY', KEYS[1], 'v', 1)
redis.call('HSET', KEYS[1], 'data', ARGV[1])
local ttl = tonumber(ARGV[2])
if ttl > 0 then redis.call('EXPIRE', KEYS[1], ttl) end
return 1
"""

# KEYS[1] = sorted set member -> count, KEYS[2] = hash member -> latest detail (one hash
# slot: the caller's parts carry a hash tag); ARGV = member, detail, cap. Counts the
# member, keeps its detail, and trims both to the cap in one step, so racing callers can
# neither over-trim the set nor leave a detail behind. The least counted go (ties: the
# lowest in byte order), never the member just counted. Returns the members that went.
_COUNT_MEMBER = """
redis.call('ZINCRBY', KEYS[1], 1, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
if over <= 0 then return {} end
local gone = {}
for _, name in ipairs(redis.call('ZRANGE', KEYS[1], 0, over)) do
  if #gone < over and name ~= ARGV[1] then
    redis.call('ZREM', KEYS[1], name)
    redis.call('HDEL', KEYS[2], name)
    gone[#gone + 1] = name
  end
end
return gone
"""

_UNREACHABLE = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.BusyLoadingError,
    redis.exceptions.ClusterDownError,
    ConnectionError,
    TimeoutError,
    OSError,
)


class StoreUnavailable(RuntimeError):
    """Redis did not answer; the caller should apologise and try again later."""


class ConflictLimitReached(RuntimeError):
    """A read-modify-write lost the race too many times in a row."""


@asynccontextmanager
async def reachable(operation: str) -> AsyncIterator[None]:
    """Time a Redis operation, and turn the many ways a connection can fail into one
    exception type."""
    started = time.perf_counter()
    try:
        yield
    except _UNREACHABLE as exc:
        REDIS_UNAVAILABLE.inc()
        log.error("redis unreachable during %s: %s", operation, type(exc).__name__)
        raise StoreUnavailable(operation) from exc
    finally:
        REDIS_SECONDS.labels(operation).observe(time.perf_counter() - started)


class StateStore:
    """JSON values under namespaced keys in Redis, with atomic updates and one-shot claims."""

    def __init__(self, client: RedisClient, prefix: str = "aic", max_retries: int = 100) -> None:
        self.client = client
        self.prefix = prefix.rstrip(":")
        self._max_retries = max_retries
        self._cas = client.register_script(_COMPARE_AND_SET)
        self._put = client.register_script(_PUT)
        self._count_member = client.register_script(_COUNT_MEMBER)

    def key(self, *parts: str) -> str:
        """The full Redis key for a logical key made of ``parts``."""
        return ":".join((self.prefix, *parts))

    async def ping(self) -> bool:
        """True when Redis answers right now; never raises."""
        try:
            return bool(await self.client.ping())
        except Exception as exc:
            log.warning("redis ping failed: %s", type(exc).__name__)
            return False

    async def get_json(self, *parts: str) -> JSON | None:
        """The value stored at ``parts``, or None when there is none."""
        async with reachable("get"):
            raw = await self.client.hget(self.key(*parts), "data")
        return None if raw is None else json.loads(raw)

    async def put_json(self, *parts: str, value: JSON, ttl: int | None = None) -> None:
        """Store ``value`` at ``parts`` unconditionally (last writer wins), in one round
        trip; the version still moves on, so a racing update retries against it."""
        encoded = json.dumps(value, separators=(",", ":"))
        async with reachable("put"):
            await self._put(keys=[self.key(*parts)], args=[encoded, ttl or 0])

    async def update_json(
        self,
        *parts: str,
        change: Callable[[JSON | None], JSON],
        ttl: int | None = None,
    ) -> JSON:
        """Apply ``change`` to the stored value atomically and return what was written.

        ``change`` gets the current value (None when there is none) and returns the new
        one; it may be called more than once when other writers get in first, so it must
        not have side effects.
        """
        key = self.key(*parts)
        for attempt in range(self._max_retries):
            async with reachable("update"):
                version_raw, raw = await self.client.hmget(key, ["v", "data"])
                version = int(version_raw or 0)
                current = None if raw is None else json.loads(raw)
                new = change(current)
                encoded = json.dumps(new, separators=(",", ":"))
                written = await self._cas(keys=[key], args=[version, encoded, ttl or 0])
            if int(written) >= 0:
                return new
            # Someone else wrote first: back off a little, at random, so racers spread out.
            await asyncio.sleep(random.uniform(0, 0.001 * min(attempt + 1, 20)))
        raise ConflictLimitReached(key)

    async def increment(self, *parts: str, field: str, amount: int = 1) -> int:
        """Add ``amount`` to one counter in the hash at ``parts``; the new count."""
        async with reachable("increment"):
            return int(await self.client.hincrby(self.key(*parts), field, amount))

    async def counters(self, *parts: str) -> dict[str, int]:
        """Every counter in the hash at ``parts``."""
        async with reachable("counters"):
            raw = await self.client.hgetall(self.key(*parts))
        return {str(field): int(value) for field, value in raw.items()}

    async def count_member(self, *parts: str, member: str, detail: str, cap: int) -> list[str]:
        """Add one to ``member``'s count in the sorted set at ``parts`` and keep ``detail``
        as its latest note in the hash at ``parts + ("last",)``, atomically.

        The set never holds more than ``cap`` members: the least counted go, with their
        notes, and their names are returned. ``parts`` must carry a hash tag (e.g.
        ``("faq", "{asked}")``) so both keys share a slot on Redis Cluster.
        """
        keys = [self.key(*parts), self.key(*parts, "last")]
        async with reachable("count_member"):
            gone: Any = await self._count_member(keys=keys, args=[member, detail, cap])
        return [str(name) for name in gone]

    async def due_members(
        self, key: str, now: float, limit: int, what: str
    ) -> list[tuple[str, float]]:
        """The members of the sorted set ``key`` (a whole key) scored at or before ``now``,
        earliest first, at most ``limit``, with their scores: the due entries of a queue of
        times (deadlines, reminders, schedules). ``what`` names the read if Redis is away."""
        async with reachable(what):
            found: Any = await self.client.zrangebyscore(
                key, "-inf", now, start=0, num=limit, withscores=True
            )
        return [(str(member), float(score)) for member, score in found]

    async def ranked_members(self, *parts: str, limit: int | None = None) -> list[tuple[str, int]]:
        """The sorted set at ``parts`` as (member, count), most counted first."""
        async with reachable("ranked_members"):
            raw: Any = await self.client.zrevrange(
                self.key(*parts), 0, -1 if limit is None else limit - 1, withscores=True
            )
        return [(str(name), int(score)) for name, score in raw]

    async def get_fields(self, *parts: str, fields: list[str]) -> dict[str, str]:
        """The named text fields of the hash at ``parts``; missing fields are left out."""
        if not fields:
            return {}
        async with reachable("get_fields"):
            raw = await self.client.hmget(self.key(*parts), fields)
        return {f: str(v) for f, v in zip(fields, raw, strict=True) if v is not None}

    async def delete(self, *parts: str) -> None:
        """Forget the value at ``parts``."""
        async with reachable("delete"):
            await self.client.delete(self.key(*parts))

    async def touch(self, *parts: str, ttl: int) -> bool:
        """Start the value at ``parts`` on a fresh ``ttl`` seconds; False when there is none."""
        async with reachable("touch"):
            return bool(await self.client.expire(self.key(*parts), ttl))

    async def claim_once(self, *parts: str, ttl: int) -> bool:
        """True the first time ``parts`` is claimed within ``ttl`` seconds, False after.

        Used to handle a redelivered Slack event or Teams activity once (``SET NX EX``).
        """
        async with reachable("claim"):
            return bool(await self.client.set(self.key(*parts), "1", nx=True, ex=ttl))

    async def close(self) -> None:
        """Close the connection pool."""
        await self.client.aclose()
