"""Team polls in the core: start, vote, results, close, deadlines, export — exact."""

from __future__ import annotations

import asyncio
import csv
import io
import random
import time

import pytest
import redis.asyncio as aioredis

from bot.content import Content
from bot.conversation import Conversation
from bot.events import Actor, ButtonPress, Command
from bot.outbound import MessageRef, Place
from bot.poll_render import result_line
from bot.replies import Reply, Visibility
from bot.store import StateStore
from bot.testing import Dialogue
from tests.wording import dimension, outcome, shaped_like

MANAGER = Actor("test", "W1", "C1", "UMGR", "Maya")
ADMIN = Actor("test", "W1", "C1", "UADM", "Ada", is_admin=True)


def member(n: int) -> Actor:
    return Actor("test", "W1", "C1", f"U{n:04d}", f"Member {n:04d}")


class RecordingOutbound:
    """A front end's outbound port that records every update of a poll's shared message."""

    def __init__(self) -> None:
        self.updates: list[Reply] = []

    async def post(self, place: Place, reply: Reply) -> MessageRef | None:
        raise AssertionError("polls only update their message")

    async def update(self, message: MessageRef, reply: Reply) -> bool:
        self.updates.append(reply)
        return True

    async def notify(self, person: Actor, reply: Reply) -> bool:
        raise AssertionError("polls only update their message")

    async def delete(self, message: MessageRef) -> bool:
        raise AssertionError("polls only update their message")


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


async def test_the_team_poll_has_the_four_choices(
    conversation: Conversation, content: Content
) -> None:
    poll = await start_poll(conversation)
    team_poll = content.polls.team_poll
    assert poll.header == team_poll.question
    assert [c.label for c in poll.choices] == [o.label for o in team_poll.options]
    assert len(poll.choices) == 4
    assert poll.visibility is Visibility.SHARED
    assert content.polls.messages.started_by.format(name="Maya") in poll.context


async def test_a_custom_poll_with_curly_quotes_and_flags(
    conversation: Conversation, content: Content
) -> None:
    poll = await start_poll(
        conversation,
        '“Where should the model run?” “On our servers” "In the vendor\'s cloud"'
        " --anonymous --closes-in 4h",
    )
    assert poll.header == "Where should the model run?"
    assert [c.label for c in poll.choices] == ["On our servers", "In the vendor's cloud"]
    messages = content.polls.messages
    assert messages.anonymous in poll.context
    assert shaped_like(messages.closes_at).search(poll.context) and "UTC" in poll.context


async def test_a_deadline_is_read_in_the_creators_time_zone(
    conversation: Conversation, content: Content
) -> None:
    conversation.polls.clock = lambda: 1_700_000_000.0  # 2023-11-14
    paris = Actor("test", "W1", "C1", "UMGR", "Maya", time_zone="Europe/Paris")
    poll = await start_poll(conversation, '"Q?" "A" "B" --closes "2023-12-01 17:00"', paris)
    closes = content.polls.messages.closes_at.format(when="Fri 1 Dec 2023, 17:00 CET")
    assert closes in poll.context
    meta = await conversation.polls.polls.meta(poll.meta["poll"])
    assert meta is not None and meta["deadline"] == 1701446400.0  # 16:00 UTC


@pytest.mark.parametrize(
    ("text", "problem", "fields"),
    [
        ('"Only one?" "Yes"', "too_few_options", {"min": 2}),
        ('"Q?" ' + " ".join(f'"Option {i}"' for i in range(11)), "too_many_options", {"max": 10}),
        ('"Q?" "A" "' + "x" * 76 + '"', "option_too_long", {"number": 2, "length": 76}),
        ('"Q?" "Same" "same"', "duplicate_option", {}),
        ('"Q?" "A" "B" --closes "next tuesday"', "unreadable_deadline", {"value": "next tuesday"}),
        ('"Q?" "A" "B" --closes "2001-01-01 10:00"', "deadline_in_past", {}),
        ('"Q?" "A" "B" --closes-in soon', "unreadable_duration", {"value": "soon"}),
        ('"Q?" "A" "B" --sparkles', "unknown_flag", {"flag": "--sparkles"}),
        ('"Q? "A" "B"', "unbalanced_quotes", {}),
        ('"Q?" "A" "A\u200b"', "duplicate_option", {"option": "A"}),
        ('"Q?" "Yes" "\u200dyes\ufeff"', "duplicate_option", {"option": "yes"}),
        ('"Q?" "caf\u00e9" "cafe\u0301"', "duplicate_option", {}),  # NFC: the same é
        ('"Q?" "A" "\u200b"', "invisible_option", {"number": 2}),
        ('"Q?" "\u202e\u2066\u200e" "A"', "invisible_option", {"number": 1}),
        ('"\u200b\u2060" "A" "B"', "empty_question", {}),
    ],
)
async def test_bad_input_says_what_to_fix_and_posts_nothing(
    conversation: Conversation,
    content: Content,
    store: StateStore,
    redis_client: aioredis.Redis,
    text: str,
    problem: str,
    fields: dict[str, object],
) -> None:
    replies = await conversation.handle(Command(MANAGER, "poll", text))
    assert [r.kind for r in replies] == ["poll.error"]
    assert replies[0].visibility is Visibility.PRIVATE
    messages = content.polls.messages
    says = shaped_like(getattr(messages, problem), **fields)
    assert says.search(replies[0].text) and messages.usage in replies[0].text
    assert await keys_under(store, redis_client) == []


