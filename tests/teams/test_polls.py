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
from bot.replies import Action
from bot.store import StateStore
from tests.teams.conftest import StandInConnector, payload
from tests.teams.poll_flow import (
    THREAD,
    Card,
    Client,
    banner,
    buttons,
    execute,
    lines,
    mention,
    own_view,
    person,
    posts,
    press,
    submit,
    text_blocks,
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
    return next(
        d["aic_value"] for d in buttons(card).values() if d["aic_action"] == Action.POLL_CLOSE
    )


async def test_mention_starts_a_poll_posted_in_the_thread(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    content: Content,
    assert_valid_card: CheckCard,
) -> None:
    messages = content.polls.messages
    card = await start(teams, connector, HOSTING)
    (call,) = connector.calls
    # A reply in the thread of the message that mentioned the bot.
    assert (call.method, call.conversation_id) == ("POST", THREAD)
    assert call.activity_id == call.body["replyToId"]
    assert str(call.activity_id).startswith("mention-")
    assert_valid_card(card)
    shown = lines(card)
    assert shown[0] == "Where do we host the model?"
    assert messages.voters_plural.format(count=0) in shown
    assert messages.started_by.format(name="Person 001") in shown[-1]
    assert list(buttons(card)) == [
        "Open source",
        "Closed source",
        "Hybrid",
        messages.close_button,
        messages.export_button,
        messages.remind_button,
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
    content: Content,
    assert_valid_card: CheckCard,
) -> None:
    team = content.polls.team_poll
    london = ZoneInfo("Europe/London")  # the activity's localTimezone
    day = (datetime.now(london) + timedelta(days=30)).date()
    card = await start(teams, connector, f'poll --closes "{day.isoformat()} 17:00"')
    assert_valid_card(card)
    assert lines(card)[0] == team.question
    assert list(buttons(card))[:4] == [o.label for o in team.options]
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
    content: Content,
    assert_valid_card: CheckCard,
) -> None:
    too_few = shaped_like(
        content.polls.messages.too_few_options, min=content.polls.limits.min_options
    )
    response = await teams.post(
        "/api/messages", json=mention(connector.url, 'poll "Only one option?" "Yes"')
    )
    assert response.status == 201
    (card,) = posts(connector)
    assert_valid_card(card)
    assert too_few.search(" ".join(lines(card)))
    assert not any(d["aic_action"] == "poll.vote" for d in buttons(card).values())
    assert [k async for k in redis_client.scan_iter(match=f"{store.prefix}:poll:*")] == []


async def test_vote_confirmed_by_banner_and_marked_on_the_voters_own_view(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    content: Content,
    assert_valid_card: CheckCard,
) -> None:
    messages = content.polls.messages
    you_voted = messages.your_vote.partition("{option}")[0]
    card = await start(teams, connector, HOSTING)
    options = buttons(card)

    # A banner under the card: the shared update that follows cannot hide it.
    mine = await banner(teams, execute(connector.url, options["Open source"], by=2))
    assert mine == messages.voted.format(option="Open source")
    await settle(conversation)
    shared = updates(connector)[-1]
    assert_valid_card(shared)
    shown = lines(shared)
    assert f"Open source ▇▇▇▇▇▇▇▇ {votes(content, 1)} (100%)" in shown
    assert f"Closed source ▁▁▁▁▁▁▁▁ {votes(content, 0)} (0%)" in shown
    assert "Person 002" in shown
    assert not any(line.startswith(you_voted) for line in shown), "the shared card is neutral"
    assert shared["refresh"]["userIds"] == ["29:person-2"]
    assert shared["refresh"]["action"]["verb"] == "poll.view"

    # Teams refreshes the card for person 2 alone: their own view marks their choice.
    view = await own_view(teams, connector.url, shared, by=2)
    assert_valid_card(view)
    assert lines(view)[0] == messages.your_vote.format(option="Open source")
    assert view["body"][0]["color"] == "good"
    assert lines(view)[1:] == shown
    styles = {a["title"]: a.get("style") for a in view["body"][-2]["actions"]}
    assert styles == {"Open source": "positive", "Closed source": None, "Hybrid": None}
    # Someone listed who has no vote (theirs is withdrawn) sees no such line.
    await banner(teams, execute(connector.url, options["Hybrid"], by=3))
    await banner(teams, execute(connector.url, options["Hybrid"], by=3))
    await settle(conversation)
    theirs = await own_view(teams, connector.url, updates(connector)[-1], by=3)
    assert not any(line.startswith(you_voted) for line in lines(theirs))

    moved = await banner(teams, execute(connector.url, options["Closed source"], by=2))
    assert moved == messages.moved.format(previous="Open source", option="Closed source")
    withdrawn = await banner(teams, execute(connector.url, options["Closed source"], by=2))
    assert withdrawn == messages.withdrawn.format(option="Closed source")
    await settle(conversation)
    final = updates(connector)[-1]
    assert f"Closed source ▁▁▁▁▁▁▁▁ {votes(content, 0)} (0%)" in lines(final)
    assert messages.voters_plural.format(count=0) in lines(final)
    assert not any(
        line.startswith(you_voted)
        for line in lines(await own_view(teams, connector.url, final, by=2))
    )
    # Nothing but the poll card itself was ever posted.
    assert len(posts(connector)) == 1
    for update in updates(connector):
        assert_valid_card(update)


