"""Edit, delete and ``polls`` in a Teams channel: the poll card's "Manage" ShowCard (its
Input.Text fields come back in the Action.Execute's data), a DELETE to the connector."""

from __future__ import annotations

import redis.asyncio as aioredis

from bot.content import Content
from bot.conversation import Conversation
from bot.store import StateStore
from tests.teams.conftest import StandInConnector
from tests.teams.poll_flow import (
    THREAD,
    CheckCard,
    Client,
    banner,
    buttons,
    execute,
    lines,
    manage_card,
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


async def test_polls_typed_in_the_channel_lists_open_polls_with_close_and_delete(
    teams: Client, connector: StandInConnector, content: Content, assert_valid_card: CheckCard
) -> None:
    manage = content.poll_manage.messages
    await start(teams, connector, 'poll "Lunch?" "Pizza" "Sushi"')
    listing = await start(teams, connector, "polls")
    assert_valid_card(listing)
    assert manage.list_header in lines(listing)
    assert any("Lunch?" in line for line in lines(listing))
    assert set(buttons(listing)) == {
        manage.close_button.format(number=1),
        manage.delete_button.format(number=1),
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
