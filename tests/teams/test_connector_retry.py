"""The connector retry wrapper's bounds: which statuses, how many attempts, how long."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from adapters.teams.connector_retry import RetryPolicy, with_retries


@dataclass
class FakeResponse:
    """The part of an msrest response the wrapper reads."""

    status_code: int
    headers: dict[str, str] = field(default_factory=dict)


class ConnectorError(Exception):
    """Shaped like msrest's ErrorResponseException: carries ``response``."""

    def __init__(self, status: int, retry_after: str | None = None) -> None:
        super().__init__(f"HTTP {status}")
        headers = {"Retry-After": retry_after} if retry_after else {}
        self.response = FakeResponse(status, headers)


class Script:
    """A call that fails with the given statuses, then returns "ok"."""

    def __init__(self, *statuses: int, retry_after: str | None = None) -> None:
        self.statuses = list(statuses)
        self.retry_after = retry_after
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.statuses:
            raise ConnectorError(self.statuses.pop(0), self.retry_after)
        return "ok"


class Sleeps:
    """Records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.mark.parametrize("status", [412, 429, 502, 504])
async def test_transient_statuses_are_retried(status: int) -> None:
    call, sleeps = Script(status, status), Sleeps()
    assert await with_retries(call, sleep=sleeps) == "ok"
    assert call.calls == 3
    assert len(sleeps.waits) == 2
    assert all(0 <= w <= RetryPolicy().max_delay for w in sleeps.waits)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 500, 503])
async def test_other_failures_are_raised_at_once(status: int) -> None:
    call, sleeps = Script(status), Sleeps()
    with pytest.raises(ConnectorError):
        await with_retries(call, sleep=sleeps)
    assert (call.calls, sleeps.waits) == (1, [])


async def test_attempts_are_bounded() -> None:
    call, sleeps = Script(429, 429, 429, 429, 429), Sleeps()
    with pytest.raises(ConnectorError):
        await with_retries(call, RetryPolicy(attempts=3), sleep=sleeps)
    assert call.calls == 3


async def test_retry_after_is_honoured_within_the_bounds() -> None:
    call, sleeps = Script(429, retry_after="1.5"), Sleeps()
    assert await with_retries(call, sleep=sleeps) == "ok"
    assert sleeps.waits == [1.5]
    long_wait, sleeps = Script(429, 429, 429, retry_after="120"), Sleeps()
    with pytest.raises(ConnectorError):
        await with_retries(long_wait, RetryPolicy(max_delay=2.0, max_total_wait=3.0), sleep=sleeps)
    assert sum(sleeps.waits) <= 3.0
