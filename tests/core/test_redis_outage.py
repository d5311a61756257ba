"""Redis stopped mid-conversation: one friendly line, the process stays up, then recovery."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.content import Content
from bot.conversation import Conversation
from bot.events import Actor
from bot.redis_connect import connect
from bot.server import build_app
from bot.settings import Settings
from bot.store import StateStore
from bot.testing import Dialogue
from tests.redis_server import RestartableRedis
from tests.wording import progress


async def test_redis_outage_gets_a_friendly_line_then_recovers(
    redis_process: RestartableRedis, content: Content, caplog: pytest.LogCaptureFixture
) -> None:
    connection = connect(Settings(redis_url=f"redis://127.0.0.1:{redis_process.port}/0"))
    store = StateStore(connection.client)
    conversation = Conversation(content, store)
    actor = Actor("test", "W1", "C1", "U1")
    talk = Dialogue(conversation, actor)
    try:
        async with TestClient(TestServer(build_app(store))) as http:
            await talk.command("start")
            (await talk.press("A small business")).expect(progress(content, 2))
            talk.expect_replies("quiz.question", "quiz.question")

            redis_process.stop()
            # Exactly one reply: the friendly line.
            (await talk.press("Our own engineers")).expect_replies("error")
            talk.expect(content.strings.store_unavailable)
            assert (await http.get("/readyz")).status == 503
            assert (await http.get("/healthz")).status == 200
            assert any("redis unreachable" in r.getMessage() for r in caplog.records)

            redis_process.start()
            assert (await http.get("/readyz")).status == 200
            # The answer given before the outage is still there; the lost press can be redone.
            (await talk.press("Our own engineers")).expect(progress(content, 3))
            state = await conversation.questionnaire.state(actor)
            assert state is not None
            assert state["answers"] == {"team": "small_business", "skills": "engineers"}
    finally:
        await connection.close()


async def test_a_declined_question_still_offers_the_experts_while_redis_is_away(
    redis_process: RestartableRedis, content: Content
) -> None:
    """Learned entries cannot be checked, but the content's answer stands: "I don't know",
    with "Ask an expert"; pressing it then gets the friendly line, never a traceback."""
    connection = connect(Settings(redis_url=f"redis://127.0.0.1:{redis_process.port}/0"))
    conversation = Conversation(content, StateStore(connection.client))
    talk = Dialogue(conversation, Actor("test", "W1", "C1", "U1"))
    try:
        redis_process.stop()
        (await talk.say("Do we have a company subscription to ChatGPT?")).expect_replies(
            "faq.unknown"
        )
        (await talk.press(content.experts.ask_button)).expect_replies("error")
        talk.expect(content.strings.store_unavailable)
    finally:
        redis_process.start()
        await connection.close()
