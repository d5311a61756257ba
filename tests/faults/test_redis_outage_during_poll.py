"""Redis stopped for ten seconds in the middle of a Slack poll (a real server process,
stopped and restarted): Slack gets a 200 and people a friendly line during the outage,
/readyz says 503, the app recovers without a restart, and no acknowledged vote is lost."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.slack.front_end import SlackFrontEnd
from adapters.slack.settings import SlackSettings
from bot.content import Content
from bot.conversation import Conversation
from bot.redis_connect import connect
from bot.settings import Settings
from bot.store import StateStore
from tests.apps import web_app
from tests.redis_server import RestartableRedis
from tests.slack.conftest import SlackBot
from tests.slack.conftest import slack as slack
from tests.slack.conftest import slack_settings as slack_settings
from tests.slack.polls_kit import press, start_poll
from tests.slack.slack_stand_in import SlackStandIn

OUTAGE_SECONDS = 10


@pytest.fixture
async def outage_bot(
    redis_process: RestartableRedis,
    content: Content,
    slack: SlackStandIn,
    slack_settings: SlackSettings,
) -> AsyncIterator[tuple[SlackBot, Conversation, TestClient[Any, Any]]]:
    connection = connect(Settings(redis_url=f"redis://127.0.0.1:{redis_process.port}/0"))
    store = StateStore(connection.client, prefix=f"outage-{uuid.uuid4().hex[:8]}")
    conversation = Conversation(content, store)
    app = web_app(conversation, store, SlackFrontEnd(slack_settings))
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    try:
        yield SlackBot(client, slack), conversation, client
    finally:
        await conversation.polls.drain()
        await client.close()
        await connection.close()


def said(call: Any) -> str:
    return str(call.body.get("text", "")) + repr(call.body.get("blocks", ""))


async def test_votes_survive_a_ten_second_redis_outage(
    outage_bot: tuple[SlackBot, Conversation, TestClient[Any, Any]],
    redis_process: RestartableRedis,
    content: Content,
) -> None:
    bot, conversation, http = outage_bot
    friendly = content.strings.store_unavailable
    voted = content.polls.messages.voted
    poll = await start_poll(bot, conversation, '"Keep going?" "Yes" "No"')
    acknowledged = 0
    for n in range(8):
        confirmation = await press(bot, poll, poll.vote_button(0), f"UBEFORE{n}")
        assert voted.format(option="Yes") in said(confirmation)
        acknowledged += 1

    redis_process.stop()
    stopped = time.monotonic()
    assert (await http.get("/readyz")).status == 503
    for n in range(4):
        # press() asserts Slack got a 200 for the interaction.
        during = await press(bot, poll, poll.vote_button(1), f"UDURING{n}")
        assert friendly in said(during)
    ack = await bot.slash('poll "Another?" "A" "B"')
    assert friendly in repr(ack)
    assert (await http.get("/healthz")).status == 200
    await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))

    redis_process.start()
    for _ in range(100):
        if (await http.get("/readyz")).status == 200:
            break
        await asyncio.sleep(0.1)
    assert (await http.get("/readyz")).status == 200
    after = await press(bot, poll, poll.vote_button(1), "UAFTER")
    assert 'Your vote for "No" is in.' in said(after)

    current = await conversation.polls.current(poll.id)
    assert current is not None
    _, message = current
    assert [bar.count for bar in message.bars] == [acknowledged, 1]
    await conversation.polls.drain()
    final = bot.slack.api_calls("chat.update")[-1]
    assert "Yes ▇▇▇▇▇▇▇▁ 8 votes (89%)" in said(final)
    assert "No ▇▁▁▁▁▁▁▁ 1 vote (11%)" in said(final)
