"""Slack: a press on an old questionnaire message never acts on the newer run (issue 12 §2).

Signed ``block_actions`` for buttons of a message shown before ``/ai-choice start`` began
a new run: the person gets, privately, the note and where they are now; Redis keeps
their questionnaire exactly as it was.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis

from bot.content import Content
from bot.store import StateStore
from tests.slack.conftest import SlackBot, button, shown_text
from tests.wording import progress

#: The recorded payloads' workspace and person (tests/slack/payloads).
TEAM, USER = "T0001", "U2147483697"


async def answer(bot: SlackBot, blocks: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """Press the first answer; the blocks that replaced the message."""
    await bot.press(button(blocks, "quiz.answer"), response_url=name)
    (call,) = await bot.slack.wait_for(lambda: bot.slack.responses(name))
    assert call.body["replace_original"] is True
    new: list[dict[str, Any]] = call.body["blocks"]
    return new


async def test_old_result_and_question_messages_change_nothing(
    bot: SlackBot,
    content: Content,
    store: StateStore,
    redis_client: aioredis.Redis,
) -> None:
    blocks = (await bot.slash(""))["blocks"]
    for step in range(10):
        blocks = await answer(bot, blocks, f"first-{step}")
    old_result = blocks
    # /ai-choice start, answer question 1: the new run is at question 2.
    blocks = (await bot.slash("start"))["blocks"]
    assert progress(content, 1) in shown_text(blocks)
    old_question = blocks
    await answer(bot, blocks, "second-0")
    key = store.key("quiz", "slack", TEAM, USER)
    before = await redis_client.hgetall(key)
    presses = [
        button(old_result, "quiz.explain"),
        button(old_result, "quiz.back"),
        button(old_result, "quiz.share"),
        button(old_question, "quiz.answer", index=1),  # question 1, already answered
    ]
    for n, pressed in enumerate(presses):
        name = f"stale-{n}"
        await bot.press(pressed, response_url=name)
        note, now = await bot.slack.wait_for(
            lambda name=name: (calls := bot.slack.responses(name))[1:] and calls
        )
        for call in (note, now):  # both private, new; the old message stays as it was
            assert call.body["response_type"] == "ephemeral"
            assert call.body["replace_original"] is False
        assert content.strings.quiz_stale in shown_text(note.body["blocks"])
        assert progress(content, 2) in shown_text(now.body["blocks"])
        assert await redis_client.hgetall(key) == before
    await bot.finish()
    assert not bot.slack.api_calls("chat.postMessage"), "the old Share posted nothing"
