"""What an operator reads at /metrics after real Teams traffic."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

from tests.teams.conftest import StandInConnector, payload

Client = TestClient[Any, Any]


async def metric(client: Client, name: str, **labels: str) -> float:
    text = await (await client.get("/metrics")).text()
    for line in text.splitlines():
        if not line.startswith(name + "{") and line.split(" ")[0] != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_requests_answers_and_timings_are_counted(
    teams: Client, connector: StandInConnector
) -> None:
    before = await metric(teams, "aic_requests_total", platform="teams", kind="message")
    answered = await metric(teams, "aic_faq_questions_total", outcome="answered")
    acks = await metric(teams, "aic_ack_seconds_count", platform="teams")
    response = await teams.post("/api/messages", json=payload("personal_message", connector.url))
    assert response.status == 201
    assert await metric(teams, "aic_requests_total", platform="teams", kind="message") == before + 1
    assert await metric(teams, "aic_faq_questions_total", outcome="answered") == answered + 1
    assert await metric(teams, "aic_ack_seconds_count", platform="teams") == acks + 1
    assert await metric(teams, "aic_redis_seconds_count", operation="claim") >= 1


async def test_malformed_requests_are_counted_as_such_and_are_not_errors(teams: Client) -> None:
    malformed = await metric(teams, "aic_requests_total", platform="teams", kind="malformed")
    errors = await metric(teams, "aic_errors_total", platform="teams", where="server")
    response = await teams.post(
        "/api/messages", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert (
        await metric(teams, "aic_requests_total", platform="teams", kind="malformed")
        == malformed + 1
    )
    assert await metric(teams, "aic_errors_total", platform="teams", where="server") == errors
