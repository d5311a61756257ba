"""Replies go to the connector over aiohttp in the event loop: as many in flight as the
load needs (no thread pool in the way), the credentials' bearer token on each, and a
connector that cannot be reached still fails the way msrest reports it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials
from msrest.exceptions import ClientRequestError

from adapters.teams.connector_http import use_aiohttp
from tests.net import free_port
from tests.teams.conftest import StandInConnector, TeamsTestClient, payload

#: More replies at once than botbuilder's default thread pool has threads (CPUs + 4).
IN_FLIGHT = 24


async def _until(condition: Any, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition never held"
        await asyncio.sleep(0.01)


async def test_many_replies_are_in_flight_at_once(
    teams: TeamsTestClient, connector: StandInConnector
) -> None:
    connector.hold = asyncio.Event()  # every reply is received, then held
    for i in range(IN_FLIGHT):
        response = await teams.post_without_waiting(
            "/api/messages", json=payload("personal_message", connector.url, id=f"many-{i}")
        )
        assert response.status == 201
    await _until(lambda: len(connector.calls) == IN_FLIGHT)
    connector.hold.set()
    await teams.turns_finished()
    assert len(connector.delivered) == IN_FLIGHT


class _FixedToken(MicrosoftAppCredentials):  # type: ignore[misc]
    """botframework's credentials with Microsoft's token endpoint left out."""

    def get_access_token(self, force_refresh: bool = False) -> str:
        return "token-from-the-login-service"


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[str, list[dict[str, str]]]]:
    """A connector stand-in that records each call's headers."""
    seen: list[dict[str, str]] = []

    async def reply(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response({"id": "r1"})

    app = web.Application()
    app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", reply)
    server = TestServer(app)
    await server.start_server()
    try:
        yield str(server.make_url("/")), seen
    finally:
        await server.close()


async def _reply(credentials: Any, service_url: str) -> Any:
    client = ConnectorClient(credentials, base_url=service_url)
    use_aiohttp(client)
    try:
        return await client.conversations.reply_to_activity(
            "a:conversation", "activity-1", Activity(type="message", text="hello")
        )
    finally:
        await client.__aexit__(None, None, None)


async def test_each_reply_carries_the_credentials_bearer_token(
    recorder: tuple[str, list[dict[str, str]]],
) -> None:
    url, seen = recorder
    answer = await _reply(_FixedToken("app-id", "app-password"), url)
    assert answer.id == "r1"
    (headers,) = seen
    assert headers["Authorization"] == "Bearer token-from-the-login-service"
    assert "botframework-connector" in headers["User-Agent"]  # the user agent step still runs


async def test_without_credentials_no_token_is_sent(
    recorder: tuple[str, list[dict[str, str]]],
) -> None:
    url, seen = recorder
    await _reply(MicrosoftAppCredentials(None, None), url)
    (headers,) = seen
    assert "Authorization" not in headers


async def test_an_unreachable_connector_fails_as_msrest_reports_it() -> None:
    with pytest.raises(ClientRequestError):
        await _reply(MicrosoftAppCredentials(None, None), f"http://127.0.0.1:{free_port()}/")