async def test_poll_text_is_stored_and_shown_without_invisible_or_bidi_characters(
    conversation: Conversation,
) -> None:
    """NFC, and no zero-width or direction controls, in what is kept and what everyone sees;
    the length limit counts what is left."""
    long_option = "x" * 75
    poll = await start_poll(
        conversation,
        f'"\u202eWhich caf\u0065\u0301?\u202c" "\u2067Yes\u2069" "No\u200b" "{long_option}\u200b"',
    )
    meta = await conversation.polls.polls.meta(poll.meta["poll"])
    assert meta is not None
    assert meta["question"] == "Which caf\u00e9?" == poll.header
    assert meta["options"] == ["Yes", "No", long_option]
    assert [c.label for c in poll.choices] == ["Yes", "No", long_option]


async def test_vote_move_and_withdraw_are_confirmed_privately(
    conversation: Conversation, content: Content
) -> None:
    messages = content.polls.messages
    poll = await start_poll(conversation, '"Lunch?" "Pizza" "Salad"')
    voter = member(1)
    [reply] = await press(conversation, voter, poll, "Pizza")
    assert reply.visibility is Visibility.PRIVATE
    assert reply.text == messages.voted.format(option="Pizza")
    [reply] = await press(conversation, voter, poll, "Salad")
    assert reply.text == messages.moved.format(previous="Pizza", option="Salad")
    after_move = await shown(conversation, poll)
    assert [b.count for b in after_move.bars] == [0, 1]
    [reply] = await press(conversation, voter, poll, "Salad")
    assert reply.text == messages.withdrawn.format(option="Salad")
    assert [b.count for b in (await shown(conversation, poll)).bars] == [0, 0]


async def test_named_polls_list_the_first_ten_voters_then_how_many_more(
    conversation: Conversation, content: Content
) -> None:
    messages = content.polls.messages
    poll = await start_poll(conversation, '"Lunch?" "Pizza" "Salad"')
    for n in range(13):
        await press(conversation, member(n), poll, "Pizza")
    await press(conversation, member(99), poll, "Salad")
    message = await shown(conversation, poll)
    pizza, salad = message.bars
    assert pizza.voters[:2] == ("Member 0000", "Member 0001") and len(pizza.voters) == 11
    assert pizza.voters[-1] == messages.and_more.format(count=3)
    assert f"Pizza {pizza.line}" == f"Pizza ▇▇▇▇▇▇▇▁ {messages.vote_many.format(count=13)} (93%)"
    assert salad.voters == ("Member 0099",)
    assert messages.voters_plural.format(count=14) in message.text


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
    keys = await keys_under(store, redis_client)
    assert len(keys) > 0, "the poll and its votes were stored"
    dump = ""
    for key in keys:
        kind = await redis_client.type(key)
        if kind == "hash":
            dump += repr(await redis_client.hgetall(key))
        elif kind == "string":
            dump += repr(await redis_client.get(key))
        elif kind == "zset":
            dump += repr(await redis_client.zrange(key, 0, -1))
    assert dump, f"nothing readable in {keys}"
    for n in range(6):
        assert member(n).user not in dump and member(n).user_name not in dump
    [export] = await press(conversation, MANAGER, message, "Export")
    assert export.attachment is not None
    assert "Member" not in export.attachment.content and "U000" not in export.attachment.content


async def test_the_same_person_cannot_vote_twice_in_an_anonymous_poll(
    conversation: Conversation, content: Content
) -> None:
    poll = await start_poll(conversation, '"Q?" "Yes" "No" --anonymous')
    await press(conversation, member(1), poll, "Yes")
    [again] = await press(conversation, member(1), poll, "No")
    assert again.text == content.polls.messages.moved.format(previous="Yes", option="No")
    assert [b.count for b in (await shown(conversation, poll)).bars] == [0, 1]


async def test_hidden_results_appear_when_the_poll_closes(
    conversation: Conversation, content: Content
) -> None:
    poll = await start_poll(conversation, '"Q?" "Yes" "No" --hide-results')
    await press(conversation, member(1), poll, "Yes")
    message = await shown(conversation, poll)
    assert message.bars == () and content.polls.messages.hidden_results in message.text
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


async def test_a_closed_poll_takes_no_votes_and_says_closed(
    conversation: Conversation, content: Content
) -> None:
    messages = content.polls.messages
    poll = await start_poll(conversation, '"Q?" "Yes" "No"')
    await press(conversation, member(1), poll, "Yes")
    await press(conversation, MANAGER, poll, "Close poll")
    [notice] = await press(conversation, member(2), poll, "No")
    assert notice.kind == "poll.closed" and notice.visibility is Visibility.PRIVATE
    closed = await shown(conversation, poll)
    assert closed.header == messages.closed_header.format(question="Q?") and closed.choices == ()
    assert [b.count for b in closed.bars] == [1, 0]
    assert shaped_like(messages.closed_at).search(closed.context)


