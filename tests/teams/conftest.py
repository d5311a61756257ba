"""Fixtures for the Teams front end: a stand-in Bot Connector, the app, recorded activities.

The stand-in is a local aiohttp server at the activities' ``serviceUrl``; it records every
``/v3/conversations/...`` call the bot makes (reply, send, update) and can be told to
answer the next calls with an error status first (429 for throttling). It also plays the
paged roster ``TeamsInfo`` reads (``GET /v3/conversations/{id}/pagedmembers``), from
:attr:`StandInConnector.members`.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT6

from adapters.teams.endpoint import MessagesEndpoint
from adapters.teams.front_end import TeamsFrontEnd
from adapters.teams.settings import TeamsSettings
from bot.conversation import Conversation
from bot.store import StateStore
from tests.apps import web_app

PAYLOADS = Path(__file__).parent / "payloads"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"


def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Action.Execute in the card (body ActionSets and card actions)."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                found.append(node)
            for key, value in node.items():
                if key != "fallback":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def payload(name: str, service_url: str, **changes: Any) -> dict[str, Any]:
    """A recorded activity from payloads/, pointed at ``service_url``, with top-level changes."""
    activity: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text())
    activity["serviceUrl"] = service_url
    activity.update(copy.deepcopy(changes))
    return activity


def restart_invoke(service_url: str) -> dict[str, Any]:
    """A press on "Start over" (Action.Execute): an invoke, answered in the HTTP response,
    so it needs no outbound token."""
    value = {
        "action": {
            "type": "Action.Execute",
            "verb": "quiz.restart",
            "data": {"aic_action": "quiz.restart", "aic_value": ""},
        },
        "trigger": "manual",
    }
    return payload("card_action_invoke", service_url, value=value)


@dataclass
class ConnectorCall:
    """One call the bot made to the connector."""

    method: str
    conversation_id: str
    activity_id: str | None
    body: dict[str, Any]
    status: int

    @property
    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Cards attached to the activity sent."""
        return [
            a["content"]
            for a in self.body.get("attachments") or []
            if a.get("contentType") == CARD_TYPE
        ]

    @property
    def card(self) -> dict[str, Any]:
        """The one card this call carried."""
        (card,) = self.cards
        return card


@dataclass
class StandInConnector:
    """What the stand-in received, and errors to answer with before succeeding."""

    url: str = ""
    calls: list[ConnectorCall] = field(default_factory=list)
    fail_with: list[int] = field(default_factory=list)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    #: When set, every call is recorded and then held until this event is set.
    hold: asyncio.Event | None = None
    #: Each team's or chat's roster (``from``-shaped accounts), for ``pagedmembers``.
    members: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    #: The most members one roster page holds, whatever ``pageSize`` asks.
    page_size: int = 500
    #: Every roster page asked for: (conversation id, continuation token).
    roster_reads: list[tuple[str, str]] = field(default_factory=list)

    @property
    def delivered(self) -> list[ConnectorCall]:
        """The calls that succeeded."""
        return [c for c in self.calls if c.status < 300]

    async def _record(self, request: web.Request) -> web.Response:
        body = await request.json()
        status = self.fail_with.pop(0) if self.fail_with else 200
        self.calls.append(
            ConnectorCall(
                method=request.method,
                conversation_id=request.match_info["conversation"],
                activity_id=request.match_info.get("activity"),
                body=body,
                status=status,
            )
        )
        if self.hold is not None:
            await self.hold.wait()
        if status >= 300:
            return web.json_response(
                {"error": {"code": "Throttled", "message": "slow down"}}, status=status
            )
        return web.json_response({"id": f"reply-{next(self.ids)}"})

    async def _roster(self, request: web.Request) -> web.Response:
        """One page of a roster; the continuation token is where the next page starts."""
        conversation = request.match_info["conversation"]
        token = request.query.get("continuationToken", "")
        self.roster_reads.append((conversation, token))
        if self.fail_with:
            status = self.fail_with.pop(0)
            return web.json_response(
                {"error": {"code": "Throttled", "message": "slow down"}},
                status=status,
                headers={"Retry-After": "0"},  # whole seconds, as the connector sends
            )
        members = self.members.get(conversation)
        if members is None:
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        start = int(token.removeprefix("page-") or 0)
        size = min(int(request.query.get("pageSize") or 500), self.page_size)
        end = start + size
        page: dict[str, Any] = {"members": members[start:end]}
        if end < len(members):
            page["continuationToken"] = f"page-{end}"
        return web.json_response(page)

    def app(self) -> web.Application:
        """The aiohttp app playing the Bot Connector's conversation routes."""
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self._record)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._record)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._record)
        app.router.add_get("/v3/conversations/{conversation}/pagedmembers", self._roster)
        return app


