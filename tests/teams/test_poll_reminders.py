"""Poll reminders in Teams, end to end: the creator's Remind button on the poll card.

Bot Framework activities in; the paged roster read through botbuilder's ``TeamsInfo``, a
proactive message in each non-voter's personal chat with the bot, and one @mention in the
poll's thread for those without one, out through the stand-in connector; real Redis.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient

from bot.content import Content
from bot.conversation import Conversation
from tests.teams import poll_flow
from tests.teams.conftest import StandInConnector, payload

Client = TestClient[Any, Any]
TEAM = poll_flow.CHANNEL_DATA["team"]["id"]
TENANT = poll_flow.CHANNEL_DATA["tenant"]["id"]
OTHER_BOT = {"id": "28:another-bot", "name": "Standup Bot"}


def personal_chat(number: int) -> str:
    """The conversation id of person ``number``'s personal chat with the bot."""
    return f"a:personal-chat-of-{number}"


async def say_hi_privately(teams: Client, connector: StandInConnector, number: int) -> None:
    """Person ``number`` writes to the bot in a personal chat (so the bot may write back)."""
    hello = payload(
        "personal_message",
        connector.url,
        id=f"hello-{number}",
        text="hi",
        conversation={
            "conversationType": "personal",
            "tenantId": TENANT,
            "id": personal_chat(number),
        },
        **{"from": poll_flow.person(number)},
    )
    assert (await teams.post("/api/messages", json=hello)).status == 201


async def start(teams: Client, connector: StandInConnector, text: str) -> dict[str, Any]:
    """Person 1 starts a poll in the channel; its card's buttons, title -> data."""
    started = poll_flow.mention(connector.url, f"poll {text}", by=1)
    assert (await teams.post("/api/messages", json=started)).status == 201
    return poll_flow.buttons(poll_flow.posts(connector)[-1])


def sent_to(connector: StandInConnector, conversation: str, since: int) -> list[dict[str, Any]]:
    """Activities the bot posted into ``conversation`` after call number ``since``."""
    return [
        c.body
        for c in connector.delivered[since:]
        if c.method == "POST" and c.conversation_id == conversation
    ]


def texts(bodies: list[dict[str, Any]]) -> list[str]:
    """What each posted activity shows: its text, or its card's lines."""
    shown = []
    for body in bodies:
        cards = [a["content"] for a in body.get("attachments") or []]
        shown.append(body.get("text") or "\n".join(poll_flow.lines(cards[0])))
    return shown


async def test_remind_messages_those_with_a_personal_chat_and_mentions_the_rest_once(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    content: Content,
    assert_valid_card: Callable[[dict[str, Any]], None],
) -> None:
    messages = content.polls.messages
    conversation.polls.reminders.send_interval = 0
    connector.members[TEAM] = [poll_flow.person(n) for n in range(1, 6)] + [OTHER_BOT]
    connector.page_size = 2
    for number in (2, 3):
        await say_hi_privately(teams, connector, number)
    options = await start(teams, connector, '"Tea?" "Yes" "No"')
    assert_valid_card(poll_flow.posts(connector)[-1])
    await poll_flow.banner(teams, poll_flow.execute(connector.url, options["Yes"], by=2))
    before = len(connector.delivered)

    remind = poll_flow.execute(connector.url, options[messages.remind_button], by=1)
    banner = await poll_flow.banner(teams, remind)

    assert banner == messages.reminded_many.format(count=3)
    reminder = messages.reminder.format(creator="Person 001", question="Tea?")
    assert texts(sent_to(connector, personal_chat(3), before)) == [reminder]
    assert sent_to(connector, personal_chat(2), before) == []  # voted
    (called_out,) = sent_to(connector, poll_flow.THREAD, before)
    assert called_out["text"].startswith(
        messages.reminder_mention.format(creator="Person 001", question="Tea?")
    )
    assert "<at>Person 004</at>, <at>Person 005</at>" in called_out["text"]
    mentioned = [e["mentioned"]["id"] for e in called_out["entities"] if e["type"] == "mention"]
    assert mentioned == ["29:person-4", "29:person-5"]
    assert [token for _, token in connector.roster_reads] == ["", "page-2", "page-4"]
    assert {conversation for conversation, _ in connector.roster_reads} == {TEAM}

    # Pressed again within 12 hours: nobody is reminded twice.
    remind_again = poll_flow.execute(connector.url, options[messages.remind_button], by=1)
    again = await poll_flow.banner(teams, remind_again)
    assert again == messages.reminded_none.format(hours=12)
    assert len(sent_to(connector, personal_chat(3), before)) == 1


async def test_a_non_creator_is_refused_and_nothing_is_read_or_sent(
    teams: Client, connector: StandInConnector, content: Content
) -> None:
    messages = content.polls.messages
    connector.members[TEAM] = [poll_flow.person(n) for n in range(1, 4)]
    options = await start(teams, connector, '"Tea?" "Yes" "No"')
    before = len(connector.calls)
    remind = poll_flow.execute(connector.url, options[messages.remind_button], by=2)
    assert await poll_flow.banner(teams, remind) == messages.not_allowed_remind
    assert connector.roster_reads == [] and len(connector.calls) == before


async def test_an_anonymous_poll_names_nobody_in_the_thread(
    teams: Client, connector: StandInConnector, conversation: Conversation, content: Content
) -> None:
    """Those without a personal chat are not called out (that would tell who hasn't voted):
    the creator learns only how many could not be reached."""
    messages = content.polls.messages
    conversation.polls.reminders.send_interval = 0
    connector.members[TEAM] = [poll_flow.person(n) for n in range(1, 5)]
    await say_hi_privately(teams, connector, 2)
    options = await start(teams, connector, '"Raise?" "Yes" "No" --anonymous')
    await poll_flow.banner(teams, poll_flow.execute(connector.url, options["No"], by=4))
    before = len(connector.delivered)
    connector.fail_with = [429]  # the first roster page is throttled once

    remind = poll_flow.execute(connector.url, options[messages.remind_button], by=1)
    banner = await poll_flow.banner(teams, remind)

    unreachable = messages.reminded_unreachable.format(count=1)
    assert banner == f"{messages.reminded_one} {unreachable}"
    assert len(sent_to(connector, personal_chat(2), before)) == 1
    assert sent_to(connector, poll_flow.THREAD, before) == []
    assert [token for _, token in connector.roster_reads] == ["", ""]  # after the 429


async def test_remind_in_fires_once_and_tells_the_creator_in_their_personal_chat(
    teams: Client, connector: StandInConnector, conversation: Conversation, content: Content
) -> None:
    messages = content.polls.messages
    reminders = conversation.polls.reminders
    reminders.send_interval = 0
    connector.members[TEAM] = [poll_flow.person(n) for n in range(1, 4)]
    for number in (1, 2, 3):
        await say_hi_privately(teams, connector, number)
    await start(teams, connector, '"Tea?" "Yes" "No" --remind-in 30m')
    before = len(connector.delivered)

    now = time.time()
    assert await reminders.sweep(now + 60) == []
    assert len(await reminders.sweep(now + 1801)) == 1
    await reminders.drain()
    assert await reminders.sweep(now + 1802) == []

    reminder = messages.reminder.format(creator="Person 001", question="Tea?")
    for number in (2, 3):
        assert texts(sent_to(connector, personal_chat(number), before)) == [reminder]
    done = messages.reminded_about.format(question="Tea?")
    note = f"{done} {messages.reminded_many.format(count=2)}"
    assert texts(sent_to(connector, personal_chat(1), before)) == [note]
    assert sent_to(connector, poll_flow.THREAD, before) == []
