"""Loopback ports for the servers tests start (our app, stand-ins, Redis processes)."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(with_bus: bool = False) -> int:
    """A loopback port free right now (and, for a cluster node, its bus port +10000 too)."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if not with_bus:
            return port
        if port + 10000 <= 65535 and _bindable(port + 10000):
            return port
    raise RuntimeError("no free loopback port pair found")


def wait_ready(port: int, seconds: float = 30.0) -> int | None:
    """Poll ``GET /readyz`` on a server we started until it answers 200 (or time runs
    out); the last status seen, None when it never answered."""
    status = None
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and status != 200:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as answer:
                status = answer.status
        except urllib.error.HTTPError as error:
            status = error.code
            time.sleep(0.2)
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    return status
