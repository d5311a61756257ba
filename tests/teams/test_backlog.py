"""Under overload the replies still to send stay bounded: past the bound a message is
acknowledged only once its reply is sent, and every message still gets its reply."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.teams.conftest import StandInConnector, TeamsTestClient, payload

BOUND = 3
MESSAGES = 8


async def _until(condition: Any, timeout: float = 15.0) -> None:
    """Wait (polling) until ``condition()`` holds; fail after ``timeout`` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition never held"
        await asyncio.sleep(0.01)


async def test_past_the_bound_messages_wait_for_their_reply_and_none_is_dropped(
    teams: TeamsTestClient, connector: StandInConnector
) -> None:
    teams.endpoint.max_background_turns = BOUND
    connector.hold = asyncio.Event()  # the connector takes every reply and sits on it
    posts = [
        asyncio.create_task(
            teams.post_without_waiting(
                "/api/messages",
                json=payload("personal_message", connector.url, id=f"overload-{i}"),
            )
        )
        for i in range(MESSAGES)
    ]
    # Every turn reaches the connector: none is refused or dropped...
    await _until(lambda: len(connector.calls) == MESSAGES)
    await _until(lambda: sum(p.done() for p in posts) >= BOUND)
    await asyncio.sleep(0.2)  # give any wrongly early answer the time to arrive
    # ...but only BOUND were acknowledged with their reply still unsent; the rest wait.
    assert teams.endpoint.running == BOUND
    assert sum(p.done() for p in posts) == BOUND
    connector.hold.set()
    responses = await asyncio.gather(*posts)
    assert [r.status for r in responses] == [201] * MESSAGES
    await teams.turns_finished()
    replied_to = sorted(call.activity_id or "" for call in connector.delivered)
    assert replied_to == sorted(f"overload-{i}" for i in range(MESSAGES))


async def test_the_waits_are_counted_for_operators(
    teams: TeamsTestClient, connector: StandInConnector
) -> None:
    teams.endpoint.max_background_turns = 0  # every message waits for its reply
    before = await _backlog_full(teams)
    response = await teams.post_without_waiting(
        "/api/messages", json=payload("personal_message", connector.url, id="counted-1")
    )
    assert response.status == 201
    assert len(connector.delivered) == 1  # sent before the acknowledgement
    assert await _backlog_full(teams) == before + 1


async def _backlog_full(teams: TeamsTestClient) -> float:
    text = await (await teams.get("/metrics")).text()
    for line in text.splitlines():
        if line.startswith('aic_backlog_full_total{platform="teams"}'):
            return float(line.rpartition(" ")[2])
    return 0.0
