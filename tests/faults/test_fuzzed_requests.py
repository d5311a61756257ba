"""Malformed and fuzzed requests on /slack/events and /api/messages: a 4xx (or a normal
answer), never a 5xx, and the server stays healthy throughout.

The server runs for real (both front ends mounted, real Redis) on a loopback port in a
thread of its own; hypothesis throws requests at it over HTTP.
"""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack.front_end import SlackFrontEnd
from adapters.slack.settings import SlackSettings
from adapters.teams.front_end import TeamsFrontEnd
from adapters.teams.settings import TeamsSettings
from bot.content import load_content
from bot.conversation import Conversation
from bot.store import StateStore
from tests.apps import web_app
from tests.net import free_port
from tests.slack.conftest import SIGNING_SECRET, signed_headers
from tests.slack.slack_stand_in import SlackStandIn

FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


class RunningServer:
    """Our app with both front ends, served from a background event loop."""

    def __init__(self, redis_url: str) -> None:
        self.redis_url = redis_url
        self.port = free_port()
        self.prefix = f"test:{uuid.uuid4().hex[:12]}"
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._start())
        self.ready.set()
        self.loop.run_forever()

    async def _start(self) -> None:
        stand_in = SlackStandIn()
        self.stand_in_runner = web.AppRunner(stand_in.app)
        await self.stand_in_runner.setup()
        stand_in_port = free_port()
        await web.TCPSite(self.stand_in_runner, "127.0.0.1", stand_in_port).start()
        self.client = aioredis.Redis.from_url(self.redis_url, decode_responses=True)
        store = StateStore(self.client, prefix=self.prefix)
        conversation = Conversation(load_content(), store)
        slack = SlackSettings(
            signing_secret=SIGNING_SECRET,
            bot_token="xoxb-fuzz",
            api_url=f"http://127.0.0.1:{stand_in_port}/api/",
        )
        app = web_app(conversation, store, SlackFrontEnd(slack), TeamsFrontEnd(TeamsSettings()))
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def _stop(self) -> None:
        await self.runner.cleanup()
        await self.stand_in_runner.cleanup()
        async for key in self.client.scan_iter(match=f"{self.prefix}:*", count=500):
            await self.client.delete(key)
        await self.client.aclose()

    def start(self) -> None:
        self.thread.start()
        assert self.ready.wait(30)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    def healthy(self) -> bool:
        url = f"http://127.0.0.1:{self.port}/healthz"
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)


@pytest.fixture(scope="module")
def server(redis_url: str) -> Iterator[RunningServer]:
    running = RunningServer(redis_url)
    running.start()
    yield running
    assert running.healthy()
    running.stop()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
content_types = st.sampled_from(
    [
        "application/json",
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data",
        "",
        "application/json; charset=latin-1",
    ]
)
activity_types = st.sampled_from(
    ["message", "invoke", "conversationUpdate", "installationUpdate", "typing", "", "??"]
)


def slack_like(value: Any) -> bytes:
    return json.dumps(value).encode()


@FUZZ
@given(body=st.binary(max_size=600), content_type=content_types)
def test_unsigned_garbage_to_slack_is_refused(
    server: RunningServer, body: bytes, content_type: str
) -> None:
    assert server.post("/slack/events", body, {"Content-Type": content_type}) in (400, 401)


@FUZZ
@given(body=st.binary(max_size=600), content_type=content_types)
def test_signed_garbage_to_slack_is_a_4xx_or_an_answer(
    server: RunningServer, body: bytes, content_type: str
) -> None:
    status = server.post("/slack/events", body, signed_headers(body, content_type))
    assert status < 500


@FUZZ
@given(
    fields=st.dictionaries(
        st.sampled_from(
            [
                "command",
                "text",
                "payload",
                "user_id",
                "team_id",
                "channel_id",
                "response_url",
                "trigger_id",
                "ssl_check",
                "type",
            ]
        ),
        st.text(max_size=60) | json_values.map(json.dumps),
        max_size=6,
    )
)
def test_signed_form_posts_with_odd_fields_never_fail(
    server: RunningServer, fields: dict[str, str]
) -> None:
    from urllib.parse import urlencode

    body = urlencode(fields).encode()
    status = server.post(
        "/slack/events", body, signed_headers(body, "application/x-www-form-urlencoded")
    )
    assert status < 500


@FUZZ
@given(event=json_values, wrapper=st.booleans())
def test_signed_json_events_of_any_shape_never_fail(
    server: RunningServer, event: Any, wrapper: bool
) -> None:
    value = (
        {"type": "event_callback", "team_id": "T1", "event_id": "Ev1", "event": event}
        if wrapper
        else event
    )
    body = slack_like(value)
    assert server.post("/slack/events", body, signed_headers(body, "application/json")) < 500


@FUZZ
@given(body=st.binary(max_size=600), content_type=content_types)
def test_garbage_to_teams_is_a_4xx(server: RunningServer, body: bytes, content_type: str) -> None:
    status = server.post("/api/messages", body, {"Content-Type": content_type})
    assert status < 500


@FUZZ
@given(
    kind=activity_types,
    extra=st.dictionaries(
        st.sampled_from(
            [
                "text",
                "value",
                "name",
                "from",
                "conversation",
                "recipient",
                "channelData",
                "serviceUrl",
                "id",
                "replyToId",
                "entities",
                "membersAdded",
            ]
        ),
        json_values,
        max_size=6,
    ),
)
def test_activities_of_any_shape_never_fail(
    server: RunningServer, kind: str, extra: dict[str, Any]
) -> None:
    body = json.dumps({"type": kind, **extra}).encode()
    assert server.post("/api/messages", body, {"Content-Type": "application/json"}) < 500
