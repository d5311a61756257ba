"""Fixtures that run tests against a real 3-master Redis Cluster on loopback ports.

The cluster is started once per session from the machine's ``redis-server`` binary and
stopped at the end; every test here skips (with the reason) when the binary is missing.
``redis_client`` and ``store`` are overridden so that suites written for one Redis run
unchanged against the cluster through the app's own ``REDIS_CLUSTER`` client path.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator

import pytest
import redis.asyncio as aioredis

from bot.redis_connect import connect
from bot.settings import Settings
from tests.cluster.redis_processes import NO_BINARY_REASON, redis_server_binary, running_cluster


@pytest.fixture(scope="session")
def redis_cluster_seeds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``REDIS_CLUSTER`` for a running 3-master cluster: ``127.0.0.1:p1,127.0.0.1:p2,...``."""
    binary = redis_server_binary()
    if binary is None:
        pytest.skip(NO_BINARY_REASON)
    started = time.monotonic()
    with running_cluster(binary, tmp_path_factory.mktemp("redis-cluster")) as ports:
        print(f"\nredis cluster on ports {ports} ready in {time.monotonic() - started:.2f}s")
        yield ",".join(f"127.0.0.1:{port}" for port in ports)


@pytest.fixture
async def redis_client(redis_cluster_seeds: str) -> AsyncIterator[aioredis.RedisCluster]:
    """A cluster client made the way the app makes it, from ``REDIS_CLUSTER``."""
    connection = connect(Settings(redis_cluster=redis_cluster_seeds))
    assert isinstance(connection.client, aioredis.RedisCluster)
    try:
        yield connection.client
    finally:
        await connection.close()


@pytest.fixture
def redis_url() -> str:
    """Not available here: a plain client on a cluster node would only get MOVED replies."""
    pytest.fail("tests under tests/cluster must use redis_cluster_seeds, not redis_url")
