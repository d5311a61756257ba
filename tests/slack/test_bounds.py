"""What one Slack request may cost, and what it may reach: length caps, bodies nobody parses
before verifying them, forged vote values, poll rate limits, polls owned by their workspace.

Everything goes through the real server with signed requests, on the real Redis.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

import pytest
import redis.asyncio as aioredis

from bot.content import Content
from bot.conversation import Conversation
from bot.limits import POLLS_PER_CHANNEL, POLLS_PER_PERSON
from bot.store import StateStore
from tests.health_watch import HealthWatch
from tests.slack.conftest import FORM, SlackBot, load_payload, mention, shown_text
from tests.slack.polls_kit import CREATOR, controls, press, press_on_poll, start_poll

LONG = "a" * 200_000
#: Deep enough that the JSON parser gives up with RecursionError.
NESTED = "[" * 100_000 + "]" * 100_000


def too_long(content: Content) -> str:
    return content.strings.question_too_long.format(max="1,000")


async def test_a_200000_character_ask_gets_a_friendly_note_and_health_keeps_answering(
    bot: SlackBot, content: Content
) -> None:
    async with HealthWatch(str(bot.client.make_url("/healthz"))) as health:
        ack = await bot.slash(f"ask {LONG}")
    assert shown_text(ack["blocks"]) == too_long(content)
    # The typo correction took ~10 s on this before the cap: the loop answered nothing.
    assert health.answers >= 2 and health.slowest < 1.0, health.slowest


async def test_a_200000_character_mention_gets_the_same_note(
    bot: SlackBot, content: Content
) -> None:
    async with HealthWatch(str(bot.client.make_url("/healthz"))) as health:
        assert (await bot.event(mention(f"<@UBOT0001> {LONG}"))).status == 200
        (note,) = await bot.slack.wait_for(lambda: bot.slack.api_calls("chat.postEphemeral"))
    assert note.body["text"] == too_long(content)  # for the asker alone
    assert health.slowest < 1.0, health.slowest


async def test_a_question_of_exactly_1000_characters_is_still_answered(bot: SlackBot) -> None:
    question = "is open source better for privacy? "
    question = (question * (1000 // len(question) + 1))[:1000]
    ack = await bot.slash(f"ask {question}")
    assert "privacy" in shown_text(ack["blocks"]).lower()
    assert "long one" not in shown_text(ack["blocks"])


async def test_a_poll_command_over_1500_characters_is_refused_before_parsing(
    bot: SlackBot, content: Content
) -> None:
    # An unclosed quote: shlex spent time quadratic in its length on this.
    ack = await bot.slash('poll "' + "a " * 1000)
    wording = content.polls.messages.command_too_long.format(max="1,500")
    assert wording in shown_text(ack["blocks"])
    assert not bot.slack.api_calls("chat.postMessage")


async def test_deeply_nested_json_unsigned_is_refused_with_4xx(bot: SlackBot) -> None:
    for body in (NESTED, '{"type":' + NESTED + "}"):
        response = await bot.client.post(
            "/slack/events", data=body.encode(), headers={"Content-Type": "application/json"}
        )
        assert response.status == 401, response.status  # a 500 before: parsed for metrics


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            urlencode({"payload": '{"type":"block_actions","actions":' + NESTED + "}"}),
            id="nested payload",
        ),
        pytest.param('{"type":"event_callback","event":' + NESTED + "}", id="nested event"),
        pytest.param(
            json.dumps(
                {
                    "type": "event_callback",
                    "team_id": "T0001",
                    "event_id": "Ev0INTTYPE01",
                    "event": {"type": 5, "text": "hi", "user": "U1", "channel": "C1"},
                }
            ),
            id="integer event type",
        ),
        pytest.param(json.dumps({"type": 7}), id="integer type"),
        pytest.param(
            urlencode(
                {
                    **load_payload("slash_command"),
                    "payload": json.dumps(load_payload("block_actions")),
                }
            ),
            id="command and payload",
        ),
    ],
)
async def test_signed_but_malformed_requests_get_400(bot: SlackBot, body: str) -> None:
    content_type = "application/json" if body.startswith("{") else FORM
    response = await bot.post(body.encode(), content_type)
    assert response.status == 400, (response.status, await response.text())
    assert not bot.slack.api_calls("chat.postMessage")
    assert not bot.slack.responses()


async def poll_keys(redis_client: aioredis.Redis, store: StateStore) -> list[str]:
    return [k async for k in redis_client.scan_iter(match=f"{store.prefix}:poll:*:meta")]


async def test_forged_vote_values_are_no_option_and_change_nothing(
    bot: SlackBot,
    conversation: Conversation,
    content: Content,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    poll = await start_poll(bot, conversation, '"Lunch?" "Pizza" "Sushi"')
    real = poll.vote_button(0)
    for forged in ("²", "9" * 5000, "-1", "x", "1.0", "", "٣", "10"):
        answer = await press(bot, poll, {**real, "value": f"{poll.id}:{forged}"}, "U0FORGER")
        shown = shown_text(answer.body["blocks"])
        assert shown == content.polls.messages.option_missing, (forged[:8], shown)
    tally = await conversation.polls.polls.tally(poll.id, 2, with_voters=True)
    assert tally.counts == (0, 0) and tally.voters == 0 and tally.version == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("has no option" in r.getMessage() for r in caplog.records)
    # The real button still works.
    answer = await press(bot, poll, real, "U0FORGER")
    assert content.polls.messages.voted.format(option="Pizza") in shown_text(answer.body["blocks"])


async def test_the_11th_poll_in_ten_minutes_is_refused_privately(
    bot: SlackBot,
    conversation: Conversation,
    content: Content,
    store: StateStore,
    redis_client: aioredis.Redis,
) -> None:
    for number in range(POLLS_PER_PERSON):
        await start_poll(bot, conversation, f'"Poll {number}?" "A" "B"')
    posted = len(bot.slack.api_calls("chat.postMessage"))
    ack = await bot.slash('poll "One too many?" "A" "B"')
    assert ack["response_type"] == "ephemeral"
    refusal = content.polls.messages.rate_limited_person.format(count=10, minutes=10)
    assert shown_text(ack["blocks"]) == refusal
    await conversation.polls.drain()
    assert len(bot.slack.api_calls("chat.postMessage")) == posted  # nothing posted
    assert len(await poll_keys(redis_client, store)) == POLLS_PER_PERSON
    # The window's keys expire.
    rate_keys = [k async for k in redis_client.scan_iter(match=f"{store.prefix}:poll-rate:*")]
    assert rate_keys
    for key in rate_keys:
        assert 0 < await redis_client.pttl(key) <= 600_000
    # Someone else in another channel may still start one.
    other = await bot.slash('poll "Mine?" "A" "B"', user_id="U0OTHER", channel_id="C0OTHER")
    assert "blocks" not in other
    await conversation.polls.drain()


async def test_a_channel_takes_30_polls_in_ten_minutes_from_everyone_together(
    bot: SlackBot,
    conversation: Conversation,
    content: Content,
    store: StateStore,
    redis_client: aioredis.Redis,
) -> None:
    for number in range(POLLS_PER_CHANNEL):
        ack = await bot.slash(f'poll "Poll {number}?" "A" "B"', user_id=f"U0PERSON{number // 10}")
        assert "blocks" not in ack, ack
    ack = await bot.slash('poll "One too many?" "A" "B"', user_id="U0NEWCOMER")
    refusal = content.polls.messages.rate_limited_channel.format(count=30, minutes=10)
    assert shown_text(ack["blocks"]) == refusal
    await conversation.polls.drain()
    assert len(await poll_keys(redis_client, store)) == POLLS_PER_CHANNEL


def from_team(payload: dict[str, Any], team: str) -> dict[str, Any]:
    """The same press, as if it came from workspace ``team``."""
    return {
        **payload,
        "team": {"id": team, "domain": "elsewhere"},
        "user": {**payload["user"], "team_id": team},
    }


async def test_a_vote_close_or_export_from_another_workspace_finds_no_poll(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    poll = await start_poll(bot, conversation, '"Lunch?" "Pizza" "Sushi"')
    missing = content.polls.messages.poll_missing
    manage = controls(poll.blocks)
    for number, control in enumerate(
        (poll.vote_button(0), manage["poll.close"], manage["poll.export"])
    ):
        url_name = f"elsewhere-{number}"
        # The creator's own user id, from another workspace (an admin there, even).
        payload = from_team(
            press_on_poll(bot, poll, control, CREATOR, response_url=url_name), "T0OTHER"
        )
        assert (await bot.interact(payload)).status == 200
        answer = await bot.slack.response_named(url_name)
        assert shown_text(answer.body["blocks"]) == missing
    tally = await conversation.polls.polls.tally(poll.id, 2, with_voters=True)
    assert tally.counts == (0, 0) and not tally.closed and tally.version == 0
    assert not bot.slack.uploaded_files()