@pytest.fixture
async def connector() -> AsyncIterator[StandInConnector]:
    """A running stand-in connector; its ``url`` is the serviceUrl to put in activities."""
    stand_in = StandInConnector()
    server = TestServer(stand_in.app())
    await server.start_server()
    stand_in.url = str(server.make_url("/"))
    try:
        yield stand_in
    finally:
        await server.close()


class TeamsTestClient(TestClient[Any, Any]):
    """A test client whose ``post`` to ``/api/messages`` returns once the turn it started
    has finished: a message is acknowledged (201) before its turn runs in the background,
    and the tests assert on what that turn sent to the stand-in connector."""

    async def post(self, path: Any, **kwargs: Any) -> Any:
        response = await super().post(path, **kwargs)
        if path == "/api/messages":
            await self.turns_finished()
        return response

    async def post_without_waiting(self, path: str, **kwargs: Any) -> Any:
        """The plain POST: returns on the HTTP response, turns may still be running."""
        return await super().post(path, **kwargs)

    front_end: TeamsFrontEnd

    @property
    def endpoint(self) -> MessagesEndpoint:
        """The ``/api/messages`` handler behind this client."""
        assert self.front_end.endpoint is not None
        return self.front_end.endpoint

    async def turns_finished(self) -> None:
        """Wait until every background turn of the Teams endpoint has finished."""
        await self.endpoint.drain(timeout=15)


TeamsClientFactory = Callable[[TeamsSettings], Awaitable[TestClient[Any, Any]]]


@pytest.fixture
async def teams_client_for(
    conversation: Conversation, store: StateStore
) -> AsyncIterator[TeamsClientFactory]:
    """Builds the real server (the core's web app + the Teams front end) for given settings."""
    clients: list[TestClient[Any, Any]] = []

    async def make(settings: TeamsSettings) -> TestClient[Any, Any]:
        front_end = TeamsFrontEnd(settings)
        client = TeamsTestClient(TestServer(web_app(conversation, store, front_end)))
        client.front_end = front_end
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


@pytest.fixture
async def teams(teams_client_for: TeamsClientFactory) -> TestClient[Any, Any]:
    """The server with no Microsoft credentials (Emulator / local mode)."""
    return await teams_client_for(TeamsSettings())


@pytest.fixture(scope="session")
def card_schema_validator(repo_root_session: Path) -> jsonschema.protocols.Validator:
    """A Draft-06 validator for the Adaptive Card 1.5 schema; every $ref resolves offline."""
    path = repo_root_session / "tests" / "data" / "schemas" / "adaptive-card-1.5.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["$schema"].startswith("http://json-schema.org/draft-06/")
    # A registry with no retrieve function: a $ref outside the document fails, never fetches.
    registry: Registry[Any] = Registry().with_resource(
        schema["id"], Resource.from_contents(schema, default_specification=DRAFT6)
    )
    validator_class = jsonschema.validators.validator_for(schema)
    assert validator_class is jsonschema.Draft6Validator
    validator_class.check_schema(schema)
    return validator_class(schema, registry=registry)


@pytest.fixture(scope="session")
def repo_root_session() -> Path:
    """The source checkout's top folder (session-scoped twin of ``repo_root``)."""
    return Path(__file__).resolve().parents[2]


@pytest.fixture
def assert_valid_card(
    card_schema_validator: jsonschema.protocols.Validator,
) -> Callable[[dict[str, Any]], None]:
    """Fails the test, listing every schema error, unless the card is valid Adaptive Card 1.5."""

    def check(card: dict[str, Any]) -> None:
        errors = sorted(card_schema_validator.iter_errors(card), key=lambda e: list(e.path))
        assert not errors, "\n".join(f"{list(e.path)}: {e.message[:300]}" for e in errors)
        assert card["version"] == "1.5"

    return check
