"""``--multi`` and ``--allow-add`` polls under edit, delete and ``/ai-choice polls`` in Slack,
end to end: the add modal and the edit modal are the same kind of form (one callback, one
submission path), an option a voter added can be renamed like the others with every pick
kept, and deleting removes every key the poll had, its reminders' included, and stops a
burst of reminders under way."""

from __future__ import annotations

import asyncio
from collections import Counter

import redis.asyncio as aioredis

from bot.content import Content
from bot.conversation import Conversation
from bot.events import Actor
from bot.store import StateStore
from tests.slack.conftest import SlackBot, header, shown_text
from tests.slack.forms_kit import (
    inputs_of,
    modal_from_button,
    modal_from_menu,
    overflow,
    submit_modal,
)
from tests.slack.polls_kit import (
    CHANNEL,
    CREATOR,
    TEAM,
    PostedPoll,
    controls,
    option_lines,
    person,
    press,
    start_poll,
    updates,
)
from tests.slack.slack_stand_in import Call
from tests.wording import shaped_like

PEOPLE = ["U0ANN", "U0BOB", "U0CAT", "U0DAN"]


async def settle(conversation: Conversation) -> None:
    await conversation.polls.drain()


def latest(bot: SlackBot, poll: PostedPoll) -> PostedPoll:
    return PostedPoll(poll.id, poll.ts, updates(bot)[-1])


async def poll_keys(redis_client: aioredis.Redis, store: StateStore, poll_id: str) -> list[str]:
    tagged = f"{store.prefix}:poll:{{{poll_id}}}:*"
    return sorted([str(k) async for k in redis_client.scan_iter(match=tagged)])