async def test_export_is_a_csv_for_the_creator(
    conversation: Conversation, content: Content
) -> None:
    messages = content.polls.messages
    poll = await start_poll(conversation, '"Lunch?" "Pizza" "Salad"')
    await press(conversation, member(1), poll, "Pizza")
    await press(conversation, member(2), poll, "Pizza")
    await press(conversation, member(3), poll, "Salad")
    [export] = await press(conversation, MANAGER, poll, "Export")
    assert export.visibility is Visibility.PRIVATE and export.attachment is not None
    rows = list(csv.reader(io.StringIO(export.attachment.content)))
    header = [messages.csv_option, messages.csv_votes, messages.csv_percent]
    assert rows[:3] == [header, ["Pizza", "2", "67"], ["Salad", "1", "33"]]
    assert ["Member 0003", "Salad"] in rows


async def test_not_sure_runs_the_questionnaire_and_casts_its_result(
    conversation: Conversation, content: Content
) -> None:
    messages = content.polls.messages
    poll = await start_poll(conversation)
    voter = member(7)
    not_sure_label = next(o.label for o in content.polls.team_poll.options if o.runs_questionnaire)
    not_sure = next(c for c in poll.choices if c.label == not_sure_label)
    talk = await Dialogue(conversation, voter).send(
        ButtonPress(voter, not_sure.action, not_sure.value)
    )
    replies = talk.replies
    talk.expect_replies("poll.quiz", "quiz.question")
    assert all(r.visibility is Visibility.PRIVATE for r in replies)
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
    # Each answer brings exactly the next question; the last brings the result and the vote.
    talk.expect_replies(*["quiz.question"] * 9, "quiz.result", "poll.voted").expect_no_more()
    hybrid = outcome(content, "hybrid").title
    assert talk.replies[1].text == messages.quiz_vote_cast.format(option=hybrid)
    message = await shown(conversation, poll)
    assert [b.count for b in message.bars] == [0, 0, 1, 0]
    priorities = message.sections[0]
    assert priorities.title == messages.priorities_title
    assert dimension(content, "reliability") in priorities.lines
    assert priorities.note == messages.priorities_source.format(count=1)


@pytest.mark.parametrize(
    ("votes", "side", "share"),
    [
        ({"Open source": 7, "Closed source": 2, "Hybrid": 1}, "open", 70),
        ({"Open source": 4, "Closed source": 4, "Hybrid": 1}, "hybrid", None),  # split
        ({"Closed source": 6, "Hybrid": 2}, "closed", 75),
    ],
)
async def test_a_closed_team_poll_ends_with_a_team_recommendation(
    conversation: Conversation,
    content: Content,
    votes: dict[str, int],
    side: str,
    share: int | None,
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
    messages = content.polls.messages
    title = outcome(content, side).title
    assert recommendation.title == messages.recommendation_title.format(outcome=title)
    if share is None:
        why = messages.recommendation_split
    else:
        why = messages.recommendation_majority.format(share=share, outcome=title)
    assert why in recommendation.lines[0]
    if side == "hybrid":
        assert outcome(content, "hybrid").next_steps[0] in recommendation.lines


async def test_thousand_concurrent_voters_end_exact(
    conversation: Conversation, content: Content
) -> None:
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
    assert content.polls.messages.voters_plural.format(count=len(model)) in message.text
    await conversation.polls.drain()


async def test_updates_are_coalesced_and_the_last_one_is_final(conversation: Conversation) -> None:
    publisher = RecordingOutbound()
    conversation.outbox.register("test", publisher)
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
        closed_header = content.polls.messages.closed_header
        for poll in polls:
            header = (await shown(conversation, poll)).header
            assert shaped_like(closed_header).fullmatch(header), header
        again = await asyncio.gather(*(s.sweep(now + 4 * 3600) for s in servers))
        assert again == [[], [], []]
        for service in servers:
            await service.drain()
    finally:
        for client in clients:
            await client.aclose()


async def test_poll_typed_as_a_message_starts_a_poll(conversation: Conversation) -> None:
    talk = await Dialogue(conversation, MANAGER).say('poll "Friday demo?" "Yes" "No"')
    talk.expect_replies("poll").expect("Friday demo?")


def test_team_poll_content_maps_each_side(content: Content) -> None:
    outcomes = [o.outcome for o in content.polls.team_poll.options]
    assert outcomes[:3] == ["open", "closed", "hybrid"] and outcomes[3] is None
    # Each side the questionnaire can recommend has exactly one option; the one option that
    # maps to no side is the one that runs the questionnaire.
    sides = sorted(type(content.questionnaire.outcomes).model_fields)
    assert sorted(o for o in outcomes if o is not None) == sides
    unmapped = [o for o in content.polls.team_poll.options if o.outcome is None]
    assert [o.runs_questionnaire for o in unmapped] == [True]
