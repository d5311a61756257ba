"""Scheduled and recurring polls in the core: the flags, the clock, exactly-once posting.

The clock is injected (``conversation.polls.clock``): nothing here waits for minutes.
"""

from __future__ import annotations

import itertools

import pytest
import redis.asyncio as aioredis

from bot.content import Content
from bot.conversation import Conversation
from bot.events import Actor, ButtonPress, Command
from bot.outbound import Place
from bot.poll_schedule import Recurrence
from bot.replies import Visibility
from bot.store import StateStore
from tests.schedule_kit import MANAGER, PARIS, RecordingOutbound, paris, schedule
from tests.wording import shaped_like


@pytest.fixture
def outbound(conversation: Conversation) -> RecordingOutbound:
    port = RecordingOutbound()
    conversation.outbox.register("test", port)
    conversation.polls.refresh_window = 0.01
    return port


async def keys_under(store: StateStore, redis_client: aioredis.Redis) -> list[str]:
    return [k async for k in redis_client.scan_iter(match=f"{store.prefix}:*")]


@pytest.mark.parametrize(
    ("flags", "problem"),
    [
        ("--repeat daily", "repeat_needs_at"),
        ("--repeat daily --at 25:00", "unreadable_at"),
        ("--repeat daily --at 9.30", "unreadable_at"),
        ("--repeat weekly --at 10:00", "weekly_needs_day"),
        ('--repeat daily --at "mon 10:00"', "day_needs_weekly"),
        ('--repeat weekly --at "someday 10:00"', "unreadable_at"),
        ("--repeat hourly --at 10:00", "unknown_repeat"),
        ("--at 09:30", "at_needs_repeat"),
        ('--post-at "2026-12-01 09:00"', "post_at_in_past"),
        ('--post-at "tomorrow"', "unreadable_post_at"),
        ("--post-in soon", "unreadable_post_in"),
        ("--post-in 100d", "post_too_far"),
        ('--post-in 2h --post-at "2026-12-10 09:00"', "two_post_times"),
        ("--post-in 2h --repeat daily --at 09:30", "post_with_repeat"),
        ('--post-in 2h --closes "2026-12-10 09:00"', "closes_with_schedule"),
    ],
)
async def test_a_bad_schedule_says_what_to_fix_and_writes_nothing(
    conversation: Conversation,
    outbound: RecordingOutbound,
    content: Content,
    store: StateStore,
    redis_client: aioredis.Redis,
    flags: str,
    problem: str,
) -> None:
    conversation.polls.clock = lambda: paris("2026-12-03 08:00")
    reply = await schedule(conversation, f'"Standup mood?" "Good" "Bad" {flags}')
    assert reply.kind == "poll.error" and reply.visibility is Visibility.PRIVATE
    template = getattr(content.poll_manage.messages, problem)
    assert shaped_like(template).search(reply.text), reply.text
    assert await keys_under(store, redis_client) == []
    assert await conversation.polls.scheduler.sweep(paris("2027-01-01 00:00")) == []
    assert outbound.posts == []


def test_recurrences_skip_weekends_and_keep_the_wall_clock_across_dst() -> None:
    weekdays = Recurrence("weekdays", 9, 30)
    friday_after = paris("2026-12-04 10:00")  # a Friday, after 09:30
    assert weekdays.next_after(friday_after, PARIS) == paris("2026-12-07 09:30")  # Monday
    weekly = Recurrence("weekly", 10, 0, weekday=0)
    assert weekly.next_after(paris("2026-12-07 10:00"), PARIS) == paris("2026-12-14 10:00")
    daily = Recurrence("daily", 9, 30)
    # Clocks go forward on 29 March 2026 in Paris: still 09:30 there, an hour less between.
    before, after = daily.next_after(paris("2026-03-28 10:00"), PARIS), paris("2026-03-29 09:30")
    assert before == after
    assert daily.next_after(after, PARIS) - after == 24 * 3600