async def test_hidden_results_still_show_the_voter_their_choice(
    teams: Client, connector: StandInConnector, conversation: Conversation, content: Content
) -> None:
    messages = content.polls.messages
    card = await start(teams, connector, 'poll "Lunch?" "Pizza" "Salad" --hide-results')
    assert await banner(teams, execute(connector.url, buttons(card)["Salad"], by=2)) == (
        messages.voted.format(option="Salad")
    )
    await settle(conversation)
    shared = updates(connector)[-1]
    assert not any("▇" in line or "▁" in line for line in lines(shared))
    view = await own_view(teams, connector.url, shared, by=2)
    assert lines(view)[0] == messages.your_vote.format(option="Salad")
    assert messages.hidden_results in lines(view)


async def test_submit_fallback_posts_nothing_and_updates_the_card(
    teams: Client, connector: StandInConnector, conversation: Conversation, content: Content
) -> None:
    messages = content.polls.messages
    card = await start(teams, connector, 'poll "Lunch?" "Pizza" "Salad"')
    options = buttons(card)
    for by in (2, 3):
        response = await teams.post(
            "/api/messages", json=submit(connector.url, options["Pizza"], by)
        )
        assert response.status == 201
    # "Not sure"-style private answers and exports have nowhere private to go either.
    for data in (options[messages.export_button], options[messages.close_button]):
        response = await teams.post("/api/messages", json=submit(connector.url, data, by=4))
        assert response.status == 201
    await settle(conversation)
    assert len(posts(connector)) == 1, "nothing public besides the poll card"
    assert f"Pizza ▇▇▇▇▇▇▇▇ {votes(content, 2)} (100%)" in lines(updates(connector)[-1])


async def test_not_sure_runs_the_questionnaire_for_the_voter_and_casts_its_result(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    content: Content,
    assert_valid_card: CheckCard,
) -> None:
    messages = content.polls.messages
    team = content.polls.team_poll.options
    not_sure = next(o.label for o in team if o.runs_questionnaire)
    hybrid = next(o.label for o in team if o.outcome == "hybrid")
    asking = shaped_like(content.strings.progress)
    card = await start(teams, connector, "poll")
    quiz = await press(teams, execute(connector.url, buttons(card)[not_sure], 2))
    assert_valid_card(quiz)
    assert lines(quiz)[0].startswith(messages.quiz_for_poll)
    steps = 0
    while any(asking.match(line) for line in lines(quiz)):
        steps += 1
        first = next(d for d in buttons(quiz).values() if d["aic_action"] == "quiz.answer")
        quiz = await press(teams, execute(connector.url, first, 2))
        assert_valid_card(quiz)
        if steps == 2:
            # Someone else votes: the shared card changes, and Teams refreshes person 2's
            # card to their own view, which is still their questionnaire, not the poll.
            await banner(teams, execute(connector.url, buttons(card)[hybrid], 3))
            await settle(conversation)
            view = await own_view(teams, connector.url, updates(connector)[-1], by=2)
            assert lines(view) == lines(quiz)
    assert steps >= 8
    shown = lines(quiz)
    assert shown[0].startswith(content.strings.result_header.partition("{outcome}")[0])
    cast_before, _, cast_after = messages.quiz_vote_cast.partition("{option}")
    assert shown[-1].startswith(cast_before) and shown[-1].endswith(cast_after)
    voted_for = shown[-1].removeprefix(cast_before).removesuffix(cast_after)
    await settle(conversation)
    shared = lines(updates(connector)[-1])
    assert messages.voters_plural.format(count=2) in shared
    assert messages.priorities_title in shared
    # Where the priorities come from is a small note, not one of the priorities.
    notes = [
        shaped_like(messages.priorities_source),
        shaped_like(messages.priorities_source_plural),
    ]
    (source,) = [
        b for b in text_blocks(updates(connector)[-1]) if any(n.search(b["text"]) for n in notes)
    ]
    assert source["text"] == messages.priorities_source.format(count=1)
    assert source.get("isSubtle") is True
    view = await own_view(teams, connector.url, updates(connector)[-1], by=2)
    assert lines(view)[0] == messages.your_vote.format(option=voted_for)
    assert len(posts(connector)) == 1, "the questionnaire never went to the channel"


