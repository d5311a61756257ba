"""Team polls in the core: start, vote, results, close, deadlines, export — exact."""

from __future__ import annotations

import asyncio
import csv
import io
import random
import time
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.content import Content
from bot.conversation import Conversation
from bot.events import Actor, ButtonPress, Command
from bot.polls import PollService, result_line
from bot.replies import Reply, Visibility
from bot.store import StateStore
from bot.testing import Dialogue

MANAGER = Actor("test", "W1", "C1", "UMGR", "Maya")
ADMIN = Actor("test", "W1", "C1", "UADM", "Ada", is_admin=True)


def member(n: int) -> Actor:
    return Actor("test", "W1", "C1", f"U{n:04d}", f"Member {n:04d}")


class RecordingPublisher:
    """Stands in for a front end: records every update of a poll's shared message."""

    def __init__(self) -> None:
        self.updates: list[Reply] = []

    async def publish_poll(self, meta: dict[str, Any], reply: Reply) -> None:
        self.updates.append(reply)


async def start_poll(conversation: Conversation, text: str = "", actor: Actor = MANAGER) -> Reply:
    replies = await conversation.handle(Command(actor, "poll", text))
    assert len(replies) == 1
    poll = replies[0]
    assert poll.kind == "poll", poll.text
    await conversation.polls.attach_message(poll.meta["poll"], {"ts": "1.0"})
    return poll


async def press(conversation: Conversation, actor: Actor, poll: Reply, label: str) -> list[Reply]:
    choice = next(c for c in (*poll.choices, *poll.controls) if c.label.startswith(label))
    return await conversation.handle(ButtonPress(actor, choice.action, choice.value))


async def shown(conversation: Conversation, poll: Reply) -> Reply:
    current = await conversation.polls.current(poll.meta["poll"])
    assert current is not None
    return current[1]


async def keys_under(store: StateStore, redis_client: aioredis.Redis) -> list[str]:
    return [k async for k in redis_client.scan_iter(match=f"{store.prefix}:*")]


def test_result_lines_follow_the_contract() -> None:
    assert result_line(12, 30, 8, "{count} vote", "{count} votes") == "▇▇▇▇▁▁▁▁ 12 votes (40%)"
    assert result_line(1, 3, 8, "{count} vote", "{count} votes") == "▇▇▇▁▁▁▁▁ 1 vote (33%)"
    assert result_line(0, 0, 8, "{count} vote", "{count} votes") == "▁▁▁▁▁▁▁▁ 0 votes (0%)"
    assert result_line(29, 30, 8, "{count} vote", "{count} votes") == "▇▇▇▇▇▇▇▁ 29 votes (97%)"
    assert result_line(5, 5, 8, "{count} vote", "{count} votes") == "▇▇▇▇▇▇▇▇ 5 votes (100%)"


async def test_the_team_poll_has_the_four_choices(conversation: Conversation) -> None:
    poll = await start_poll(conversation)
    assert poll.header == "Which AI approach fits our team?"
    assert [c.label for c in poll.choices] == [
        "Open source",
        "Closed source",
        "Hybrid",
        "Not sure — help me decide",
    ]
    assert poll.visibility is Visibility.SHARED
    assert "Started by Maya" in poll.context


async def test_a_custom_poll_with_curly_quotes_and_flags(conversation: Conversation) -> None:
    poll = await start_poll(
        conversation,
        '“Where should the model run?” “On our servers” "In the vendor\'s cloud"'
        " --anonymous --closes-in 4h",
    )
    assert poll.header == "Where should the model run?"
    assert [c.label for c in poll.choices] == ["On our servers", "In the vendor's cloud"]
    assert "Anonymous" in poll.context and "Closes " in poll.context and "UTC" in poll.context


