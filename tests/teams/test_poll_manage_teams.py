"""Edit, delete and ``polls`` in a Teams channel: the poll card's "Manage" ShowCard (its
Input.Text fields come back in the Action.Execute's data), a DELETE to the connector."""

from __future__ import annotations

import redis.asyncio as aioredis

from bot.content import Content
from bot.conversation import Conversation
from bot.store import StateStore
from tests.teams.conftest import StandInConnector, payload
from tests.teams.poll_flow import (
    THREAD,
    CheckCard,
    Client,
    banner,
    buttons,
    execute,
    lines,
    manage_card,
    mention,
    person,
    posts,
    start,
    updates,
)
from tests.wording import votes


async def test_manage_shows_the_edit_form_and_saving_it_keeps_the_votes(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    content: Content,
    assert_valid_card: CheckCard,
) -> None:
    conversation.polls.refresh_window = 0.01
    manage = content.poll_manage.messages
    card = await start(teams, connector, 'poll "Lunch?" "Pizza" "Sushi"')
    assert_valid_card(card)
    form = manage_card(card, manage.menu_title)
    inputs = {e["id"]: e["value"] for e in form["body"] if e["type"] == "Input.Text"}
    assert inputs == {"question": "Lunch?", "option_0": "Pizza", "option_1": "Sushi"}
    options = buttons(card)
    await banner(teams, execute(connector.url, options["Sushi"], by=2))
    # Teams sends the Execute's data with what was typed in the inputs beside it.
    save = {**options[manage.edit_submit], "question": "Lunch today?", "option_1": "Sushi bar"}
    assert await banner(teams, execute(connector.url, save, by=1)) == manage.edited
    await conversation.polls.drain()
    shared = updates(connector)[-1]
    assert lines(shared)[0] == "Lunch today?"
    assert f"Sushi bar ▇▇▇▇▇▇▇▇ {votes(content, 1)} (100%)" in lines(shared)
    assert_valid_card(shared)


async def test_only_the_creator_deletes_and_the_card_is_removed_with_every_key(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    content: Content,
    store: StateStore,
    redis_client: aioredis.Redis,
) -> None:
    manage = content.poll_manage.messages
    card = await start(teams, connector, 'poll "Lunch?" "Pizza" "Sushi"')
    delete = buttons(card)[manage.delete_menu_button]
    assert await banner(teams, execute(connector.url, delete, by=2)) == manage.not_allowed_delete
    assert not [c for c in connector.calls if c.method == "DELETE"]
    assert await banner(teams, execute(connector.url, delete, by=1)) == manage.deleted.format(
        question="Lunch?"
    )
    (removed,) = [c for c in connector.calls if c.method == "DELETE"]
    assert (removed.conversation_id, removed.activity_id) == (THREAD, "reply-1")
    poll_id = delete["aic_value"]
    assert [
        k async for k in redis_client.scan_iter(match=f"{store.prefix}:poll:{{{poll_id}}}:*")
    ] == []


async def test_polls_in_the_channel_names_no_poll_and_the_personal_chat_lists_them_all(
    teams: Client, connector: StandInConnector, content: Content, assert_valid_card: CheckCard
) -> None:
    """A channel has no private replies: a list posted there would show everyone the
    questions of the person's polls in private group chats and channels too."""
    manage = content.poll_manage.messages
    chat = mention(connector.url, 'poll "Should we let Bob go?" "Yes" "No"')
    chat["conversation"] = {
        **chat["conversation"],
        "id": "19:private-group-chat@thread.v2",
        "conversationType": "groupChat",
    }
    chat["channelData"] = {"tenant": chat["channelData"]["tenant"]}
    assert (await teams.post("/api/messages", json=chat)).status == 201
    await start(teams, connector, 'poll "Lunch?" "Pizza" "Sushi"')
    listing = await start(teams, connector, "polls")
    assert_valid_card(listing)
    shown = "\n".join(lines(listing))
    assert manage.list_elsewhere in shown
    assert "Bob" not in shown and "Lunch?" not in shown and not buttons(listing)

    personal = payload("personal_message", connector.url, id="polls-in-personal", text="polls")
    personal["from"] = person(1)
    assert (await teams.post("/api/messages", json=personal)).status == 201
    listing = posts(connector)[-1]
    assert_valid_card(listing)
    assert manage.list_header in lines(listing)
    assert any("Lunch?" in line for line in lines(listing))
    assert any("Should we let Bob go?" in line for line in lines(listing))
    assert set(buttons(listing)) == {manage.close_button.format(number=n) for n in (1, 2)} | {
        manage.delete_button.format(number=n) for n in (1, 2)
    }


async def test_someone_else_saving_the_form_is_refused_and_nothing_changes(
    teams: Client, connector: StandInConnector, conversation: Conversation, content: Content
) -> None:
    manage = content.poll_manage.messages
    card = await start(teams, connector, 'poll "Lunch?" "Pizza" "Sushi"')
    save = {**buttons(card)[manage.edit_submit], "question": "Hijacked?", "option_0": "Nope"}
    assert await banner(teams, execute(connector.url, save, by=2)) == manage.not_allowed_edit
    meta = await conversation.polls.polls.meta(save["aic_value"])
    assert meta is not None and (meta["question"], meta["options"]) == (
        "Lunch?",
        ["Pizza", "Sushi"],
    )
    assert not [c for c in connector.calls if c.method == "PUT"]
