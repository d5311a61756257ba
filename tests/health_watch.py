"""Asking ``/healthz`` from a thread of its own while a test's request is being processed.

The server under test runs on the test's event loop; this thread is outside it, so the
slowest ``/healthz`` answer it sees is (at least) how long the loop was blocked.
"""

from __future__ import annotations

import asyncio
import threading
import time
import urllib.request
from types import TracebackType


class HealthWatch:
    """``async with HealthWatch(url) as watch: ...``; then ``watch.answers`` and
    ``watch.slowest`` (seconds). It waits on the loop, never blocking it: the server
    it asks runs there."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.answers = 0
        self.slowest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._ask, name="healthz watch", daemon=True)

    def _ask(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            with urllib.request.urlopen(self.url, timeout=60) as response:
                assert response.status == 200
            self.slowest = max(self.slowest, time.perf_counter() - started)
            self.answers += 1
            self._stop.wait(0.005)

    async def __aenter__(self) -> HealthWatch:
        self._thread.start()
        while self.answers == 0 and self._thread.is_alive():  # answering before the work
            await asyncio.sleep(0.001)
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        # One more answer after the work: a request held up by it has then been counted.
        answered = self.answers
        while self.answers <= answered and self._thread.is_alive():
            await asyncio.sleep(0.001)
        self._stop.set()
        await asyncio.to_thread(self._thread.join, 60)