async def test_a_deadline_is_read_in_the_creators_time_zone(conversation: Conversation) -> None:
    conversation.polls.clock = lambda: 1_700_000_000.0  # 2023-11-14
    paris = Actor("test", "W1", "C1", "UMGR", "Maya", extras={"tz": "Europe/Paris"})
    poll = await start_poll(conversation, '"Q?" "A" "B" --closes "2023-12-01 17:00"', paris)
    assert "Closes Fri 1 Dec 2023, 17:00 CET" in poll.context
    meta = await conversation.polls.polls.meta(poll.meta["poll"])
    assert meta is not None and meta["deadline"] == 1701446400.0  # 16:00 UTC


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('"Only one?" "Yes"', "at least 2 options"),
        ('"Q?" ' + " ".join(f'"Option {i}"' for i in range(11)), "at most 10 options"),
        ('"Q?" "A" "' + "x" * 76 + '"', "Option 2 is 76 characters long"),
        ('"Q?" "Same" "same"', "appears more than once"),
        ('"Q?" "A" "B" --closes "next tuesday"', 'couldn\'t read "next tuesday"'),
        ('"Q?" "A" "B" --closes "2001-01-01 10:00"', "has already passed"),
        ('"Q?" "A" "B" --closes-in soon', 'couldn\'t read "soon" as a duration'),
        ('"Q?" "A" "B" --sparkles', "don't know the flag --sparkles"),
        ('"Q? "A" "B"', "quote is missing"),
    ],
)
async def test_bad_input_says_what_to_fix_and_posts_nothing(
    conversation: Conversation,
    store: StateStore,
    redis_client: aioredis.Redis,
    text: str,
    says: str,
) -> None:
    replies = await conversation.handle(Command(MANAGER, "poll", text))
    assert [r.kind for r in replies] == ["poll.error"]
    assert replies[0].visibility is Visibility.PRIVATE
    assert says in replies[0].text and 'poll "Question?"' in replies[0].text
    assert await keys_under(store, redis_client) == []


async def test_vote_move_and_withdraw_are_confirmed_privately(conversation: Conversation) -> None:
    poll = await start_poll(conversation, '"Lunch?" "Pizza" "Salad"')
    voter = member(1)
    [reply] = await press(conversation, voter, poll, "Pizza")
    assert reply.visibility is Visibility.PRIVATE and reply.text == 'Your vote for "Pizza" is in.'
    [reply] = await press(conversation, voter, poll, "Salad")
    assert reply.text == 'Your vote moved from "Pizza" to "Salad".'
    after_move = await shown(conversation, poll)
    assert [b.count for b in after_move.bars] == [0, 1]
    [reply] = await press(conversation, voter, poll, "Salad")
    assert reply.text == 'Your vote for "Salad" is withdrawn.'
    assert [b.count for b in (await shown(conversation, poll)).bars] == [0, 0]


async def test_named_polls_list_the_first_ten_voters_then_how_many_more(
    conversation: Conversation,
) -> None:
    poll = await start_poll(conversation, '"Lunch?" "Pizza" "Salad"')
    for n in range(13):
        await press(conversation, member(n), poll, "Pizza")
    await press(conversation, member(99), poll, "Salad")
    message = await shown(conversation, poll)
    pizza, salad = message.bars
    assert pizza.voters[:2] == ("Member 0000", "Member 0001") and len(pizza.voters) == 11
    assert pizza.voters[-1] == "and 3 more"
    assert f"Pizza {pizza.line}" == "Pizza ▇▇▇▇▇▇▇▁ 13 votes (93%)"
    assert salad.voters == ("Member 0099",)
    assert "14 voters" in message.text


async def test_anonymous_polls_never_store_or_show_who_voted(
    conversation: Conversation, store: StateStore, redis_client: aioredis.Redis
) -> None:
    poll = await start_poll(conversation, '"Salary survey?" "Yes" "No" --anonymous')
    for n in range(5):
        await press(conversation, member(n), poll, "Yes")
    await press(conversation, member(5), poll, "No")
    message = await shown(conversation, poll)
    assert all(b.voters == () for b in message.bars)
    assert [b.count for b in message.bars] == [5, 1]
    dump = ""
    for key in await keys_under(store, redis_client):
        kind = await redis_client.type(key)
        if kind == "hash":
            dump += repr(await redis_client.hgetall(key))
        elif kind == "string":
            dump += repr(await redis_client.get(key))
        elif kind == "zset":
            dump += repr(await redis_client.zrange(key, 0, -1))
    for n in range(6):
        assert member(n).user not in dump and member(n).user_name not in dump
    [export] = await press(conversation, MANAGER, message, "Export")
    assert export.attachment is not None
    assert "Member" not in export.attachment.content and "U000" not in export.attachment.content


async def test_the_same_person_cannot_vote_twice_in_an_anonymous_poll(
    conversation: Conversation,
) -> None:
    poll = await start_poll(conversation, '"Q?" "Yes" "No" --anonymous')
    await press(conversation, member(1), poll, "Yes")
    [again] = await press(conversation, member(1), poll, "No")
    assert "moved" in again.text
    assert [b.count for b in (await shown(conversation, poll)).bars] == [0, 1]


