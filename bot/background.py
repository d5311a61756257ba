"""Work that goes on after the request that started it has been answered.

Chat platforms want a quick acknowledgement; anything slower (the conversation, calls to
the platform, a poll message's refresh) runs as a task held here, so tasks are not
garbage-collected mid-flight, their failures are logged, and shutdown can let them finish.
Every front end and the poll service keep their tasks in one of these.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from bot.store import StoreUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")


class BackgroundWork:
    """A set of running tasks that can be drained on shutdown."""

    def __init__(self, owner: str) -> None:
        #: Who the tasks belong to, for log lines ("slack", "polls"...).
        self.owner = owner
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, T], name: str) -> asyncio.Task[T]:
        """Start ``work`` now; it keeps running after the HTTP response has gone."""
        task = asyncio.get_running_loop().create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s: %s failed", self.owner, task.get_name(), exc_info=task.exception())

    @property
    def running(self) -> int:
        """How many tasks are still running."""
        return len(self._tasks)

    async def drain(self, timeout: float | None = None) -> None:
        """Wait for running tasks, including those they start, up to ``timeout`` seconds
        (None: as long as it takes); then cancel the rest."""
        while self._tasks:
            _done, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
            if pending:
                for task in pending:
                    task.cancel()
                await asyncio.wait(pending)
                log.warning("%s: cancelled %d unfinished task(s)", self.owner, len(pending))
                return


async def finished_within(task: asyncio.Future[Any], timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for ``task``; True when it is done.

    The task keeps running either way, and cancelling the waiter leaves it alone (what
    ``wait_for(shield(task))`` does, for one future and one timer instead of three
    futures, a timer and a cancellation on the way out).
    """
    if task.done():
        return True
    loop = asyncio.get_running_loop()
    waiter = loop.create_future()

    def wake(_: object = None) -> None:
        if not waiter.done():
            waiter.set_result(None)

    timer = loop.call_later(timeout, wake)
    task.add_done_callback(wake)
    try:
        await waiter
    finally:
        timer.cancel()
        task.remove_done_callback(wake)
    return task.done()


async def sweep_forever(
    sweep: Callable[[], Awaitable[object]], every: float, what: str, logger: logging.Logger
) -> None:
    """Call ``sweep`` every ``every`` seconds forever (a background task of ``serve``): an
    outage of Redis (already logged by the store) or a failed round (logged to ``logger``
    as "``what`` failed") never ends it; the next round tries again."""
    while True:
        try:
            await sweep()
        except StoreUnavailable:
            pass  # already logged; try again next round
        except Exception:
            logger.exception("%s failed", what)
        await asyncio.sleep(every)