async def test_an_added_option_is_renamed_in_the_edit_modal_and_every_pick_stays(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    conversation.polls.refresh_window = 0.01
    bot.slack.users[CREATOR] = person(CREATOR, name="steve")
    manage, words = content.poll_manage.messages, content.polls.option_messages
    poll = await start_poll(bot, conversation, '"Snacks?" "Tea" "Cake" --multi 2 --allow-add')
    # Both forms come from one Slack mechanism: the add modal first.
    add_view = await modal_from_button(bot, poll, controls(poll.blocks)["poll.add_option"], "U0BOB")
    assert inputs_of(add_view) == {"option": None}
    assert await submit_modal(bot, add_view, {"option": "Fruit"}, "U0BOB") is None  # it closes
    await settle(conversation)
    now = latest(bot, poll)
    for option in (0, 1):
        await press(bot, now, now.vote_button(option), "U0ANN", "ann")
    await press(bot, now, now.vote_button(2), "U0BOB", "bob")
    picks = (await conversation.polls.polls.tally(poll.id, 3, with_voters=True)).picks
    assert picks == {"U0ANN": (0, 1), "U0BOB": (2,)}

    # Then the edit modal, opened from the "⋯" menu: the added option is one of its fields.
    edit_view = await modal_from_menu(bot, now, manage.edit_button, CREATOR)
    assert edit_view["callback_id"] == add_view["callback_id"]  # one submission handler
    assert inputs_of(edit_view) == {
        "question": "Snacks?",
        "option_0": "Tea",
        "option_1": "Cake",
        "option_2": "Fruit",
    }

    # A rename onto another option's label is refused under that very input.
    same = {"question": "Snacks?", "option_0": "Tea", "option_1": "Cake", "option_2": "tea"}
    refused = await submit_modal(bot, edit_view, same, CREATOR)
    assert refused == {
        "response_action": "errors",
        "errors": {"option_2": content.polls.messages.duplicate_option.format(option="tea")},
    }
    renamed = {
        "question": "Snacks today?",
        "option_0": "Green tea",
        "option_1": "Cake",
        "option_2": "Fresh fruit",
    }
    assert await submit_modal(bot, edit_view, renamed, CREATOR) is None  # the modal closes
    await settle(conversation)
    last = updates(bot)[-1].body["blocks"]
    assert header(last) == "Snacks today?"
    lines = option_lines(last)
    assert any(line.startswith("Green tea ") for line in lines)
    assert any(line.startswith("Fresh fruit ") for line in lines)
    after = await conversation.polls.polls.tally(poll.id, 3, with_voters=True)
    assert after.picks == picks  # every pick where it was
    assert words.added_by.format(names="u0bob") in shown_text(last)

    # The poll stays a --multi, --allow-add poll after the edit.
    assert "poll.add_option" in controls(last)
    edited = PostedPoll(poll.id, poll.ts, updates(bot)[-1])
    third = await press(bot, edited, edited.vote_button(2), "U0ANN", "ann")
    assert "take one back first" in shown_text(third.body["blocks"]).lower()

    # /ai-choice polls lists it, under its new question.
    listing = await bot.slash("polls")
    assert shaped_like(manage.list_open_line, number=1, question="Snacks today?").search(
        shown_text(listing["blocks"])
    )


async def test_deleting_a_multi_poll_mid_reminders_stops_them_and_leaves_no_key(
    bot: SlackBot,
    conversation: Conversation,
    content: Content,
    store: StateStore,
    redis_client: aioredis.Redis,
) -> None:
    reminders = conversation.polls.reminders
    reminders.send_interval = 0
    bot.slack.members[CHANNEL] = [CREATOR, *PEOPLE]
    bot.slack.users[CREATOR] = person(CREATOR, name="steve")
    for user in PEOPLE:
        bot.slack.users[user] = person(user, name=user[3:].lower())
    text = '"Snacks?" "Tea" "Cake" "Pie" --multi 2 --allow-add --closes-in 4h --remind-in 2h'
    conversation.polls.refresh_window = 0.01
    poll = await start_poll(bot, conversation, text)
    await press(bot, poll, poll.vote_button(0), "U0ANN", "ann")
    await press(bot, poll, poll.vote_button(1), "U0ANN", "ann")
    await settle(conversation)  # no message update left to write after the delete
    keys = await poll_keys(redis_client, store, poll.id)
    assert any(k.endswith(":votes") for k in keys)
    assert await redis_client.zscore(store.key("poll-reminders"), poll.id) is not None

    creator = Actor("slack", TEAM, CHANNEL, CREATOR, "steve")

    async def delete_at_the_first_reminder(call: Call) -> None:
        if call.name == "chat.postMessage" and bot.slack.direct_messages():
            bot.slack.on_call = None
            await conversation.polls.manager.delete(creator, poll.id)

    bot.slack.on_call = delete_at_the_first_reminder
    await press(bot, poll, controls(poll.blocks)["poll.remind"], CREATOR, "steve")
    await bot.slack.wait_for(lambda: bot.slack.on_call is None, what="the first reminder")
    (deleted,) = await bot.slack.wait_for(lambda: bot.slack.api_calls("chat.delete"))
    assert deleted.body == {"channel": CHANNEL, "ts": poll.ts}
    for _ in range(500):  # the burst ends (its lease leaves) once it finds the poll gone
        if await redis_client.zscore(store.key("poll-reminder-runs"), poll.id) is None:
            break
        await asyncio.sleep(0.01)
    # Three people had not voted; the burst stopped at the first once the poll was gone.
    sent = Counter(str(c.body["channel"]) for c in bot.slack.direct_messages())
    assert sum(sent.values()) == 1
    assert await poll_keys(redis_client, store, poll.id) == []
    for bounded in ("poll-reminders", "poll-reminder-runs", "poll-deadlines"):
        assert await redis_client.zscore(store.key(bounded), poll.id) is None, bounded
    listing = await bot.slash("polls")
    assert "Snacks?" not in shown_text(listing["blocks"])
    assert overflow(poll.blocks)  # the message had the menu the delete came from