async def test_close_by_creator_only_with_teams_wording(
    teams: Client, connector: StandInConnector, conversation: Conversation, content: Content
) -> None:
    messages = content.polls.messages
    card = await start(teams, connector, HOSTING, by=1)
    options = buttons(card)
    await banner(teams, execute(connector.url, options["Hybrid"], by=2))
    await settle(conversation)
    before = len(updates(connector))

    refused = await banner(teams, execute(connector.url, options[messages.close_button], by=2))
    # Teams has no admin who may close polls: the refusal names nobody else.
    assert refused == messages.not_allowed_close
    not_yours = await banner(teams, execute(connector.url, options[messages.export_button], 2))
    assert not_yours == messages.not_allowed_export
    await settle(conversation)
    assert len(updates(connector)) == before

    assert await banner(teams, execute(connector.url, options[messages.close_button], by=1)) == (
        messages.closed_by_you
    )
    await settle(conversation)
    shared = updates(connector)[-1]
    assert lines(shared)[0] == messages.closed_header.format(question="Where do we host the model?")
    assert f"Hybrid ▇▇▇▇▇▇▇▇ {votes(content, 1)} (100%)" in lines(shared)
    assert list(buttons(shared)) == [messages.export_button]
    late = await banner(teams, execute(connector.url, options["Open source"], by=3))
    assert late == messages.poll_closed_no_vote


async def test_export_goes_to_the_creators_personal_chat_and_the_poll_stays(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    content: Content,
    assert_valid_card: CheckCard,
) -> None:
    messages = content.polls.messages
    header = ",".join(csv_header(content))
    card = await start(teams, connector, HOSTING, by=1)
    options = buttons(card)
    await banner(teams, execute(connector.url, options["Hybrid"], by=2))
    await settle(conversation)
    calls_before = len(connector.calls)

    # No personal chat with the creator yet: the banner says how to open one; nothing moves.
    export = options[messages.export_button]
    assert await banner(teams, execute(connector.url, export, by=1)) == (
        messages.export_needs_personal_chat
    )
    assert len(connector.calls) == calls_before

    # The creator says hi in a personal chat; the next export is sent there.
    hello = payload("personal_message", connector.url, text="hi", **{"from": person(1)})
    assert (await teams.post("/api/messages", json=hello)).status == 201
    personal_chat = hello["conversation"]["id"]
    calls_before = len(connector.calls)
    assert await banner(teams, execute(connector.url, export, by=1)) == (
        messages.export_sent_personal
    )
    await settle(conversation)
    (sent,) = connector.calls[calls_before:]
    assert (sent.method, sent.conversation_id) == ("POST", personal_chat)
    assert_valid_card(sent.card)
    shown = lines(sent.card)
    assert shown[0] == messages.export_ready.format(question="Where do we host the model?")
    start_csv = shown.index(header)
    assert shown[start_csv - 1] == f"poll-{poll_id_of(card)}.csv"
    assert shown[start_csv:] == [
        header,
        "Open source,0,0",
        "Closed source,0,0",
        "Hybrid,1,100",
        f"{messages.csv_voter},{messages.csv_option}",
        "Person 002,Hybrid",
    ]
    # The poll card in the channel was neither replaced nor updated by the export.
    assert not [c for c in connector.calls[calls_before:] if c.conversation_id == THREAD]


