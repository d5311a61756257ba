"""Team polls in a Teams channel, through ``/api/messages`` like the Bot Connector sends them.

The poll card is posted into the mention's thread; presses come back as Action.Execute
invokes (answered, privately, in the invoke response) or as Action.Submit messages; the
shared card is updated by the poll publisher with PUTs to the stand-in connector.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis.asyncio as aioredis

from bot.content import Content
from bot.conversation import Conversation
from bot.store import StateStore
from tests.teams.conftest import StandInConnector, payload
from tests.teams.poll_flow import (
    THREAD,
    Card,
    Client,
    buttons,
    execute,
    lines,
    mention,
    posts,
    press,
    submit,
    updates,
)
from tests.wording import csv_header, shaped_like, votes

CheckCard = Callable[[dict[str, Any]], None]

HOSTING = 'poll "Where do we host the model?" "Open source" "Closed source" "Hybrid"'


@pytest.fixture(autouse=True)
def quick_refresh(conversation: Conversation) -> None:
    """Card updates every 50 ms instead of 2 s, so the tests wait little."""
    conversation.polls.refresh_window = 0.05


async def start(teams: Client, connector: StandInConnector, text: str, by: int = 1) -> Card:
    """Start a poll by mention; the poll card that was posted."""
    response = await teams.post("/api/messages", json=mention(connector.url, text, by))
    assert response.status == 201
    (card,) = posts(connector)
    return card


async def settle(conversation: Conversation) -> None:
    await conversation.polls.drain()


def poll_id_of(card: Card) -> str:
    return buttons(card)["Close poll"]["aic_value"]


async def test_mention_starts_a_poll_posted_in_the_thread(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    assert_valid_card: CheckCard,
    content: Content,
) -> None:
    card = await start(teams, connector, HOSTING)
    (call,) = connector.calls
    # A reply in the thread of the message that mentioned the bot.
    assert (call.method, call.conversation_id) == ("POST", THREAD)
    assert call.activity_id == call.body["replyToId"]
    assert str(call.activity_id).startswith("mention-")
    assert_valid_card(card)
    shown = lines(card)
    assert shown[0] == "Where do we host the model?"
    messages = content.polls.messages
    assert messages.voters_plural.format(count=0) in shown
    assert messages.started_by.format(name="Person 001") in shown[-1]
    assert list(buttons(card)) == [
        "Open source",
        "Closed source",
        "Hybrid",
        messages.close_button,
        messages.export_button,
    ]
    meta = await conversation.polls.polls.meta(poll_id_of(card))
    assert meta is not None
    assert meta["platform"] == "teams"
    assert meta["creator"]["user"] == "00000000-0000-4000-8000-000000000001"
    assert meta["message"] == {
        "service_url": connector.url,
        "channel_id": "msteams",
        "conversation_id": THREAD,
        "conversation_type": "channel",
        "tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "team_id": "19:team0a1b2c3d4e5f@thread.tacv2",
        "bot_id": "28:0e5d2c1b-aaaa-bbbb-cccc-1234567890ab",
        "bot_name": "AI Choice",
        "activity_id": "reply-1",
    }


async def test_team_poll_and_deadline_in_the_senders_time_zone(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    assert_valid_card: CheckCard,
    content: Content,
) -> None:
    london = ZoneInfo("Europe/London")  # the activity's localTimezone
    day = (datetime.now(london) + timedelta(days=30)).date()
    card = await start(teams, connector, f'poll --closes "{day.isoformat()} 17:00"')
    assert_valid_card(card)
    team_poll = content.polls.team_poll
    assert lines(card)[0] == team_poll.question
    assert list(buttons(card))[:4] == [o.label for o in team_poll.options]
    meta = await conversation.polls.polls.meta(poll_id_of(card))
    assert meta is not None
    expected = datetime.combine(day, datetime.min.time().replace(hour=17), london)
    assert meta["deadline"] == expected.timestamp()
    assert any("17:00" in line for line in lines(card))


async def test_bad_input_posts_no_poll(
    teams: Client,
    connector: StandInConnector,
    store: StateStore,
    redis_client: aioredis.Redis,
    assert_valid_card: CheckCard,
    content: Content,
) -> None:
    response = await teams.post(
        "/api/messages", json=mention(connector.url, 'poll "Only one option?" "Yes"')
    )
    assert response.status == 201
    (card,) = posts(connector)
    assert_valid_card(card)
    too_few = shaped_like(content.polls.messages.too_few_options, min=2)
    assert too_few.search(" ".join(lines(card)))
    assert not any(d["aic_action"] == "poll.vote" for d in buttons(card).values())
    assert [k async for k in redis_client.scan_iter(match=f"{store.prefix}:poll:*")] == []


async def test_vote_move_withdraw_confirmed_privately_card_updated_for_all(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    assert_valid_card: CheckCard,
    content: Content,
) -> None:
    messages = content.polls.messages
    card = await start(teams, connector, HOSTING)
    options = buttons(card)

    mine = await press(teams, execute(connector.url, options["Open source"], by=2))
    assert_valid_card(mine)
    assert lines(mine)[0] == messages.voted.format(option="Open source")
    assert mine["body"][0]["color"] == "good"
    assert f"Open source ▇▇▇▇▇▇▇▇ {votes(content, 1)} (100%)" in lines(mine)
    await settle(conversation)
    shared = updates(connector)[-1]
    assert_valid_card(shared)
    shown = lines(shared)
    assert f"Open source ▇▇▇▇▇▇▇▇ {votes(content, 1)} (100%)" in shown
    assert f"Closed source ▁▁▁▁▁▁▁▁ {votes(content, 0)} (0%)" in shown
    assert "Person 002" in shown
    notes = [shaped_like(n) for n in (messages.voted, messages.moved, messages.withdrawn)]
    assert not any(n.search(line) for n in notes for line in shown), "the shared card is neutral"
    assert shared["body"] == mine["body"][1:], "the presser sees the same card"

    moved = await press(teams, execute(connector.url, options["Closed source"], by=2))
    assert lines(moved)[0] == messages.moved.format(previous="Open source", option="Closed source")
    withdrawn = await press(teams, execute(connector.url, options["Closed source"], by=2))
    assert lines(withdrawn)[0] == messages.withdrawn.format(option="Closed source")
    await settle(conversation)
    final = lines(updates(connector)[-1])
    assert f"Closed source ▁▁▁▁▁▁▁▁ {votes(content, 0)} (0%)" in final
    assert messages.voters_plural.format(count=0) in final
    # Nothing but the poll card itself was ever posted.
    assert len(posts(connector)) == 1
    for update in updates(connector):
        assert_valid_card(update)


async def test_submit_fallback_posts_nothing_and_updates_the_card(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    content: Content,
) -> None:
    card = await start(teams, connector, 'poll "Lunch?" "Pizza" "Salad"')
    options = buttons(card)
    for by in (2, 3):
        response = await teams.post(
            "/api/messages", json=submit(connector.url, options["Pizza"], by)
        )
        assert response.status == 201
    # "Not sure"-style private answers and exports have nowhere private to go either.
    for data in (options["Export results (CSV)"], options["Close poll"]):
        response = await teams.post("/api/messages", json=submit(connector.url, data, by=4))
        assert response.status == 201
    await settle(conversation)
    assert len(posts(connector)) == 1, "nothing public besides the poll card"
    assert f"Pizza ▇▇▇▇▇▇▇▇ {votes(content, 2)} (100%)" in lines(updates(connector)[-1])


async def test_not_sure_runs_the_questionnaire_for_the_voter_and_casts_its_result(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    assert_valid_card: CheckCard,
    content: Content,
) -> None:
    messages = content.polls.messages
    not_sure = next(o.label for o in content.polls.team_poll.options if o.runs_questionnaire)
    card = await start(teams, connector, "poll")
    quiz = await press(teams, execute(connector.url, buttons(card)[not_sure], 2))
    assert_valid_card(quiz)
    assert lines(quiz)[0].startswith(messages.quiz_for_poll)
    progress = shaped_like(content.strings.progress)
    steps = 0
    while any(progress.match(line) for line in lines(quiz)):
        steps += 1
        first = next(d for d in buttons(quiz).values() if d["aic_action"] == "quiz.answer")
        quiz = await press(teams, execute(connector.url, first, 2))
        assert_valid_card(quiz)
    assert steps >= 8
    shown = lines(quiz)
    assert shaped_like(content.strings.result_header).match(shown[0])
    sides = [o.label for o in content.polls.team_poll.options if o.outcome is not None]
    cast = {messages.quiz_vote_cast.format(option=side): side for side in sides}
    assert shown[-1] in cast, shown[-1]
    voted_for = cast[shown[-1]]
    await settle(conversation)
    shared = lines(updates(connector)[-1])
    assert f"{voted_for} ▇▇▇▇▇▇▇▇ {votes(content, 1)} (100%)" in shared
    assert messages.priorities_title in shared
    assert len(posts(connector)) == 1, "the questionnaire never went to the channel"


async def test_close_by_creator_only_and_export(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    assert_valid_card: CheckCard,
    content: Content,
) -> None:
    messages = content.polls.messages
    card = await start(teams, connector, HOSTING, by=1)
    options = buttons(card)
    await press(teams, execute(connector.url, options["Hybrid"], by=2))
    await settle(conversation)
    before = len(updates(connector))

    refused = await press(teams, execute(connector.url, options["Close poll"], by=2))
    assert lines(refused)[0] == messages.not_allowed_close
    assert refused["body"][0]["color"] == "attention"
    assert messages.close_button in buttons(refused), "still open"
    not_yours = await press(teams, execute(connector.url, options["Export results (CSV)"], by=2))
    assert lines(not_yours)[0] == messages.not_allowed_export
    await settle(conversation)
    assert len(updates(connector)) == before

    closed = await press(teams, execute(connector.url, options["Close poll"], by=1))
    assert_valid_card(closed)
    closed_header = messages.closed_header.format(question="Where do we host the model?")
    assert lines(closed)[:2] == [messages.closed_by_you, closed_header]
    await settle(conversation)
    shared = updates(connector)[-1]
    assert_valid_card(shared)
    assert lines(shared)[0] == closed_header
    assert f"Hybrid ▇▇▇▇▇▇▇▇ {votes(content, 1)} (100%)" in lines(shared)
    assert list(buttons(shared)) == [messages.export_button]

    late = await press(teams, execute(connector.url, options["Open source"], by=3))
    assert lines(late)[0] == messages.poll_closed_no_vote

    export = await press(teams, execute(connector.url, options["Export results (CSV)"], by=1))
    assert_valid_card(export)
    shown = lines(export)
    assert shown[0] == messages.export_ready.format(question="Where do we host the model?")
    csv_top = ",".join(csv_header(content))
    start_csv = shown.index(csv_top)
    assert shown[start_csv - 1] == f"poll-{poll_id_of(card)}.csv"
    assert shown[start_csv:] == [
        csv_top,
        "Open source,0,0",
        "Closed source,0,0",
        "Hybrid,1,100",
        f"{messages.csv_voter},{messages.csv_option}",
        "Person 002,Hybrid",
    ]
    assert len(posts(connector)) == 1, "the export went to the requester only"


async def test_anonymous_poll_never_shows_names(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    assert_valid_card: CheckCard,
    content: Content,
) -> None:
    card = await start(teams, connector, 'poll "Secret?" "Yes" "No" --anonymous')
    options = buttons(card)
    seen: list[Card] = [card]
    for by, option in ((2, "Yes"), (3, "No"), (4, "Yes"), (3, "Yes")):
        seen.append(await press(teams, execute(connector.url, options[option], by)))
    seen.append(await press(teams, execute(connector.url, options["Close poll"], 1)))
    export = await press(teams, execute(connector.url, options["Export results (CSV)"], 1))
    assert lines(export)[-3:] == [",".join(csv_header(content)), "Yes,3,100", "No,0,0"]
    seen.append(export)
    await settle(conversation)
    seen += updates(connector)
    assert f"Yes ▇▇▇▇▇▇▇▇ {votes(content, 3)} (100%)" in lines(updates(connector)[-1])
    for shown in seen:
        assert_valid_card(shown)
        text = " ".join(lines(shown)) + str(shown["fallbackText"])
        for by in (2, 3, 4):
            assert f"Person {by:03d}" not in text
            assert f"{by:012d}" not in text


async def test_deadline_close_updates_the_card_once(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    assert_valid_card: CheckCard,
    content: Content,
) -> None:
    await start(teams, connector, 'poll "Ship it?" "Yes" "No" --closes-in 30m')
    assert await conversation.polls.sweep(now=time.time() + 60) == []
    closed = await conversation.polls.sweep(now=time.time() + 31 * 60)
    assert len(closed) == 1
    assert await conversation.polls.sweep(now=time.time() + 32 * 60) == []
    await settle(conversation)
    (shared,) = updates(connector)
    assert_valid_card(shared)
    messages = content.polls.messages
    assert lines(shared)[0] == messages.closed_header.format(question="Ship it?")
    assert list(buttons(shared)) == [messages.export_button]


async def test_biggest_poll_card_validates(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    assert_valid_card: CheckCard,
    content: Content,
) -> None:
    labels = [f"Option {n:02d} " + "x" * 65 for n in range(10)]
    assert all(len(label) == 75 for label in labels)
    question = "Q" * 199 + "?"
    card = await start(teams, connector, "poll " + " ".join(f'"{t}"' for t in [question, *labels]))
    assert_valid_card(card)
    options = buttons(card)
    for by in range(2, 62):
        await press(teams, execute(connector.url, options[labels[by % 10]], by))
    await settle(conversation)
    shared = updates(connector)[-1]
    assert_valid_card(shared)
    shown = lines(shared)
    assert f"{labels[0]} ▇▁▁▁▁▁▁▁ {votes(content, 6)} (10%)" in shown
    assert any("Person 010" in line for line in shown)
    closed = await press(teams, execute(connector.url, options["Close poll"], by=1))
    assert_valid_card(closed)
    export = await press(teams, execute(connector.url, options["Export results (CSV)"], by=1))
    assert_valid_card(export)
    await settle(conversation)
    assert_valid_card(updates(connector)[-1])
    # Teams refuses cards over about 28 KB.
    assert len(str(updates(connector)[-1]).encode()) < 28_000


async def test_throttled_card_update_is_retried(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    content: Content,
) -> None:
    card = await start(teams, connector, HOSTING)
    connector.fail_with = [429, 502]
    await press(teams, execute(connector.url, buttons(card)["Hybrid"], by=2))
    await settle(conversation)
    puts = [(c.method, c.activity_id, c.status) for c in connector.calls if c.method == "PUT"]
    assert puts == [("PUT", "reply-1", 429), ("PUT", "reply-1", 502), ("PUT", "reply-1", 200)]
    assert f"Hybrid ▇▇▇▇▇▇▇▇ {votes(content, 1)} (100%)" in lines(updates(connector)[-1])


async def test_submit_in_a_personal_chat_is_confirmed_there(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    content: Content,
) -> None:
    personal = payload("personal_message", connector.url, text='poll "Tea?" "Yes" "No"')
    assert (await teams.post("/api/messages", json=personal)).status == 201
    (card,) = posts(connector)
    vote = payload("card_submit", connector.url, value=buttons(card)["Yes"], replyToId="reply-1")
    assert (await teams.post("/api/messages", json=vote)).status == 201
    await settle(conversation)
    assert lines(posts(connector)[-1]) == [content.polls.messages.voted.format(option="Yes")]
    assert f"Yes ▇▇▇▇▇▇▇▇ {votes(content, 1)} (100%)" in lines(updates(connector)[-1])
