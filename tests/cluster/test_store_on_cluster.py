"""The store conformance suite, run unchanged against a 3-master Redis Cluster.

The tests are imported from ``tests/suites/store_conformance.py``; this folder's conftest
swaps in a cluster ``store`` and ``redis_client`` built through ``REDIS_CLUSTER``. The one
test that opens extra connections from a URL is replaced by its cluster twin below.
"""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from bot.redis_connect import connect
from bot.settings import Settings
from bot.store import StateStore
from tests.suites.store_conformance import *  # noqa: F403


# Shadows the imported test of the same name, which opens plain clients from redis_url.
async def test_concurrent_updates_from_separate_connections_lose_nothing(
    store: StateStore, redis_cluster_seeds: str
) -> None:
    """Four separate cluster clients (four replicas' worth) racing on one key lose nothing."""
    connections = [connect(Settings(redis_cluster=redis_cluster_seeds)) for _ in range(4)]
    try:
        stores = [StateStore(c.client, prefix=store.prefix) for c in connections]
        await asyncio.gather(
            *(
                s.update_json("counter", change=lambda v: (v or 0) + 1)
                for _ in range(25)
                for s in stores
            )
        )
        assert await store.get_json("counter") == 100
    finally:
        for connection in connections:
            await connection.close()


async def test_keys_spread_over_every_master(
    store: StateStore, redis_client: aioredis.RedisCluster
) -> None:
    """Proof the suite really ran sharded: its keys land on all three masters."""
    for user in range(30):
        await store.put_json("quiz", "test", "W1", f"U{user}", value={"n": user})
    masters = redis_client.get_primaries()
    assert len(masters) == 3
    slots_by_master = {m.name: 0 for m in masters}
    for user in range(30):
        node = redis_client.get_node_from_key(store.key("quiz", "test", "W1", f"U{user}"))
        assert node is not None
        slots_by_master[node.name] += 1
    assert all(count > 0 for count in slots_by_master.values()), slots_by_master
