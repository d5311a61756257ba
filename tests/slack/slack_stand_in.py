"""A local HTTP server that plays Slack: the Web API and interactions' ``response_url``.

It records every call it receives, so tests assert on what Slack would have received,
and it can be told to answer a method with something else (a 429, an error) first.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from tests.slack.block_kit import block_kit_problems, view_problems

PAYLOADS = Path(__file__).parent / "payloads"


@dataclass
class Call:
    """One request Slack would have received."""

    kind: str  # "api" or "response_url"
    name: str  # the API method, or the response_url's last path segment
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Scripted:
    """A canned answer for the next call to one API method."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class SlackStandIn:
    """The stand-in's state: calls received and answers scripted ahead of time."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        #: Problems Slack would have rejected (invalid or unescaped blocks), per call.
        self.invalid: list[str] = []
        self.scripts: dict[str, list[Scripted]] = {}
        self.url = ""
        self.app = web.Application()
        self.app.router.add_post("/api/{method}", self._api)
        self.app.router.add_post("/response/{name}", self._response_url)
        self.app.router.add_get("/socket", self._socket)
        #: Socket Mode connections the bot opened, and every message it sent on them.
        self.sockets: list[web.WebSocketResponse] = []
        self.socket_messages: list[dict[str, Any]] = []

    # --- what tests use ----------------------------------------------------------------

    def script(self, method: str, *answers: Scripted) -> None:
        """Answer the next calls to ``method`` with ``answers``, in order."""
        self.scripts.setdefault(method, []).extend(answers)

    def api_calls(self, method: str) -> list[Call]:
        """Every call to one Web API method."""
        return [c for c in self.calls if c.kind == "api" and c.name == method]

    def responses(self, name: str | None = None) -> list[Call]:
        """Every post to a response_url (optionally one named response_url)."""
        return [
            c for c in self.calls if c.kind == "response_url" and (name is None or c.name == name)
        ]

    def messages(self) -> list[Call]:
        """Every call that would show something to someone (all but auth.test)."""
        return [c for c in self.calls if not (c.kind == "api" and c.name == "auth.test")]

    def response_url(self, name: str) -> str:
        """A response_url that points at this stand-in."""
        return f"{self.url}/response/{name}"

    async def wait_for(
        self, ready: Callable[[], Any], timeout: float = 5.0, what: str = "Slack call"
    ) -> Any:
        """Poll until ``ready()`` is truthy (background work has reached Slack)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            value = ready()
            if value:
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out waiting for {what}; calls: {self.calls}")
            await asyncio.sleep(0.01)

    # --- handlers ----------------------------------------------------------------------

    async def _read(self, request: web.Request) -> dict[str, Any]:
        """The call's body, checked as Slack would check its blocks."""
        text = await request.text()
        if request.content_type == "application/json":
            value = json.loads(text) if text else {}
            body = value if isinstance(value, dict) else {"_": value}
        else:
            body = dict(parse_qsl(text, keep_blank_values=True))
        for name in ("blocks", "view"):
            if isinstance(body.get(name), str):
                body[name] = json.loads(body[name])
        if "blocks" in body:
            self.invalid += block_kit_problems(body["blocks"])
        if "view" in body:
            self.invalid += view_problems(body["view"])
        return body

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await self._read(request)
        self.calls.append(Call("api", method, body, dict(request.headers)))
        queued = self.scripts.get(method)
        if queued:
            answer = queued.pop(0)
            return web.json_response(answer.body, status=answer.status, headers=answer.headers)
        if method == "apps.connections.open":
            return web.json_response(
                {"ok": True, "url": self.url.replace("http", "ws") + "/socket"}
            )
        if method == "auth.test":
            return web.json_response(json.loads((PAYLOADS / "auth_test.json").read_text()))
        if method in ("chat.postMessage", "chat.postEphemeral"):
            return web.json_response(
                {"ok": True, "channel": body.get("channel"), "ts": "1700009999.000100"}
            )
        return web.json_response({"ok": True})

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await self._read(request)
        self.calls.append(
            Call("response_url", request.match_info["name"], body, dict(request.headers))
        )
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, then record what the bot sends back."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        await socket.send_json({"type": "hello", "num_connections": 1})
        async for message in socket:
            if message.type.name == "TEXT":
                self.socket_messages.append(json.loads(message.data))
        return socket
