"""Scheduled and recurring polls in a Teams channel: scheduled by @mention, posted by the
sweep through the outbound port (a proactive POST to the stand-in connector)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.content import Content
from bot.conversation import Conversation
from tests.teams.conftest import StandInConnector
from tests.teams.poll_flow import Client, buttons, lines, posts, start
from tests.wording import shaped_like

UTC = ZoneInfo("UTC")


def utc(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC).timestamp()


async def test_a_daily_poll_is_scheduled_by_mention_and_posted_to_the_channel_once_a_day(
    teams: Client, connector: StandInConnector, conversation: Conversation, content: Content
) -> None:
    conversation.polls.clock = lambda: utc("2026-12-03 08:00")
    conversation.polls.refresh_window = 0.01
    text = 'poll "Standup mood?" "Good" "Meh" "Bad" --repeat daily --at 09:30'
    note = await start(teams, connector, text)
    rule = content.poll_manage.messages.rule_daily.format(time="09:30")
    assert any(rule in line for line in lines(note))
    channel = "19:c1b2a3d4e5f6a7b8c9d0e1f2a3b4c5d6@thread.tacv2"
    scheduler = conversation.polls.scheduler
    (first,) = await scheduler.sweep(utc("2026-12-03 09:30"))
    (second,) = await scheduler.sweep(utc("2026-12-04 09:30"))
    assert await scheduler.sweep(utc("2026-12-04 09:31")) == []
    sent = [c for c in connector.delivered if c.method == "POST"][1:]
    assert len(sent) == 2
    # A proactive post into the channel itself (a new thread), not under the mention.
    assert {c.conversation_id for c in sent} == {channel}
    assert "Standup mood?" in lines(sent[1].card)
    assert set(buttons(sent[1].card)) >= {"Good", "Meh", "Bad"}
    await conversation.polls.drain()
    puts = [c for c in connector.delivered if c.method == "PUT"]
    closed = content.polls.messages.closed_header.format(question="Standup mood?")
    assert any(closed in lines(c.card) for c in puts)  # yesterday's poll closed
    assert first != second


async def test_a_post_at_in_the_past_is_refused_in_the_thread_and_nothing_is_scheduled(
    teams: Client, connector: StandInConnector, conversation: Conversation, content: Content
) -> None:
    conversation.polls.clock = lambda: utc("2026-12-03 08:00")
    text = 'poll "Offsite?" "Lisbon" "Porto" --post-at "2026-12-01 09:00"'
    note = await start(teams, connector, text)
    template = content.poll_manage.messages.post_at_in_past
    assert any(shaped_like(template).search(line) for line in lines(note))
    assert await conversation.polls.scheduler.sweep(utc("2027-01-01 00:00")) == []
    assert len(posts(connector)) == 1