async def test_post_in_posts_once_when_the_time_comes(
    conversation: Conversation, outbound: RecordingOutbound, content: Content
) -> None:
    now = paris("2026-12-03 08:00")
    conversation.polls.clock = lambda: now
    note = await schedule(conversation, '"Lunch?" "Pizza" "Sushi" --post-in 2h --closes-in 1h')
    assert note.kind == "poll.scheduled" and note.visibility is Visibility.PRIVATE
    messages = content.poll_manage.messages
    assert shaped_like(messages.scheduled_once, question="Lunch?").search(note.text)
    assert "Thu 3 Dec 2026, 10:00 CET" in note.text
    scheduler = conversation.polls.scheduler
    assert await scheduler.sweep(paris("2026-12-03 09:59")) == []
    assert outbound.posts == []
    (poll_id,) = await scheduler.sweep(paris("2026-12-03 10:00"))
    ((place, poll),) = outbound.posts
    assert place == Place("test", "W1", "C1") and poll.header == "Lunch?"
    assert "posted late" not in poll.context
    # --closes-in counts from when it was posted, not from when it was scheduled.
    meta = await conversation.polls.polls.meta(poll_id)
    assert meta is not None and meta["deadline"] == paris("2026-12-03 11:00")
    assert meta["message"] == {"ts": "1.0", "channel": "C1"}
    assert await scheduler.sweep(paris("2026-12-04 10:00")) == []  # once only
    assert len(outbound.posts) == 1


async def test_a_recurring_poll_closes_the_previous_one_and_says_when_it_is_late(
    conversation: Conversation, outbound: RecordingOutbound, content: Content
) -> None:
    conversation.polls.clock = lambda: paris("2026-12-03 08:00")  # a Thursday
    note = await schedule(conversation, '"Standup mood?" "Good" "Meh" --repeat weekdays --at 09:30')
    rule = content.poll_manage.messages.rule_weekdays.format(time="09:30")
    assert rule in note.text and "Thu 3 Dec 2026, 09:30 CET" in note.text
    scheduler = conversation.polls.scheduler
    (first,) = await scheduler.sweep(paris("2026-12-03 09:30"))
    # The server is down from Thursday until Monday 11:05: one late poll, not three.
    (second,) = await scheduler.sweep(paris("2026-12-07 11:05"))
    assert await scheduler.sweep(paris("2026-12-07 11:06")) == []
    assert len(outbound.posts) == 2
    late = content.poll_manage.messages.posted_late.format(time="09:30")
    assert late not in outbound.posts[0][1].context
    assert late in outbound.posts[1][1].context
    await conversation.polls.drain()
    tally = await conversation.polls.polls.tally(first, 2, with_voters=False)
    assert tally.closed  # its results stay, the poll is closed
    closed_header = content.polls.messages.closed_header.format(question="Standup mood?")
    assert any(r.header == closed_header for _, r in outbound.updates)
    assert not (await conversation.polls.polls.tally(second, 2, with_voters=False)).closed
    # The next one is Tuesday's, on time.
    (third,) = await scheduler.sweep(paris("2026-12-08 09:30"))
    assert late not in outbound.posts[2][1].context and third not in (first, second)


async def test_a_scheduled_poll_the_platform_refuses_is_told_to_its_creator_and_leaves_nothing(
    conversation: Conversation,
    outbound: RecordingOutbound,
    content: Content,
    store: StateStore,
    redis_client: aioredis.Redis,
) -> None:
    conversation.polls.clock = lambda: paris("2026-12-03 08:00")
    await schedule(conversation, '"Lunch?" "Pizza" "Sushi" --post-in 1h')
    outbound.accepts = False
    assert await conversation.polls.scheduler.sweep(paris("2026-12-03 09:00")) == []
    ((person, note),) = outbound.notes
    assert person.user == MANAGER.user and note.text == content.polls.messages.post_failed
    keys = await keys_under(store, redis_client)
    assert not [k for k in keys if ":poll:{" in k or ":poll-schedule:" in k], keys
    listing = (await conversation.handle(Command(MANAGER, "polls")))[0]
    assert listing.text == content.poll_manage.messages.list_empty


async def test_my_schedules_stay_listed_however_many_polls_i_start_after_them(
    conversation: Conversation, outbound: RecordingOutbound, content: Content
) -> None:
    ticks = itertools.count()
    conversation.polls.clock = lambda: paris("2026-12-03 08:00") + next(ticks)  # a second each
    await schedule(conversation, '"Standup mood?" "Good" "Meh" --repeat daily --at 09:30')
    conversation.polls.rate_limit.per_person = conversation.polls.rate_limit.per_channel = 1000
    for number in range(60):
        await schedule(conversation, f'"Poll {number}?" "A" "B"')
    (listing,) = await conversation.handle(Command(MANAGER, "polls"))
    series, polls = listing.sections
    assert len(series.lines) == 1 and "Standup mood?" in series.lines[0]
    assert len(polls.lines) == 10 and "Poll 59?" in polls.lines[0]  # newest first, at most 10


