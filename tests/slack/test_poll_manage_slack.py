"""Edit, delete and ``/ai-choice polls`` in Slack, end to end: the poll's "⋯" overflow menu,
the edit modal (``views.open``, then a signed ``view_submission``), ``chat.delete``."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from bot.content import Content
from bot.conversation import Conversation
from bot.store import StateStore
from tests.slack.conftest import SlackBot, button, header, shown_text
from tests.slack.forms_kit import inputs_of, menu_pick, modal_from_menu, overflow, submit_modal
from tests.slack.polls_kit import (
    CHANNEL,
    CREATOR,
    PostedPoll,
    option_lines,
    person,
    press,
    start_poll,
)
from tests.slack.slack_stand_in import Call
from tests.wording import shaped_like, votes

OTHER = "U0OTHER01"


async def pick(
    bot: SlackBot, poll: PostedPoll, label: str, user: str, answered: bool = True
) -> Call | None:
    """``user`` picks ``label`` in the poll's overflow menu; the private answer Slack got
    on the response_url (None when ``answered`` is False: a modal opens instead)."""
    payload = menu_pick(bot, poll, label, user)
    url = f"pick-{label}-{user}-{len(bot.slack.calls)}"
    payload["response_url"] = bot.slack.response_url(url)
    response = await bot.interact(payload)
    assert response.status == 200
    return await bot.slack.response_named(url) if answered else None


async def test_the_creator_edits_labels_in_a_modal_and_every_vote_stays(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    conversation.polls.refresh_window = 0.01
    bot.slack.users[CREATOR] = person(CREATOR, name="steve")
    poll = await start_poll(bot, conversation, '"Lunch?" "Pizza" "Sushi" "Tacos"')
    for voter in ("U0ANN", "U0BOB"):
        await press(bot, poll, poll.vote_button(1), voter, voter.lower())
    manage = content.poll_manage.messages
    menu = overflow(poll.blocks)
    assert [o["text"]["text"] for o in menu["options"]] == [
        manage.edit_button,
        manage.delete_menu_button,
    ]
    view = await modal_from_menu(bot, poll, manage.edit_button, CREATOR)
    assert inputs_of(view) == {
        "question": "Lunch?",
        "option_0": "Pizza",
        "option_1": "Sushi",
        "option_2": "Tacos",
    }

    # Emptying an option with votes is refused in the modal, which stays open.
    refused = await submit_modal(
        bot,
        view,
        {"question": "Lunch?", "option_0": "Pizza", "option_1": "", "option_2": "Tacos"},
        CREATOR,
    )
    assert refused["response_action"] == "errors"
    (why,) = refused["errors"].values()
    assert why == manage.option_has_votes.format(number=2, option="Sushi")
    meta = await conversation.polls.polls.meta(poll.id)
    assert meta is not None and meta["options"] == ["Pizza", "Sushi", "Tacos"]

    closed = await submit_modal(
        bot,
        view,
        {
            "question": "Lunch on Friday?",
            "option_0": "Pizza",
            "option_1": "Sushi bar",
            "option_2": "Tacos",
        },
        CREATOR,
    )
    assert closed is None  # the modal closes
    (note,) = await bot.slack.wait_for(lambda: bot.slack.api_calls("chat.postEphemeral"))
    assert note.body["channel"] == CHANNEL and note.body["user"] == CREATOR
    assert manage.edited in shown_text(note.body["blocks"])
    await asyncio.sleep(0.05)
    await conversation.polls.drain()
    last = bot.slack.api_calls("chat.update")[-1]
    assert header(last.body["blocks"]) == "Lunch on Friday?"
    assert f"Sushi bar ▇▇▇▇▇▇▇▇ {votes(content, 2)} (100%)" in option_lines(last.body["blocks"])


async def test_someone_else_cannot_edit_or_delete_and_nothing_changes(
    bot: SlackBot,
    conversation: Conversation,
    content: Content,
    store: StateStore,
    redis_client: aioredis.Redis,
) -> None:
    bot.slack.users[OTHER] = person(OTHER, name="olga")
    poll = await start_poll(bot, conversation, '"Lunch?" "Pizza" "Sushi"')
    manage = content.poll_manage.messages
    refused = await pick(bot, poll, manage.edit_button, OTHER)
    assert refused is not None
    assert manage.not_allowed_edit in shown_text(refused.body["blocks"])
    refused = await pick(bot, poll, manage.delete_menu_button, OTHER)
    assert refused is not None
    assert manage.not_allowed_delete in shown_text(refused.body["blocks"])
    assert not bot.slack.api_calls("views.open") and not bot.slack.api_calls("chat.delete")
    assert await conversation.polls.polls.meta(poll.id) is not None


async def test_the_creator_deletes_the_poll_its_message_and_every_key(
    bot: SlackBot,
    conversation: Conversation,
    content: Content,
    store: StateStore,
    redis_client: aioredis.Redis,
) -> None:
    poll = await start_poll(
        bot, conversation, '"Lunch?" "Pizza" "Sushi" --closes-in 4h --remind-in 1h'
    )
    assert await redis_client.zscore(store.key("poll-reminders"), poll.id) is not None
    await press(bot, poll, poll.vote_button(0), "U0ANN", "ann")
    tagged = f"{store.prefix}:poll:{{{poll.id}}}:*"
    assert [k async for k in redis_client.scan_iter(match=tagged)]
    answer = await pick(bot, poll, content.poll_manage.messages.delete_menu_button, CREATOR)
    text = content.poll_manage.messages.deleted.format(question="Lunch?")
    assert answer is not None
    assert text in shown_text(answer.body["blocks"])
    (deleted,) = bot.slack.api_calls("chat.delete")
    assert deleted.body == {"channel": CHANNEL, "ts": poll.ts}
    assert [k async for k in redis_client.scan_iter(match=tagged)] == []
    assert await redis_client.zscore(store.key("poll-deadlines"), poll.id) is None
    assert await redis_client.zscore(store.key("poll-reminders"), poll.id) is None
    # A press on the old message now finds no poll.
    gone = await press(bot, poll, poll.vote_button(1), "U0BOB", "bob")
    assert content.polls.messages.poll_missing in shown_text(gone.body["blocks"])


async def test_polls_lists_my_schedules_and_open_polls_with_stop_close_and_delete(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    manage = content.poll_manage.messages
    empty = await bot.slash("polls")
    assert manage.list_empty in shown_text(empty["blocks"])
    await bot.slash('poll "Standup mood?" "Good" "Bad" --repeat weekdays --at 09:30')
    await start_poll(bot, conversation, '"Lunch?" "Pizza" "Sushi"')
    listing = await bot.slash("polls")
    text = shown_text(listing["blocks"])
    assert listing["response_type"] == "ephemeral"
    assert shaped_like(manage.list_series_line, number=1, question="Standup mood?").search(text)
    assert shaped_like(manage.list_open_line, number=1, question="Lunch?").search(text)
    labels = [
        b["text"]["text"]
        for b in listing["blocks"]
        if b["type"] == "actions"
        for b in b["elements"]
    ]
    assert labels == [
        manage.stop_button.format(number=1),
        manage.close_button.format(number=1),
        manage.delete_button.format(number=1),
    ]
    stop = button(listing["blocks"], "poll.stop")
    await bot.press(stop, "stop-it")
    stopped = await bot.slack.response_named("stop-it")
    assert manage.stopped.format(question="Standup mood?") in shown_text(stopped.body["blocks"])
    after = await bot.slash("polls")
    assert "Standup mood?" not in shown_text(after["blocks"])
    assert await conversation.polls.scheduler.sweep(4_000_000_000.0) == []


async def test_a_workspace_admin_may_delete_someone_elses_poll(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    bot.slack.users["U0ADMIN01"] = person("U0ADMIN01", admin=True, name="ada")
    poll = await start_poll(bot, conversation, '"Lunch?" "Pizza" "Sushi"')
    answer = await pick(bot, poll, content.poll_manage.messages.delete_menu_button, "U0ADMIN01")
    assert answer is not None
    assert content.poll_manage.messages.deleted.format(question="Lunch?") in shown_text(
        answer.body["blocks"]
    )
    assert bot.slack.api_calls("chat.delete")
    assert await conversation.polls.polls.meta(poll.id) is None


async def test_clearing_the_question_in_the_edit_modal_says_what_to_type_there(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    """The modal has one box per field: the refusal speaks of that box, not of the
    ``poll`` command's "double quotes before the options"."""
    bot.slack.users[CREATOR] = person(CREATOR, name="steve")
    poll = await start_poll(bot, conversation, '"Lunch?" "Pizza" "Sushi"')
    manage = content.poll_manage.messages
    await pick(bot, poll, manage.edit_button, CREATOR, answered=False)
    (opened,) = await bot.slack.wait_for(lambda: bot.slack.api_calls("views.open"))
    refused = await submit_modal(
        bot,
        opened.body["view"],
        {"question": "", "option_0": "Pizza", "option_1": "Sushi"},
        CREATOR,
    )
    assert refused == {
        "response_action": "errors",
        "errors": {"question": manage.edit_question_empty},
    }
    assert "quotes" not in manage.edit_question_empty
    meta = await conversation.polls.polls.meta(poll.id)
    assert meta is not None and meta["question"] == "Lunch?"
