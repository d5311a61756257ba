"""The store through the ``REDIS_SENTINEL`` client path: one master, one sentinel, loopback.

The sentinel is asked for the master's address the way the app asks it in production
(``bot.redis_connect.connect``); a few conformance tests then run through that client.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import pytest
import redis.asyncio as aioredis

from bot.redis_connect import connect
from bot.settings import Settings
from bot.store import StateStore
from tests.cluster.redis_processes import NO_BINARY_REASON, redis_server_binary, running_sentinel
from tests.suites import store_conformance as conformance


@pytest.fixture(scope="module")
def redis_sentinel_setting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``REDIS_SENTINEL`` for a running master + sentinel: ``127.0.0.1:port/mymaster``."""
    binary = redis_server_binary()
    if binary is None:
        pytest.skip(NO_BINARY_REASON)
    started = time.monotonic()
    with running_sentinel(binary, tmp_path_factory.mktemp("redis-sentinel")) as ports:
        _master_port, sentinel_port = ports
        print(f"\nredis sentinel ready in {time.monotonic() - started:.2f}s")
        yield f"127.0.0.1:{sentinel_port}/mymaster"


@pytest.fixture
async def redis_client(redis_sentinel_setting: str) -> AsyncIterator[aioredis.Redis]:
    """The master's client, found through the sentinel as the app finds it."""
    connection = connect(Settings(redis_sentinel=redis_sentinel_setting))
    assert connection.description == "sentinel service mymaster"
    assert isinstance(connection.client, aioredis.Redis)
    try:
        yield connection.client
    finally:
        await connection.close()


async def test_the_client_talks_to_the_master_the_sentinel_names(
    redis_client: aioredis.Redis,
) -> None:
    role = await redis_client.execute_command("ROLE")
    assert role[0] == "master"


test_values_round_trip_as_json = conformance.test_values_round_trip_as_json
test_a_ttl_is_set_when_asked = conformance.test_a_ttl_is_set_when_asked
test_claim_once_is_true_only_the_first_time = (
    conformance.test_claim_once_is_true_only_the_first_time
)
test_concurrent_updates_lose_nothing = conformance.test_concurrent_updates_lose_nothing
test_counters_add_up = conformance.test_counters_add_up


async def test_two_sentinel_clients_racing_lose_nothing(
    store: StateStore, redis_sentinel_setting: str
) -> None:
    """Two replicas' worth of sentinel clients updating one key keep every increment."""
    connections = [connect(Settings(redis_sentinel=redis_sentinel_setting)) for _ in range(2)]
    try:
        stores = [StateStore(c.client, prefix=store.prefix) for c in connections]
        await asyncio.gather(
            *(s.update_json("n", change=lambda v: (v or 0) + 1) for _ in range(30) for s in stores)
        )
        assert await store.get_json("n") == 60
    finally:
        for connection in connections:
            await connection.close()
