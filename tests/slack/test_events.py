"""Events API: mentions, direct messages, App Home, bots ignored, retries handled once."""

from __future__ import annotations

import time

from bot.content import Content
from bot.store import StateStore
from tests.slack.conftest import SlackBot, direct, header, load_payload, mention, shown_text
from tests.wording import progress


def _retry(number: int) -> dict[str, str]:
    """The headers Slack adds when it delivers an event again."""
    return {"X-Slack-Retry-Num": str(number), "X-Slack-Retry-Reason": "http_timeout"}


async def test_a_mention_is_answered_in_a_thread_under_it(bot: SlackBot) -> None:
    started = time.perf_counter()
    response = await bot.event(mention("<@UBOT0001> is open source better for privacy?"))
    ack_seconds = time.perf_counter() - started
    assert response.status == 200
    assert ack_seconds < 3.0
    (post,) = await bot.slack.wait_for(lambda: bot.slack.api_calls("chat.postMessage"))
    assert post.body["channel"] == "C2147483705"
    assert post.body["thread_ts"] == "1700000100.000300"
    assert "privacy" in shown_text(post.body["blocks"]).lower()


async def test_a_mention_inside_a_thread_stays_in_that_thread(bot: SlackBot) -> None:
    await bot.event(mention("<@UBOT0001> is open source AI cheaper?", thread_ts="1699.000001"))
    (post,) = await bot.slack.wait_for(lambda: bot.slack.api_calls("chat.postMessage"))
    assert post.body["thread_ts"] == "1699.000001"


async def test_a_private_reply_to_a_mention_is_ephemeral_in_the_thread(
    bot: SlackBot, content: Content
) -> None:
    await bot.event(mention("<@UBOT0001>   start"))
    (call,) = await bot.slack.wait_for(lambda: bot.slack.api_calls("chat.postEphemeral"))
    assert call.body["user"] == "U2147483697"
    assert call.body["thread_ts"] == "1700000100.000300"
    assert progress(content, 1) in shown_text(call.body["blocks"])


async def test_a_direct_message_is_answered_in_the_dm(bot: SlackBot) -> None:
    await bot.event(direct("is open source AI cheaper?"))
    (post,) = await bot.slack.wait_for(lambda: bot.slack.api_calls("chat.postMessage"))
    assert post.body["channel"] == "D0DM000001"
    assert "thread_ts" not in post.body
    assert "cost" in shown_text(post.body["blocks"]).lower() or "paid" in post.body["text"]


async def test_app_home_shows_the_menu(bot: SlackBot, content: Content) -> None:
    await bot.event(load_payload("event_app_home_opened"))
    (call,) = await bot.slack.wait_for(lambda: bot.slack.api_calls("views.publish"))
    assert call.body["user_id"] == "U2147483697"
    assert call.body["view"]["type"] == "home"
    assert header(call.body["view"]["blocks"]) == content.strings.menu_header


async def test_url_verification_echoes_the_challenge(bot: SlackBot) -> None:
    payload = load_payload("url_verification")
    response = await bot.event(payload)
    assert response.status == 200
    assert payload["challenge"] in await response.text()


async def test_bots_and_channel_chatter_are_ignored(bot: SlackBot) -> None:
    own = direct("is open source AI cheaper?", event_id="Ev0OWN000001", user="UBOT0001")
    other = load_payload("event_message_bot")
    bot_as_user = direct("hello", event_id="Ev0BOTUSER01", bot_id="B0OTHER")
    edited = direct("hi", event_id="Ev0EDITED001", subtype="message_changed")
    channel = direct("is open source AI cheaper?", event_id="Ev0CHANNEL01", channel="C1")
    channel["event"]["channel_type"] = "channel"
    for payload in (own, other, bot_as_user, edited, channel):
        response = await bot.event(payload)
        assert response.status == 200
    await bot.finish()
    assert bot.slack.messages() == []


async def test_retries_and_duplicates_are_answered_once(bot: SlackBot, store: StateStore) -> None:
    payload = mention("<@UBOT0001> is open source better for privacy?", event_id="Ev0DUP000001")
    first = await bot.event(payload)
    retry = await bot.event(
        payload, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    again = await bot.event(
        payload, **{"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert (first.status, retry.status, again.status) == (200, 200, 200)
    await bot.finish()
    assert len(bot.slack.api_calls("chat.postMessage")) == 1
    assert await store.client.exists(store.key("slack", "event", "T0001", "Ev0DUP000001"))


async def test_an_event_the_bot_does_not_answer_is_still_acknowledged(bot: SlackBot) -> None:
    # Bolt answers an event no listener matched with 404, and Slack retries it: the last
    # event listener acknowledges everything the others did not take.
    payload = mention("hello", event_id="Ev0JOINED001")
    payload["event"] = {"type": "member_joined_channel", "user": "U1", "channel": "C1"}
    response = await bot.event(payload)
    assert response.status == 200
    await bot.finish()
    assert bot.slack.messages() == []
