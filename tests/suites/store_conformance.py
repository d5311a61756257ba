"""The store conformance suite: what every state store must do, against a real Redis."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from bot.store import StateStore


async def test_a_missing_value_reads_as_none(store: StateStore) -> None:
    assert await store.get_json("nothing", "here") is None


async def test_values_round_trip_as_json(store: StateStore) -> None:
    value = {"answers": {"team": "remote"}, "current": 3, "flags": [True, None, 1.5], "é": "ü"}
    await store.put_json("quiz", "u1", value=value)
    assert await store.get_json("quiz", "u1") == value


async def test_keys_are_namespaced_under_the_prefix(
    store: StateStore, redis_client: aioredis.Redis
) -> None:
    await store.put_json("quiz", "slack", "T1", "U1", value={"x": 1})
    assert await redis_client.exists(f"{store.prefix}:quiz:slack:T1:U1") == 1
    other = StateStore(redis_client, prefix=f"{store.prefix}-other")
    assert await other.get_json("quiz", "slack", "T1", "U1") is None


async def test_a_ttl_is_set_when_asked(store: StateStore, redis_client: aioredis.Redis) -> None:
    await store.put_json("short", value=1, ttl=30)
    ttl = await redis_client.ttl(store.key("short"))
    assert 0 < ttl <= 30
    await store.put_json("forever", value=1)
    assert await redis_client.ttl(store.key("forever")) == -1


async def test_update_sees_the_current_value_and_returns_the_new_one(store: StateStore) -> None:
    assert await store.update_json("n", change=lambda v: (v or 0) + 1) == 1
    assert await store.update_json("n", change=lambda v: v + 1) == 2
    assert await store.get_json("n") == 2


async def test_delete_forgets(store: StateStore) -> None:
    await store.put_json("gone", value="soon")
    await store.delete("gone")
    assert await store.get_json("gone") is None


async def test_claim_once_is_true_only_the_first_time(store: StateStore) -> None:
    assert await store.claim_once("event", "T1", "Ev1", ttl=60) is True
    assert await store.claim_once("event", "T1", "Ev1", ttl=60) is False
    assert await store.claim_once("event", "T1", "Ev2", ttl=60) is True


async def test_concurrent_claims_have_exactly_one_winner(store: StateStore) -> None:
    wins = await asyncio.gather(*(store.claim_once("event", "dup", ttl=60) for _ in range(50)))
    assert wins.count(True) == 1


async def test_counters_add_up(store: StateStore) -> None:
    await asyncio.gather(
        *(store.increment("faq", "feedback", field="privacy:up") for _ in range(25))
    )
    await store.increment("faq", "feedback", field="privacy:down", amount=2)
    assert await store.counters("faq", "feedback") == {"privacy:up": 25, "privacy:down": 2}


async def test_concurrent_updates_lose_nothing(store: StateStore) -> None:
    """Last-writer-wins would lose most of these; the version check keeps every one."""

    def add(item: int):  # type: ignore[no-untyped-def]
        return lambda current: sorted({*(current or []), item})

    await asyncio.gather(*(store.update_json("set", change=add(i)) for i in range(60)))
    assert await store.get_json("set") == list(range(60))


async def test_concurrent_updates_from_separate_connections_lose_nothing(
    store: StateStore, redis_url: str
) -> None:
    clients = [aioredis.Redis.from_url(redis_url, decode_responses=True) for _ in range(4)]
    try:
        stores = [StateStore(c, prefix=store.prefix) for c in clients]
        await asyncio.gather(
            *(
                s.update_json("counter", change=lambda v: (v or 0) + 1)
                for _ in range(25)
                for s in stores
            )
        )
        assert await store.get_json("counter") == 100
    finally:
        for client in clients:
            await client.aclose()


async def test_touch_restarts_a_ttl_and_never_creates_a_value(
    store: StateStore, redis_client: aioredis.Redis
) -> None:
    await store.put_json("kept", value=1, ttl=60)
    assert await store.touch("kept", ttl=3600) is True
    assert 60 < await redis_client.ttl(store.key("kept")) <= 3600
    assert await store.touch("never", ttl=3600) is False
    assert await store.get_json("never") is None


async def test_counted_members_stay_at_the_cap_with_their_notes_under_races(
    store: StateStore,
) -> None:
    """Racing counts never over-trim the set nor leave a note behind (one script, one slot)."""
    cap = 50

    async def counter(task: int) -> None:
        for n in range(20):
            await store.count_member("tally", "{t}", member=f"m{task}-{n}", detail=f"d{n}", cap=cap)

    await asyncio.gather(*(counter(task) for task in range(10)))
    kept = dict(await store.ranked_members("tally", "{t}"))
    notes = await store.get_fields(
        "tally", "{t}", "last", fields=[f"m{t}-{n}" for t in range(10) for n in range(20)]
    )
    assert len(kept) == cap
    assert sorted(notes) == sorted(kept)
