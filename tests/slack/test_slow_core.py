"""Slack's three seconds hold even when the core is slow (here: Redis that stalls)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient, TestServer
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from adapters.slack.front_end import SlackFrontEnd
from adapters.slack.settings import SlackSettings
from bot.content import Content
from bot.conversation import Conversation
from bot.store import StateStore
from tests.apps import web_app
from tests.slack.conftest import FORM, SlackBot
from tests.slack.slack_stand_in import SlackStandIn

#: How long the stalling server holds each connection before dropping it.
STALL_SECONDS = 3.5


@pytest.fixture
async def stalling_redis() -> AsyncIterator[int]:
    """A TCP server on a local port that accepts Redis connections, says nothing, then hangs up."""

    async def stall(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await asyncio.sleep(STALL_SECONDS)
        finally:
            writer.close()

    server = await asyncio.start_server(stall, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()


async def test_a_slow_core_still_gets_an_ack_in_time_and_replies_later(
    content: Content, slack: SlackStandIn, slack_settings: SlackSettings, stalling_redis: int
) -> None:
    client_redis = aioredis.Redis(
        host="127.0.0.1",
        port=stalling_redis,
        decode_responses=True,
        retry=Retry(NoBackoff(), 0),  # one stall, not one per reconnection attempt
    )
    store = StateStore(client_redis, prefix="test:stalled")
    conversation = Conversation(content, store)
    app = web_app(conversation, store, SlackFrontEnd(slack_settings))
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    bot = SlackBot(client, slack)
    try:
        started = time.perf_counter()
        response = await bot.post(bot.slash_body(""), FORM)
        ack_seconds = time.perf_counter() - started
        assert response.status == 200
        assert ack_seconds < 3.0
        assert await response.text() == ""  # acknowledged empty-handed
        (late,) = await slack.wait_for(lambda: slack.responses("slash"), timeout=10)
        assert late.body["response_type"] == "ephemeral"
        assert content.strings.store_unavailable in late.body["text"]
    finally:
        await client.close()
        await client_redis.aclose()
