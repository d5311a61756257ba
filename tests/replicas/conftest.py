"""Fixtures for the replica tests: independent conversation cores on one Redis.

Each core is its own ``Conversation`` and ``StateStore`` on its own Redis connection (made
by ``bot.redis_connect.connect``, as ``ai-choice serve`` makes it), sharing only the key
prefix, as pods behind one Service share only Redis.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from bot.content import Content
from bot.conversation import Conversation
from bot.redis_connect import RedisConnection, connect
from bot.settings import Settings
from bot.store import StateStore

ReplicaFactory = Callable[[int], list[Conversation]]


@pytest.fixture
async def replica_cores(
    content: Content, store: StateStore, redis_url: str
) -> AsyncIterator[ReplicaFactory]:
    """Makes ``n`` independent conversation cores, one shared prefix; every connection is
    closed after the test."""
    connections: list[RedisConnection] = []

    def make(n: int) -> list[Conversation]:
        made = [connect(Settings(redis_url=redis_url)) for _ in range(n)]
        connections.extend(made)
        return [Conversation(content, StateStore(c.client, prefix=store.prefix)) for c in made]

    yield make
    for connection in connections:
        await connection.close()


@pytest.fixture
def replicas(replica_cores: ReplicaFactory) -> list[Conversation]:
    """Two independent conversation cores, each on its own connection, one shared prefix."""
    return replica_cores(2)
