"""A local HTTP server that plays Slack: the Web API and interactions' ``response_url``.

It records every call it receives, so tests assert on what Slack would have received,
and it can be told to answer a method with something else (a 429, an error) first.
``conversations.members`` pages through :attr:`SlackStandIn.members` with a cursor, as
Slack does, at most :attr:`SlackStandIn.page_size` a page whatever ``limit`` asks.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
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
    #: The HTTP status it was answered with (a scripted 429, say).
    status: int = 200
    #: It was answered with a scripted failure (an HTTP error or ``"ok": false``).
    refused: bool = False


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
        self.app.router.add_get("/api/{method}", self._api)  # users.info and other reads
        self.app.router.add_post("/response/{name}", self._response_url)
        self.app.router.add_post("/upload/{file_id}", self._upload)
        #: What ``users.info`` says about each user id (unknown ids: ``user_not_found``).
        self.users: dict[str, dict[str, Any]] = {}
        #: Files uploaded through ``files_upload_v2``: file id -> the uploaded bytes.
        self.uploads: dict[str, bytes] = {}
        self._posted = 0
        self._arrivals: dict[str, asyncio.Event] = {}
        #: Posts to each named response_url, so a benchmark's thousands stay cheap to find.
        self._responses_by_name: dict[str, list[Call]] = {}
        self.app.router.add_get("/socket", self._socket)
        #: Socket Mode connections the bot opened, and every message it sent on them.
        self.sockets: list[web.WebSocketResponse] = []
        self.socket_messages: list[dict[str, Any]] = []
        #: Each channel's member ids, for ``conversations.members``.
        self.members: dict[str, list[str]] = {}
        #: The most members one ``conversations.members`` page holds.
        self.page_size = 200
        #: Awaited with each Web API call once it is recorded, before it is answered.
        self.on_call: Callable[[Call], Awaitable[None]] | None = None

    # --- what tests use ----------------------------------------------------------------

    def script(self, method: str, *answers: Scripted) -> None:
        """Answer the next calls to ``method`` with ``answers``, in order."""
        self.scripts.setdefault(method, []).extend(answers)

    def api_calls(self, method: str) -> list[Call]:
        """Every call to one Web API method."""
        return [c for c in self.calls if c.kind == "api" and c.name == method]

    def responses(self, name: str | None = None) -> list[Call]:
        """Every post to a response_url (optionally one named response_url)."""
        if name is not None:
            return list(self._responses_by_name.get(name, ()))
        return [c for c in self.calls if c.kind == "response_url"]

    def messages(self) -> list[Call]:
        """Every call that would show something to someone (all but auth.test)."""
        return [c for c in self.calls if not (c.kind == "api" and c.name == "auth.test")]

    def direct_messages(self) -> list[Call]:
        """Every ``chat.postMessage`` to a person (a DM opened by user id) that succeeded."""
        return [
            c
            for c in self.api_calls("chat.postMessage")
            if str(c.body.get("channel", "")).startswith("U") and not c.refused
        ]

    def response_url(self, name: str) -> str:
        """A response_url that points at this stand-in."""
        return f"{self.url}/response/{name}"

    async def response_named(self, name: str, timeout: float = 10.0) -> Call:
        """Wait for the post to response_url ``name`` (cheap: no polling of all calls)."""
        arrived = self._arrivals.setdefault(name, asyncio.Event())
        await asyncio.wait_for(arrived.wait(), timeout)
        return self.responses(name)[-1]

    def uploaded_files(self) -> list[tuple[dict[str, Any], bytes]]:
        """Each completed upload: its ``files.completeUploadExternal`` body and its bytes."""
        done = []
        for call in self.api_calls("files.completeUploadExternal"):
            for item in json.loads(call.body["files"]):
                done.append((call.body, self.uploads.get(item["id"], b"")))
        return done

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
        # slack_sdk sends some methods' arguments as query parameters (``params=``).
        body = {**dict(request.query), **body}
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
        call = Call("api", method, body, dict(request.headers))
        self.calls.append(call)
        if self.on_call is not None:
            await self.on_call(call)
        queued = self.scripts.get(method)
        if queued:
            answer = queued.pop(0)
            call.status = answer.status
            call.refused = answer.status != 200 or answer.body.get("ok") is False
            return web.json_response(answer.body, status=answer.status, headers=answer.headers)
        if method == "apps.connections.open":
            return web.json_response(
                {"ok": True, "url": self.url.replace("http", "ws") + "/socket"}
            )
        if method == "auth.test":
            return web.json_response(json.loads((PAYLOADS / "auth_test.json").read_text()))
        if method in ("chat.postMessage", "chat.postEphemeral"):
            self._posted += 1
            ts = f"1700009999.{self._posted:06d}"
            return web.json_response({"ok": True, "channel": body.get("channel"), "ts": ts})
        if method == "views.open":
            if not body.get("trigger_id") or "view" not in body:
                self.invalid.append("views.open without a trigger_id and a view")
            return web.json_response({"ok": True, "view": {"id": f"V{len(self.calls):08d}"}})
        if method == "chat.update":
            return web.json_response({"ok": True, "channel": body.get("channel"), "ts": body["ts"]})
        if method == "users.info":
            user = self.users.get(str(body.get("user")))
            if user is None:
                return web.json_response({"ok": False, "error": "user_not_found"})
            return web.json_response({"ok": True, "user": user})
        if method == "conversations.members":
            return web.json_response(self._members_page(body))
        if method == "conversations.open":
            return web.json_response({"ok": True, "channel": {"id": "D" + str(body["users"])}})
        if method == "files.getUploadURLExternal":
            file_id = f"F{len(self.api_calls(method)):08d}"
            assert int(body["length"]) > 0, body
            return web.json_response(
                {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
            )
        if method == "files.completeUploadExternal":
            files = json.loads(body["files"])
            missing = [f["id"] for f in files if f["id"] not in self.uploads]
            if missing:
                return web.json_response({"ok": False, "error": "file_not_found"})
            return web.json_response({"ok": True, "files": [{"id": f["id"]} for f in files]})
        return web.json_response({"ok": True})

    def _members_page(self, body: dict[str, Any]) -> dict[str, Any]:
        """One page of a channel's members; the cursor is where the next page starts."""
        members = self.members.get(str(body.get("channel")))
        if members is None:
            return {"ok": False, "error": "channel_not_found"}
        start = int(str(body.get("cursor") or "0").removeprefix("next:") or 0)
        size = min(int(body.get("limit") or 100), self.page_size)
        end = start + size
        cursor = f"next:{end}" if end < len(members) else ""
        return {
            "ok": True,
            "members": members[start:end],
            "response_metadata": {"next_cursor": cursor},
        }

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL ``files.getUploadURLExternal`` handed out: keep the bytes."""
        self.uploads[request.match_info["file_id"]] = await request.read()
        return web.Response(text="OK - " + str(len(self.uploads)))

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await self._read(request)
        name = request.match_info["name"]
        call = Call("response_url", name, body, dict(request.headers))
        self.calls.append(call)
        self._responses_by_name.setdefault(name, []).append(call)
        self._arrivals.setdefault(name, asyncio.Event()).set()
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
