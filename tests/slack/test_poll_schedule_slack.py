"""Scheduled and recurring polls in Slack, end to end: a signed slash command schedules,
the injected clock moves on, the sweep posts through ``chat.postMessage``."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.content import Content
from bot.conversation import Conversation
from tests.slack.conftest import SlackBot, button, header, shown_text
from tests.slack.polls_kit import CHANNEL, CREATOR, person
from tests.wording import shaped_like

PARIS = ZoneInfo("Europe/Paris")


def paris(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=PARIS).timestamp()


async def test_post_in_is_confirmed_privately_and_posted_to_the_channel_when_due(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    bot.slack.users[CREATOR] = person(CREATOR, tz="Europe/Paris", name="Steve")
    conversation.polls.clock = lambda: paris("2026-12-03 08:00")
    ack = await bot.slash('poll "Offsite?" "Lisbon" "Porto" --post-in 2h')
    text = shown_text(ack["blocks"])
    assert shaped_like(content.poll_manage.messages.scheduled_once, question="Offsite?").search(
        text
    )
    assert ack["response_type"] == "ephemeral"
    assert not bot.slack.api_calls("chat.postMessage")  # nothing posted yet
    scheduler = conversation.polls.scheduler
    assert await scheduler.sweep(paris("2026-12-03 09:59")) == []
    (poll_id,) = await scheduler.sweep(paris("2026-12-03 10:00"))
    (post,) = bot.slack.api_calls("chat.postMessage")
    assert post.body["channel"] == CHANNEL and header(post.body["blocks"]) == "Offsite?"
    assert button(post.body["blocks"], "poll.vote")["value"] == f"{poll_id}:0"
    meta = await conversation.polls.polls.meta(poll_id)
    assert meta is not None and meta["message"]["channel"] == CHANNEL


async def test_a_bad_repeat_is_refused_privately_and_nothing_is_posted(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    ack = await bot.slash('poll "Standup?" "Good" "Bad" --repeat daily --at 25:00')
    assert shaped_like(content.poll_manage.messages.unreadable_at, value="25:00").search(
        shown_text(ack["blocks"])
    )
    assert await conversation.polls.scheduler.sweep(paris("2027-01-01 00:00")) == []
    assert not bot.slack.api_calls("chat.postMessage")


async def test_a_weekly_poll_posted_late_says_so_and_closes_last_weeks(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    bot.slack.users[CREATOR] = person(CREATOR, tz="Europe/Paris", name="Steve")
    conversation.polls.clock = lambda: paris("2026-12-03 08:00")
    conversation.polls.refresh_window = 0.01
    ack = await bot.slash('poll "Retro?" "Keep" "Drop" "Try" --repeat weekly --at "mon 10:00"')
    rule = content.poll_manage.messages.rule_weekly.format(day="Monday", time="10:00")
    assert rule in shown_text(ack["blocks"])
    scheduler = conversation.polls.scheduler
    (first,) = await scheduler.sweep(paris("2026-12-07 10:00"))
    (second,) = await scheduler.sweep(paris("2026-12-14 10:45"))  # the bot was down at 10:00
    posts = bot.slack.api_calls("chat.postMessage")
    assert len(posts) == 2
    late = content.poll_manage.messages.posted_late.format(time="10:00")
    assert late not in shown_text(posts[0].body["blocks"])
    assert late in shown_text(posts[1].body["blocks"])
    await conversation.polls.drain()
    closed = content.polls.messages.closed_header.format(question="Retro?")
    update = await bot.slack.wait_for(
        lambda: [
            u for u in bot.slack.api_calls("chat.update") if header(u.body["blocks"]) == closed
        ],
        what="last week's poll closed",
    )
    assert (
        update[0].body["ts"] == (await conversation.polls.polls.meta(first) or {})["message"]["ts"]
    )
    assert second != first


async def test_a_series_whose_creator_left_the_workspace_stops_instead_of_posting(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    """Only a schedule's creator may stop it, so once Slack says their account is
    deactivated, a daily poll would go on posting for good with nobody able to stop it."""
    bot.slack.users[CREATOR] = person(CREATOR, tz="Europe/Paris", name="Steve")
    conversation.polls.clock = lambda: paris("2026-12-03 08:00")
    await bot.slash('poll "Standup?" "Good" "Bad" --repeat daily --at 09:00')
    scheduler = conversation.polls.scheduler
    assert len(await scheduler.sweep(paris("2026-12-03 09:00"))) == 1
    bot.slack.users[CREATOR] = {**person(CREATOR, tz="Europe/Paris"), "deleted": True}
    await conversation.polls.polls.store.delete("slack", "user", "T0001", CREATOR)  # cached
    assert await scheduler.sweep(paris("2026-12-04 09:00")) == []
    assert await scheduler.sweep(paris("2026-12-05 09:00")) == []
    assert len(bot.slack.api_calls("chat.postMessage")) == 1
    assert await scheduler.schedules.due(paris("2027-01-01 09:00")) == []