async def test_a_recurring_multi_poll_keeps_its_options_flags_and_reminds_from_each_posting(
    conversation: Conversation,
    outbound: RecordingOutbound,
    store: StateStore,
    redis_client: aioredis.Redis,
) -> None:
    conversation.polls.clock = lambda: paris("2026-12-03 08:00")
    text = '"Lunch?" "Pizza" "Sushi" "Tacos" --multi 2 --allow-add --remind-in 1h'
    note = await schedule(conversation, f"{text} --repeat daily --at 11:00")
    assert note.kind == "poll.scheduled"
    scheduler, reminders = conversation.polls.scheduler, store.key("poll-reminders")
    (first,) = await scheduler.sweep(paris("2026-12-03 11:00"))
    meta = await conversation.polls.polls.meta(first)
    assert meta is not None and (meta["multi"], meta["allow_add"]) == (2, True)
    # --remind-in counts from when each poll is posted, not from when it was scheduled.
    assert await redis_client.zscore(reminders, first) == paris("2026-12-03 12:00")
    posted = outbound.posts[0][1]
    assert "poll.add_option" in {str(c.action) for c in posted.controls}
    assert {str(f.opened_by) for f in posted.forms} == {"poll.add_option", "poll.edit"}
    # The next posting closes the first; the first's reminder will not come.
    (second,) = await scheduler.sweep(paris("2026-12-04 11:00"))
    assert await redis_client.zscore(reminders, first) is None
    assert await redis_client.zscore(reminders, second) == paris("2026-12-04 12:00")


async def test_a_renamed_poll_keeps_an_option_a_voter_added_meanwhile(
    conversation: Conversation, outbound: RecordingOutbound
) -> None:
    (poll,) = await conversation.handle(Command(MANAGER, "poll", '"Topics?" "A" "B" --allow-add'))
    poll_id = poll.meta["poll"]
    store = conversation.polls.polls
    # Both read the poll with two options; the voter's option lands first.
    added = await conversation.handle(
        ButtonPress(
            Actor("test", "W1", "C1", "U0VOTER"), "poll.add_option", poll_id, {"option": "C"}
        )
    )
    assert added[0].kind == "poll.option_added"
    assert await store.rename(poll_id, "Topics for Friday?", ["Alpha", "B"])
    meta = await store.meta(poll_id)
    assert meta is not None and meta["options"] == ["Alpha", "B", "C"]
    assert meta["question"] == "Topics for Friday?"


async def test_an_eleventh_schedule_is_refused_and_nothing_is_stored(
    conversation: Conversation, outbound: RecordingOutbound, content: Content
) -> None:
    conversation.polls.clock = lambda: paris("2026-12-03 08:00")
    conversation.polls.rate_limit.per_person = conversation.polls.rate_limit.per_channel = 1000
    for number in range(10):
        note = await schedule(conversation, f'"Q{number}?" "A" "B" --repeat daily --at 09:30')
        assert note.kind == "poll.scheduled"
    refused = await schedule(conversation, '"One more?" "A" "B" --post-in 1h')
    assert refused.kind == "poll.error"
    assert refused.text == content.poll_manage.messages.too_many_series.format(count=10)
    assert len(await conversation.polls.scheduler.sweep(paris("2026-12-03 09:30"))) == 10
    assert not any(r.header == "One more?" for _, r in outbound.posts)


async def test_an_update_that_finishes_after_a_delete_brings_back_no_key(
    conversation: Conversation,
    outbound: RecordingOutbound,
    store: StateStore,
    redis_client: aioredis.Redis,
) -> None:
    (poll,) = await conversation.handle(Command(MANAGER, "poll", '"Lunch?" "Pizza" "Sushi"'))
    poll_id = poll.meta["poll"]
    await conversation.polls.polls.delete(poll_id)
    await conversation.polls.polls.mark_rendered(poll_id, 3)  # a refresh that was in flight
    assert [k for k in await keys_under(store, redis_client) if poll_id in k] == []
