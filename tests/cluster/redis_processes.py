"""Throwaway ``redis-server`` processes on loopback ports: a 3-master Cluster and a Sentinel.

Tests of the ``REDIS_CLUSTER`` and ``REDIS_SENTINEL`` client paths use these instead of a
container: the machine's ``redis-server`` binary, temporary directories, no persistence.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import redis

from tests.net import free_port

#: Why the topology tests skip when there is no server binary to start.
NO_BINARY_REASON = "redis-server binary not found on PATH; Cluster/Sentinel tests need it"

# Cluster slots split as redis-cli --cluster create would for three masters.
_SLOT_RANGES = ((0, 5460), (5461, 10922), (10923, 16383))


def redis_server_binary() -> str | None:
    """The path of ``redis-server``, or None when it is not installed."""
    return shutil.which("redis-server")


@dataclass
class RedisProcess:
    """One ``redis-server`` (or sentinel) child process on a loopback port."""

    port: int
    process: subprocess.Popen[bytes]
    log_file: Path

    def client(self) -> redis.Redis:
        """A synchronous client for setting the server up."""
        return redis.Redis(host="127.0.0.1", port=self.port, decode_responses=True)

    def stop(self) -> None:
        """Stop the process, killing it if it does not exit promptly."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_redis(
    binary: str, workdir: Path, args: Sequence[str] = (), with_bus: bool = False
) -> RedisProcess:
    """Start ``redis-server`` in ``workdir`` on a free port and wait until it answers PING.

    ``args`` go after the port options (e.g. ``--cluster-enabled yes``); a config file path
    may be passed as the first of them for a sentinel.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    last_error = ""
    for _ in range(3):  # a port can be taken between choosing it and binding it
        port = free_port(with_bus=with_bus)
        log_file = workdir / f"redis-{port}.log"
        command = [
            binary,
            *args,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(workdir),
            "--logfile",
            str(log_file),
            "--daemonize",
            "no",
        ]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        server = RedisProcess(port, process, log_file)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and process.poll() is None:
            with contextlib.suppress(redis.exceptions.ConnectionError):
                if server.client().ping():
                    return server
            time.sleep(0.02)
        server.stop()
        last_error = log_file.read_text() if log_file.exists() else ""
    raise RuntimeError(f"redis-server did not start: {last_error[-2000:]}")


def _cluster_ready(nodes: Sequence[RedisProcess]) -> bool:
    for node in nodes:
        info = node.client().cluster("INFO")
        text = info if isinstance(info, str) else str(info)
        if isinstance(info, dict):
            ok = (
                info.get("cluster_state") == "ok"
                and int(info.get("cluster_known_nodes", 0)) == len(nodes)
                and int(info.get("cluster_slots_ok", 0)) == 16384
            )
        else:
            ok = (
                "cluster_state:ok" in text
                and f"cluster_known_nodes:{len(nodes)}" in text
                and "cluster_slots_ok:16384" in text
            )
        if not ok:
            return False
    return True


@contextlib.contextmanager
def running_cluster(binary: str, workdir: Path, timeout: float = 20.0) -> Iterator[list[int]]:
    """A 3-master Redis Cluster on loopback ports; yields the ports, stops it afterwards.

    Slots are assigned with CLUSTER ADDSLOTSRANGE and the nodes introduced with CLUSTER
    MEET (what ``redis-cli --cluster create`` does), then it waits for ``cluster_state:ok``
    on every node.
    """
    nodes: list[RedisProcess] = []
    try:
        for index in range(len(_SLOT_RANGES)):
            nodes.append(
                start_redis(
                    binary,
                    workdir / f"node{index}",
                    [
                        "--cluster-enabled",
                        "yes",
                        "--cluster-config-file",
                        "nodes.conf",
                        "--cluster-node-timeout",
                        "2000",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                    ],
                    with_bus=True,
                )
            )
        for node, (first, last) in zip(nodes, _SLOT_RANGES, strict=True):
            node.client().execute_command("CLUSTER", "ADDSLOTSRANGE", first, last)
        for node in nodes[1:]:
            nodes[0].client().execute_command("CLUSTER", "MEET", "127.0.0.1", node.port)
        deadline = time.monotonic() + timeout
        while not _cluster_ready(nodes):
            if time.monotonic() > deadline:
                raise RuntimeError("the test Redis Cluster did not reach cluster_state:ok")
            time.sleep(0.05)
        yield [node.port for node in nodes]
    finally:
        for node in nodes:
            node.stop()


@contextlib.contextmanager
def running_sentinel(
    binary: str, workdir: Path, service: str = "mymaster", timeout: float = 10.0
) -> Iterator[tuple[int, int]]:
    """One master plus one ``redis-server --sentinel`` watching it as ``service``.

    Yields ``(master_port, sentinel_port)`` once the sentinel names the master.
    """
    master = start_redis(binary, workdir / "master", ["--save", "", "--appendonly", "no"])
    sentinel: RedisProcess | None = None
    try:
        sentinel_dir = workdir / "sentinel"
        sentinel_dir.mkdir(parents=True, exist_ok=True)
        config = sentinel_dir / "sentinel.conf"
        # A sentinel rewrites its config file, so it must be its own writable copy.
        config.write_text(
            f"sentinel monitor {service} 127.0.0.1 {master.port} 1\n"
            f"sentinel down-after-milliseconds {service} 5000\n"
        )
        sentinel = start_redis(binary, sentinel_dir, [str(config), "--sentinel"])
        deadline = time.monotonic() + timeout
        while True:
            address = sentinel.client().execute_command(
                "SENTINEL", "GET-MASTER-ADDR-BY-NAME", service
            )
            if address and int(address[1]) == master.port:
                break
            if time.monotonic() > deadline:
                raise RuntimeError("the test sentinel never named its master")
            time.sleep(0.05)
        yield master.port, sentinel.port
    finally:
        if sentinel is not None:
            sentinel.stop()
        master.stop()