async def test_anonymous_poll_never_shows_names(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    content: Content,
    assert_valid_card: CheckCard,
) -> None:
    messages = content.polls.messages
    card = await start(teams, connector, 'poll "Secret?" "Yes" "No" --anonymous')
    options = buttons(card)
    seen: list[Card] = [card]
    for by, option in ((2, "Yes"), (3, "No"), (4, "Yes"), (3, "Yes")):
        await banner(teams, execute(connector.url, options[option], by))
    await banner(teams, execute(connector.url, options[messages.close_button], 1))
    hello = payload("personal_message", connector.url, text="hi", **{"from": person(1)})
    await teams.post("/api/messages", json=hello)
    await banner(teams, execute(connector.url, options[messages.export_button], 1))
    export = posts(connector)[-1]
    assert lines(export)[-3:] == [",".join(csv_header(content)), "Yes,3,100", "No,0,0"]
    seen.append(export)
    await settle(conversation)
    seen += updates(connector)
    assert f"Yes ▇▇▇▇▇▇▇▇ {votes(content, 3)} (100%)" in lines(updates(connector)[-1])
    # No refresh list either: it would carry the ids of the people who voted.
    assert not any("refresh" in update for update in updates(connector))
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
    content: Content,
    assert_valid_card: CheckCard,
) -> None:
    messages = content.polls.messages
    await start(teams, connector, 'poll "Ship it?" "Yes" "No" --closes-in 30m')
    assert await conversation.polls.sweep(now=time.time() + 60) == []
    closed = await conversation.polls.sweep(now=time.time() + 31 * 60)
    assert len(closed) == 1
    assert await conversation.polls.sweep(now=time.time() + 32 * 60) == []
    await settle(conversation)
    (shared,) = updates(connector)
    assert_valid_card(shared)
    assert lines(shared)[0] == messages.closed_header.format(question="Ship it?")
    assert list(buttons(shared)) == [messages.export_button]


async def test_biggest_poll_card_validates(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    content: Content,
    assert_valid_card: CheckCard,
) -> None:
    labels = [f"Option {n:02d} " + "x" * 65 for n in range(10)]
    assert all(len(label) == 75 for label in labels)
    question = "Q" * 199 + "?"
    card = await start(teams, connector, "poll " + " ".join(f'"{t}"' for t in [question, *labels]))
    assert_valid_card(card)
    options = buttons(card)
    # Too long for a button: numbered lines, and buttons "1" to "10".
    assert [options[str(n + 1)]["aic_value"].endswith(f":{n}") for n in range(10)] == [True] * 10
    assert f"1. {labels[0]}" in lines(card)
    for by in range(2, 63):
        await banner(teams, execute(connector.url, options[str(by % 10 + 1)], by))
    await settle(conversation)
    shared = updates(connector)[-1]
    assert_valid_card(shared)
    shown = lines(shared)
    assert f"{labels[0]} ▇▁▁▁▁▁▁▁ {votes(content, 6)} (10%)" in shown
    assert any("Person 010" in line for line in shown)
    # Teams shows a view of their own to at most 60 people: the newest 60 voters.
    assert shared["refresh"]["userIds"] == [f"29:person-{by}" for by in range(3, 63)]
    await banner(teams, execute(connector.url, options[content.polls.messages.close_button], by=1))
    await settle(conversation)
    assert_valid_card(updates(connector)[-1])
    # Teams refuses cards over about 28 KB.
    assert len(str(updates(connector)[-1]).encode()) < 28_000


async def test_throttled_card_update_is_retried(
    teams: Client, connector: StandInConnector, conversation: Conversation, content: Content
) -> None:
    card = await start(teams, connector, HOSTING)
    connector.fail_with = [429, 502]
    await banner(teams, execute(connector.url, buttons(card)["Hybrid"], by=2))
    await settle(conversation)
    puts = [(c.method, c.activity_id, c.status) for c in connector.calls if c.method == "PUT"]
    assert puts == [("PUT", "reply-1", 429), ("PUT", "reply-1", 502), ("PUT", "reply-1", 200)]
    assert f"Hybrid ▇▇▇▇▇▇▇▇ {votes(content, 1)} (100%)" in lines(updates(connector)[-1])


async def test_submit_in_a_personal_chat_is_confirmed_there(
    teams: Client, connector: StandInConnector, conversation: Conversation, content: Content
) -> None:
    personal = payload("personal_message", connector.url, text='poll "Tea?" "Yes" "No"')
    assert (await teams.post("/api/messages", json=personal)).status == 201
    (card,) = posts(connector)
    vote = payload("card_submit", connector.url, value=buttons(card)["Yes"], replyToId="reply-1")
    assert (await teams.post("/api/messages", json=vote)).status == 201
    await settle(conversation)
    assert lines(posts(connector)[-1]) == [content.polls.messages.voted.format(option="Yes")]
    assert f"Yes ▇▇▇▇▇▇▇▇ {votes(content, 1)} (100%)" in lines(updates(connector)[-1])
