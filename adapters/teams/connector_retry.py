"""Retries for calls to the Bot Connector: throttling and transient gateway errors.

The connector answers 429 when a bot sends too fast, 412 when an update races another,
and 502/504 when a hop is briefly away. Those are retried with exponential backoff and
full jitter, honouring ``Retry-After``, within a bound on attempts and on total waiting
so a reply still lands inside Teams' 15-second window. Anything else is raised at once.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

RETRY_STATUSES = frozenset({412, 429, 502, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try: attempts in all, the first delay, the longest single and total wait."""

    attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 2.0
    max_total_wait: float = 6.0


DEFAULT_RETRY = RetryPolicy()


def status_of(error: BaseException) -> int | None:
    """The HTTP status an msrest/connector error carries, if any."""
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    return status if isinstance(status, int) else None


def _retry_after(error: BaseException) -> float | None:
    headers = getattr(getattr(error, "response", None), "headers", None)
    raw = headers.get("Retry-After") if headers is not None else None
    try:
        return float(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None


async def with_retries(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy = DEFAULT_RETRY,
    *,
    what: str = "connector call",
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """The result of ``call()``, retrying the connector's transient failures within ``policy``."""
    waited = 0.0
    for attempt in range(1, policy.attempts + 1):
        try:
            return await call()
        except Exception as error:
            status = status_of(error)
            if status not in RETRY_STATUSES or attempt == policy.attempts:
                raise
            backoff = random.uniform(
                0, min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
            )
            delay = min(policy.max_delay, _retry_after(error) or backoff)
            if waited + delay > policy.max_total_wait:
                raise
            log.warning("%s got %s; retry %d in %.2fs", what, status, attempt, delay)
            await sleep(delay)
            waited += delay
    raise AssertionError("unreachable: the last attempt returns or raises")
