"""Poll reminders in Slack, end to end: the creator's Remind button and ``--remind-in``.

Signed slash commands and presses in; ``conversations.members`` (paged), ``users.info``
and one direct message per non-voter out, through the Web API stand-in, on the real Redis.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient, TestServer

from adapters.slack.front_end import SlackFrontEnd
from adapters.slack.settings import SlackSettings
from bot.content import Content
from bot.conversation import Conversation
from bot.poll_reminders import LEASE_SECONDS
from bot.store import StateStore
from tests.apps import web_app
from tests.slack.conftest import SlackBot
from tests.slack.polls_kit import CHANNEL, CREATOR, controls, person, press, start_poll
from tests.slack.slack_stand_in import Call, Scripted, SlackStandIn

BOT_USER = "UBOT0001"
PEOPLE = ["U0ANN", "U0BOB", "U0CAT", "U0DAN"]


def channel_of(slack: SlackStandIn, *people: str) -> None:
    """The poll's channel holds the creator, ``people``, our bot and Slackbot."""
    slack.members[CHANNEL] = [CREATOR, *people, BOT_USER, "USLACKBOT"]
    slack.users[CREATOR] = person(CREATOR, name="Steve")
    for user in people:
        slack.users[user] = person(user, name=user[3:].title())
    slack.users[BOT_USER] = {**person(BOT_USER), "is_bot": True}
    slack.users["USLACKBOT"] = person("USLACKBOT", name="Slackbot")


def reminded(slack: SlackStandIn) -> Counter[str]:
    """How many reminders each person got by direct message."""
    return Counter(str(c.body["channel"]) for c in slack.direct_messages())


def private_text(call: Call) -> str:
    """The text of an ephemeral answer on a response_url."""
    return str(call.body.get("text", ""))


