"""Web API trouble: 429 retried after Retry-After, other errors logged and apologised for."""

from __future__ import annotations

import logging

import pytest

from bot.content import Content
from tests.slack.conftest import BOT_TOKEN, SlackBot, load_payload, shown_text
from tests.slack.slack_stand_in import Scripted

RATE_LIMITED = Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "0"})
NOT_IN_CHANNEL = Scripted(200, {"ok": False, "error": "not_in_channel"})
SERVER_ERROR = Scripted(500, {"ok": False, "error": "internal_error"})
RELATED = {
    "action_id": "faq.show|0",
    "value": "",
    "text": {"type": "plain_text", "text": "Related question"},
}


async def _press_related(bot: SlackBot, content: Content) -> None:
    """Press a related-question button under a public answer: a shared reply."""
    entry = content.faq.entries[0]
    await bot.press(
        {**RELATED, "value": entry.id},
        response_url="related",
        container={
            "type": "message",
            "message_ts": "1700000500.000100",
            "channel_id": "C2147483705",
            "is_ephemeral": False,
        },
        message={"ts": "1700000500.000100", "thread_ts": "1700000100.000300", "type": "message"},
    )


async def test_rate_limited_post_is_retried(bot: SlackBot) -> None:
    bot.slack.script("chat.postMessage", RATE_LIMITED)
    await bot.event(load_payload("event_message_im"))
    await bot.slack.wait_for(lambda: len(bot.slack.api_calls("chat.postMessage")) == 2)
    await bot.finish()
    first, second = bot.slack.api_calls("chat.postMessage")
    assert first.body == second.body


async def test_server_error_is_retried_and_posts_once(bot: SlackBot) -> None:
    bot.slack.script("chat.postMessage", SERVER_ERROR)
    await bot.event(load_payload("event_message_im"))
    await bot.slack.wait_for(lambda: len(bot.slack.api_calls("chat.postMessage")) == 2)
    await bot.finish()
    failed, posted = bot.slack.api_calls("chat.postMessage")
    assert failed.body == posted.body  # the same message, tried again once: no duplicate


async def test_server_errors_that_persist_stop_within_the_bound(bot: SlackBot) -> None:
    bot.slack.script("chat.postMessage", SERVER_ERROR, SERVER_ERROR, SERVER_ERROR, SERVER_ERROR)
    await bot.event(load_payload("event_message_im"))
    await bot.slack.wait_for(lambda: len(bot.slack.api_calls("chat.postMessage")) == 3, timeout=10)
    await bot.finish()
    assert len(bot.slack.api_calls("chat.postMessage")) == 3  # one try and two retries


async def test_a_shared_reply_to_a_public_message_goes_to_its_thread(
    bot: SlackBot, content: Content
) -> None:
    await _press_related(bot, content)
    (post,) = await bot.slack.wait_for(lambda: bot.slack.api_calls("chat.postMessage"))
    assert post.body["channel"] == "C2147483705"
    assert post.body["thread_ts"] == "1700000100.000300"
    assert content.faq.entries[0].question in shown_text(post.body["blocks"])


async def test_api_error_is_logged_and_apologised_for(
    bot: SlackBot, content: Content, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    bot.slack.script("chat.postMessage", NOT_IN_CHANNEL)
    await _press_related(bot, content)
    (apology,) = await bot.slack.wait_for(lambda: bot.slack.responses("related"))
    assert apology.body["text"] == content.strings.delivery_failed
    assert apology.body["response_type"] == "ephemeral"
    assert any("not_in_channel" in r.getMessage() for r in caplog.records)
    answer = content.faq.entries[0].answer
    for record in caplog.records:
        if record.levelno >= logging.INFO:
            assert BOT_TOKEN not in record.getMessage()
            assert answer[:40] not in record.getMessage()
            assert "Traceback" not in (record.exc_text or "")


async def test_rate_limit_that_never_lifts_ends_in_an_apology(
    bot: SlackBot, content: Content
) -> None:
    bot.slack.script("chat.postMessage", RATE_LIMITED, RATE_LIMITED, RATE_LIMITED)
    await _press_related(bot, content)
    (apology,) = await bot.slack.wait_for(lambda: bot.slack.responses("related"), timeout=10)
    assert apology.body["text"] == content.strings.delivery_failed
    assert len(bot.slack.api_calls("chat.postMessage")) == 3  # one try and two retries