async def test_hidden_results_appear_when_the_poll_closes(conversation: Conversation) -> None:
    poll = await start_poll(conversation, '"Q?" "Yes" "No" --hide-results')
    await press(conversation, member(1), poll, "Yes")
    message = await shown(conversation, poll)
    assert message.bars == () and "hidden until the poll closes" in message.text
    await press(conversation, MANAGER, poll, "Close poll")
    closed = await shown(conversation, poll)
    assert [b.count for b in closed.bars] == [1, 0]


async def test_only_the_creator_or_an_admin_can_close(conversation: Conversation) -> None:
    poll = await start_poll(conversation, '"Q?" "Yes" "No"')
    [refusal] = await press(conversation, member(1), poll, "Close poll")
    assert refusal.kind == "poll.refused" and refusal.visibility is Visibility.PRIVATE
    [refusal] = await press(conversation, member(1), poll, "Export")
    assert refusal.kind == "poll.refused"
    assert (await shown(conversation, poll)).choices  # still open
    [closed] = await press(conversation, ADMIN, poll, "Close poll")
    assert closed.kind == "poll.closed_by_you"
    [again] = await press(conversation, MANAGER, poll, "Close poll")
    assert again.kind == "poll.closed"


async def test_a_closed_poll_takes_no_votes_and_says_closed(conversation: Conversation) -> None:
    poll = await start_poll(conversation, '"Q?" "Yes" "No"')
    await press(conversation, member(1), poll, "Yes")
    await press(conversation, MANAGER, poll, "Close poll")
    [notice] = await press(conversation, member(2), poll, "No")
    assert notice.kind == "poll.closed" and notice.visibility is Visibility.PRIVATE
    closed = await shown(conversation, poll)
    assert closed.header == "Closed: Q?" and closed.choices == ()
    assert [b.count for b in closed.bars] == [1, 0] and "Closed " in closed.context


async def test_export_is_a_csv_for_the_creator(conversation: Conversation) -> None:
    poll = await start_poll(conversation, '"Lunch?" "Pizza" "Salad"')
    await press(conversation, member(1), poll, "Pizza")
    await press(conversation, member(2), poll, "Pizza")
    await press(conversation, member(3), poll, "Salad")
    [export] = await press(conversation, MANAGER, poll, "Export")
    assert export.visibility is Visibility.PRIVATE and export.attachment is not None
    rows = list(csv.reader(io.StringIO(export.attachment.content)))
    assert rows[:3] == [["option", "votes", "percent"], ["Pizza", "2", "67"], ["Salad", "1", "33"]]
    assert ["Member 0003", "Salad"] in rows


async def test_not_sure_runs_the_questionnaire_and_casts_its_result(
    conversation: Conversation,
) -> None:
    poll = await start_poll(conversation)
    voter = member(7)
    replies = await press(conversation, voter, poll, "Not sure")
    assert [r.kind for r in replies] == ["poll.quiz", "quiz.question"]
    assert all(r.visibility is Visibility.PRIVATE for r in replies)
    talk = Dialogue(conversation, voter)
    talk.replies = replies
    talk._buttons = [*replies[1].choices, *replies[1].controls]
    for label in (
        "A school",
        "Nobody technical",
        "Highly sensitive",
        "Within a few months",
        "General tasks",
        "It would be good",
        "A vendor",
        "As little",
        "A handful",
        "Somewhat",
    ):
        await talk.press(label)
    assert [r.kind for r in talk.replies] == ["quiz.result", "poll.voted"]
    assert talk.replies[1].text == "Your result, Hybrid, is now your vote in the team poll."
    message = await shown(conversation, poll)
    assert [b.count for b in message.bars] == [0, 0, 1, 0]
    priorities = message.sections[0]
    assert priorities.title == "What matters most to this team"
    assert "Reliability & maintenance" in priorities.lines
    assert priorities.note == "From 1 voter who took the questionnaire"