async def test_the_creators_remind_button_messages_each_non_voter_once_and_says_how_many(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    messages = content.polls.messages
    conversation.polls.reminders.send_interval = 0
    bot.slack.page_size = 2  # several pages, as a big channel has
    channel_of(bot.slack, *PEOPLE)
    poll = await start_poll(bot, conversation, '"Lunch?" "Pizza" "Sushi"')
    await press(bot, poll, poll.vote_button(0), "U0ANN", "ann")

    answer = await press(bot, poll, controls(poll.blocks)["poll.remind"], CREATOR, "steve")

    assert private_text(answer) == messages.reminded_many.format(count=3)
    assert reminded(bot.slack) == {"U0BOB": 1, "U0CAT": 1, "U0DAN": 1}
    dm = bot.slack.direct_messages()[0]
    assert dm.body["text"] == messages.reminder.format(creator="Steve", question="Lunch?")
    pages = bot.slack.api_calls("conversations.members")
    assert [p.body["channel"] for p in pages] == [CHANNEL] * 4  # 7 members, 2 a page
    assert "cursor" not in pages[0].body and pages[1].body["cursor"] == "next:2"

    # Pressed again: those reminded in the last 12 hours are left alone.
    again = await press(bot, poll, controls(poll.blocks)["poll.remind"], CREATOR, "steve")
    assert private_text(again) == messages.reminded_none.format(hours=12)
    assert sum(reminded(bot.slack).values()) == 3

    # Someone votes; 13 hours later only the two still without a vote are reminded again.
    await press(bot, poll, poll.vote_button(1), "U0BOB", "bob")
    later = time.time() + 13 * 3600
    conversation.polls.clock = lambda: later
    third = await press(bot, poll, controls(poll.blocks)["poll.remind"], CREATOR, "steve")
    assert private_text(third) == messages.reminded_many.format(count=2)
    assert reminded(bot.slack) == {"U0BOB": 1, "U0CAT": 2, "U0DAN": 2}


async def test_only_the_creator_may_remind_and_not_once_the_poll_is_closed(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    messages = content.polls.messages
    channel_of(bot.slack, *PEOPLE)
    poll = await start_poll(bot, conversation, '"Lunch?" "Pizza" "Sushi"')
    remind = controls(poll.blocks)["poll.remind"]

    refused = await press(bot, poll, remind, "U0BOB", "bob")
    assert private_text(refused) == messages.not_allowed_remind

    await press(bot, poll, controls(poll.blocks)["poll.close"], CREATOR, "steve")
    closed = await press(bot, poll, remind, CREATOR, "steve")
    assert private_text(closed) == messages.remind_closed
    assert not bot.slack.api_calls("conversations.members")
    assert not bot.slack.direct_messages()


async def test_an_anonymous_polls_reminders_tell_no_names_and_keep_none(
    bot: SlackBot,
    conversation: Conversation,
    content: Content,
    store: StateStore,
    redis_client: aioredis.Redis,
) -> None:
    conversation.polls.reminders.send_interval = 0
    channel_of(bot.slack, *PEOPLE)
    poll = await start_poll(bot, conversation, '"Raise?" "Yes" "No" --anonymous')
    await press(bot, poll, poll.vote_button(0), "U0ANN", "ann")
    await press(bot, poll, poll.vote_button(1), "U0CAT", "cat")

    answer = await press(bot, poll, controls(poll.blocks)["poll.remind"], CREATOR, "steve")

    assert private_text(answer) == content.polls.messages.reminded_many.format(count=2)
    assert reminded(bot.slack) == {"U0BOB": 1, "U0DAN": 1}
    # Redis holds who was reminded only as the same keyed hashes that stand in for voters.
    key = store.key("poll", "{" + poll.id + "}", "reminded")
    fields = await redis_client.hkeys(key)
    assert len(fields) == 2
    assert not any(user in field for field in fields for user in (*PEOPLE, CREATOR))
    for call in bot.slack.calls:  # nobody but each reminded person hears of them
        if call.name == "chat.postMessage" and not str(call.body["channel"]).startswith("U"):
            assert "U0BOB" not in str(call.body) and "U0DAN" not in str(call.body)


async def test_a_throttled_reminder_waits_out_retry_after_and_is_sent_once(
    bot: SlackBot, conversation: Conversation
) -> None:
    conversation.polls.reminders.send_interval = 0
    channel_of(bot.slack, *PEOPLE)
    poll = await start_poll(bot, conversation, '"Lunch?" "Pizza" "Sushi"')
    throttled = Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
    bot.slack.script("chat.postMessage", throttled)

    await press(bot, poll, controls(poll.blocks)["poll.remind"], CREATOR, "steve")

    posts = bot.slack.api_calls("chat.postMessage")
    assert [c.status for c in posts[-5:]] == [429, 200, 200, 200, 200]
    assert posts[-5].body["channel"] == posts[-4].body["channel"]  # the same DM, again
    assert reminded(bot.slack) == {"U0ANN": 1, "U0BOB": 1, "U0CAT": 1, "U0DAN": 1}


async def test_remind_in_reminds_once_when_due_and_tells_the_creator_privately(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    messages = content.polls.messages
    conversation.polls.reminders.send_interval = 0
    channel_of(bot.slack, *PEOPLE)
    poll = await start_poll(bot, conversation, '"Offsite?" "Lisbon" "Porto" --remind-in 1d')
    await press(bot, poll, poll.vote_button(0), "U0DAN", "dan")
    reminders = conversation.polls.reminders
    now = time.time()

    assert await reminders.sweep(now + 3600) == []  # not yet due
    assert await reminders.sweep(now + 86400 + 1) == [poll.id]
    await reminders.drain()
    assert await reminders.sweep(now + 86400 + 2) == []  # once

    assert reminded(bot.slack)[CREATOR] == 1  # the note saying how it went
    assert reminded(bot.slack) == {"U0ANN": 1, "U0BOB": 1, "U0CAT": 1, CREATOR: 1}
    (note,) = [c for c in bot.slack.direct_messages() if c.body["channel"] == CREATOR]
    done = messages.reminded_about.format(question="Offsite?")
    assert note.body["text"] == f"{done} {messages.reminded_many.format(count=3)}"


async def test_bad_remind_in_values_say_what_to_fix_and_post_nothing(
    bot: SlackBot, content: Content
) -> None:
    messages = content.polls.messages
    for text, problem in (
        ("--remind-in soon", messages.unreadable_duration.format(value="soon")),
        ("--remind-in 2d --closes-in 1d", messages.remind_after_close),
        ("--remind-in", messages.missing_flag_value.format(flag="--remind-in", example="1d")),
    ):
        ack = await bot.slash(f'poll "Lunch?" "Pizza" "Sushi" {text}')
        assert ack["text"].startswith(problem), (text, ack)
    assert not bot.slack.api_calls("chat.postMessage")


async def test_two_thousand_members_with_a_restart_halfway_are_each_reminded_once(
    bot: SlackBot,
    conversation: Conversation,
    content: Content,
    store: StateStore,
    slack_settings: SlackSettings,
) -> None:
    """The first server stops when the 1,000th reminder reaches Slack; its lease lapses;
    a second server's sweep resumes the burst and reminds the other 1,000, once each."""
    people = [f"U{n:06d}" for n in range(2000)]
    channel_of(bot.slack, *people)
    first = conversation.polls.reminders
    first.send_interval = 0
    first.answer_within = 0  # answer at once: "Reminding ..."
    poll = await start_poll(bot, conversation, '"All hands?" "Yes" "No"')

    async def stop_at_the_thousandth(call: Call) -> None:
        if call.name == "chat.postMessage" and len(bot.slack.direct_messages()) == 1000:
            bot.slack.on_call = None
            await first.stop()  # the process dies while this reminder is being answered

    bot.slack.on_call = stop_at_the_thousandth
    answer = await press(bot, poll, controls(poll.blocks)["poll.remind"], CREATOR, "steve")
    assert private_text(answer) == content.polls.messages.reminding
    await bot.slack.wait_for(lambda: bot.slack.on_call is None, timeout=120, what="1,000 DMs")
    await first.drain()
    assert len(reminded(bot.slack)) == 1000

    second = Conversation(content, store)
    client: TestClient[Any, Any] = TestClient(
        TestServer(web_app(second, store, SlackFrontEnd(slack_settings)))
    )
    await client.start_server()
    try:
        resumer = second.polls.reminders
        resumer.send_interval = 0
        assert await resumer.sweep(time.time() + 1) == []  # the first one's lease holds
        assert await resumer.sweep(time.time() + LEASE_SECONDS + 1) == [poll.id]
        await resumer.drain()
    finally:
        await client.close()

    counts = reminded(bot.slack)
    assert counts.pop(CREATOR) == 1  # the note with the count, once
    assert counts == dict.fromkeys(people, 1)
    (note,) = [c for c in bot.slack.direct_messages() if c.body["channel"] == CREATOR]
    assert content.polls.messages.reminded_many.format(count="2,000") in note.body["text"]


async def test_the_remind_button_answers_before_a_slow_burst_ends(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    """A burst longer than the press waits goes on; the count arrives as a DM."""
    reminders = conversation.polls.reminders
    reminders.send_interval = 0
    reminders.answer_within = 0
    channel_of(bot.slack, *PEOPLE)
    poll = await start_poll(bot, conversation, '"Lunch?" "Pizza" "Sushi"')
    hold = asyncio.Event()

    async def slow_slack(call: Call) -> None:
        if call.name == "users.info":
            await hold.wait()

    bot.slack.on_call = slow_slack
    answer = await press(bot, poll, controls(poll.blocks)["poll.remind"], CREATOR, "steve")
    assert private_text(answer) == content.polls.messages.reminding
    again = await press(bot, poll, controls(poll.blocks)["poll.remind"], CREATOR, "steve")
    assert private_text(again) == content.polls.messages.reminders_running
    hold.set()
    await reminders.drain()
    assert reminded(bot.slack) == {"U0ANN": 1, "U0BOB": 1, "U0CAT": 1, "U0DAN": 1, CREATOR: 1}


async def test_three_replicas_racing_on_a_due_reminder_send_it_once(
    bot: SlackBot,
    conversation: Conversation,
    content: Content,
    store: StateStore,
    slack_settings: SlackSettings,
) -> None:
    channel_of(bot.slack, *PEOPLE)
    conversation.polls.reminders.send_interval = 0
    poll = await start_poll(bot, conversation, '"Offsite?" "Lisbon" "Porto" --remind-in 2h')
    replicas = [conversation]
    clients: list[TestClient[Any, Any]] = []
    for _ in range(2):
        replica = Conversation(content, store)
        replica.polls.reminders.send_interval = 0
        client: TestClient[Any, Any] = TestClient(
            TestServer(web_app(replica, store, SlackFrontEnd(slack_settings)))
        )
        await client.start_server()
        clients.append(client)
        replicas.append(replica)
    try:
        due = time.time() + 2 * 3600 + 1
        started = await asyncio.gather(*(r.polls.reminders.sweep(due) for r in replicas))
        await asyncio.gather(*(r.polls.reminders.drain() for r in replicas))
    finally:
        for client in clients:
            await client.close()

    assert sorted(started, key=len) == [[], [], [poll.id]]
    assert reminded(bot.slack) == {user: 1 for user in (*PEOPLE, CREATOR)}
    assert len(bot.slack.api_calls("conversations.members")) == 1


async def test_closing_the_poll_by_hand_cancels_its_timed_reminder(
    bot: SlackBot, conversation: Conversation
) -> None:
    channel_of(bot.slack, *PEOPLE)
    poll = await start_poll(bot, conversation, '"Offsite?" "Lisbon" "Porto" --remind-in 1h')
    await press(bot, poll, controls(poll.blocks)["poll.close"], CREATOR, "steve")
    assert await conversation.polls.reminders.sweep(time.time() + 7200) == []
    assert not bot.slack.direct_messages()


async def test_a_channel_slack_wont_list_reminds_nobody_and_says_so(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    channel_of(bot.slack, *PEOPLE)
    poll = await start_poll(bot, conversation, '"Lunch?" "Pizza" "Sushi"')
    del bot.slack.members[CHANNEL]  # conversations.members: channel_not_found
    answer = await press(bot, poll, controls(poll.blocks)["poll.remind"], CREATOR, "steve")
    assert private_text(answer) == content.polls.messages.roster_unavailable
    assert not bot.slack.direct_messages()


async def test_closing_the_poll_during_a_burst_stops_the_rest(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    reminders = conversation.polls.reminders
    reminders.send_interval = 0
    reminders.answer_within = 0
    channel_of(bot.slack, *PEOPLE)
    poll = await start_poll(bot, conversation, '"Lunch?" "Pizza" "Sushi"')

    async def close_at_the_first_reminder(call: Call) -> None:
        if call.name == "chat.postMessage" and bot.slack.direct_messages():
            bot.slack.on_call = None
            await press(bot, poll, controls(poll.blocks)["poll.close"], CREATOR, "steve")

    bot.slack.on_call = close_at_the_first_reminder
    await press(bot, poll, controls(poll.blocks)["poll.remind"], CREATOR, "steve")
    await bot.slack.wait_for(lambda: bot.slack.on_call is None, what="the first reminder")
    await reminders.drain()
    counts = reminded(bot.slack)
    assert counts.pop(CREATOR) == 1  # how it went
    assert list(counts.values()) == [1]  # the one sent before the poll closed
    (note,) = [c for c in bot.slack.direct_messages() if c.body["channel"] == CREATOR]
    assert content.polls.messages.reminded_one in note.body["text"]


async def test_a_reminder_slack_refuses_is_counted_as_not_reached(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    messages = content.polls.messages
    conversation.polls.reminders.send_interval = 0
    channel_of(bot.slack, *PEOPLE)
    poll = await start_poll(bot, conversation, '"Lunch?" "Pizza" "Sushi"')
    bot.slack.script("chat.postMessage", Scripted(200, {"ok": False, "error": "cannot_dm_bot"}))

    answer = await press(bot, poll, controls(poll.blocks)["poll.remind"], CREATOR, "steve")

    unreachable = messages.reminded_unreachable.format(count=1)
    assert private_text(answer) == f"{messages.reminded_many.format(count=3)} {unreachable}"
    assert len(reminded(bot.slack)) == 3