@pytest.mark.parametrize(
    ("votes", "outcome", "why"),
    [
        (
            {"Open source": 7, "Closed source": 2, "Hybrid": 1},
            "Open source",
            "70% of the decided votes",
        ),
        ({"Open source": 4, "Closed source": 4, "Hybrid": 1}, "Hybrid", "The team is split"),
        ({"Closed source": 6, "Hybrid": 2}, "Closed source", "75% of the decided votes"),
    ],
)
async def test_a_closed_team_poll_ends_with_a_team_recommendation(
    conversation: Conversation, votes: dict[str, int], outcome: str, why: str
) -> None:
    poll = await start_poll(conversation)
    n = 0
    for label, count in votes.items():
        for _ in range(count):
            n += 1
            await press(conversation, member(n), poll, label)
    await press(conversation, MANAGER, poll, "Close poll")
    message = await shown(conversation, poll)
    recommendation = message.sections[-1]
    assert recommendation.title == f"Team recommendation: {outcome}"
    assert why in recommendation.lines[0]
    if outcome == "Hybrid":
        assert any("Keep on the closed side" in line for line in recommendation.lines)


async def test_thousand_concurrent_voters_end_exact(conversation: Conversation) -> None:
    """Some press twice (withdraw), some move, some once: the tally equals the model."""
    poll = await start_poll(conversation, '"Q?" "A" "B" "C" "D"')
    rng = random.Random(7)
    model: dict[str, int] = {}
    scripts: list[list[int]] = []
    for n in range(1000):
        presses = [rng.randrange(4) for _ in range(rng.choice((1, 1, 2, 3)))]
        scripts.append(presses)
        current: int | None = None
        for option in presses:
            current = None if current == option else option
        if current is not None:
            model[member(n).user] = current

    async def voter(n: int) -> None:
        for option in scripts[n]:
            await conversation.handle(
                ButtonPress(member(n), "poll.vote", f"{poll.meta['poll']}:{option}")
            )

    await asyncio.gather(*(voter(n) for n in range(1000)))
    message = await shown(conversation, poll)
    expected = [sum(1 for v in model.values() if v == i) for i in range(4)]
    assert [b.count for b in message.bars] == expected
    assert f"{len(model)} voters" in message.text
    await conversation.polls.drain()


async def test_updates_are_coalesced_and_the_last_one_is_final(conversation: Conversation) -> None:
    publisher = RecordingPublisher()
    conversation.polls.register_publisher("test", publisher)
    conversation.polls.refresh_window = 0.5
    poll = await start_poll(conversation, '"Q?" "A" "B"')
    started = time.monotonic()
    for n in range(500):
        await conversation.handle(
            ButtonPress(member(n), "poll.vote", f"{poll.meta['poll']}:{n % 2}")
        )
    elapsed = time.monotonic() - started
    await conversation.polls.drain()
    windows = int(elapsed / 0.5) + 2
    assert 1 <= len(publisher.updates) <= windows
    assert [b.count for b in publisher.updates[-1].bars] == [250, 250]


async def test_deadlines_close_exactly_once_across_servers(
    content: Content, store: StateStore, redis_url: str, conversation: Conversation
) -> None:
    now = 1_700_000_000.0
    conversation.polls.clock = lambda: now
    polls = [await start_poll(conversation, f'"Q{i}?" "A" "B" --closes-in 30m') for i in range(5)]
    clients = [aioredis.Redis.from_url(redis_url, decode_responses=True) for _ in range(3)]
    try:
        servers = []
        for client in clients:
            replica = StateStore(client, prefix=store.prefix)
            service = Conversation(content, replica).polls
            servers.append(service)
        assert await servers[0].sweep(now + 60) == []  # not due yet
        # All three replicas sweep at once, well after the deadline (as if down at the time).
        closed = await asyncio.gather(*(s.sweep(now + 3 * 3600) for s in servers))
        assert sorted(p for batch in closed for p in batch) == sorted(p.meta["poll"] for p in polls)
        for poll in polls:
            assert (await shown(conversation, poll)).header.startswith("Closed: ")
        again = await asyncio.gather(*(s.sweep(now + 4 * 3600) for s in servers))
        assert again == [[], [], []]
        for service in servers:
            await service.drain()
    finally:
        for client in clients:
            await client.aclose()


async def test_poll_typed_as_a_message_starts_a_poll(conversation: Conversation) -> None:
    talk = await Dialogue(conversation, MANAGER).say('poll "Friday demo?" "Yes" "No"')
    talk.expect_kind("poll").expect("Friday demo?")


def test_team_poll_content_maps_each_side(content: Content) -> None:
    outcomes = [o.outcome for o in content.polls.team_poll.options]
    assert outcomes[:3] == ["open", "closed", "hybrid"] and outcomes[3] is None
    assert PollService  # the service the conversation builds
