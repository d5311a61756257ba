"""The core speaks first in Teams: the outbound port posts a card into a conversation the
bot was added to, replaces it, and sends a private note to a personal chat, all through
the Bot Connector (the stand-in) with the references the front end saved."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from bot.conversation import Conversation
from bot.events import Actor
from bot.outbound import Place
from bot.replies import Reply, Visibility
from bot.store import StateStore
from tests.teams.conftest import StandInConnector, payload

TEAM_CHANNEL = "19:team0a1b2c3d4e5f@thread.tacv2"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def note(text: str) -> Reply:
    return Reply(kind="note", header="Heads up", text=text, visibility=Visibility.SHARED)


async def installed(teams: TestClient[Any, Any], connector: StandInConnector) -> None:
    update = payload("conversation_update_team", connector.url)
    assert (await teams.post("/api/messages", json=update)).status == 201
    connector.calls.clear()  # the welcome


async def test_a_card_is_posted_into_a_team_the_bot_was_added_to_and_updated_in_place(
    teams: TestClient[Any, Any], connector: StandInConnector, conversation: Conversation
) -> None:
    await installed(teams, connector)
    place = Place("teams", TENANT, TEAM_CHANNEL)
    message = await conversation.outbox.post(place, note("The poll opens at 9:30."))
    assert message is not None
    (posted,) = connector.calls
    assert (posted.method, posted.conversation_id) == ("POST", TEAM_CHANNEL)
    assert "The poll opens at 9:30." in str(posted.card)
    assert await conversation.outbox.update("teams", message, note("The poll is open."))
    updated = connector.calls[-1]
    assert (updated.method, updated.conversation_id) == ("PUT", TEAM_CHANNEL)
    assert updated.activity_id == message["activity_id"]
    assert "The poll is open." in str(updated.card)


async def test_nothing_is_posted_where_the_bot_was_never_added(
    teams: TestClient[Any, Any], connector: StandInConnector, conversation: Conversation
) -> None:
    place = Place("teams", TENANT, "19:unknown@thread.tacv2")
    assert await conversation.outbox.post(place, note("hello?")) is None
    assert connector.calls == []


async def test_a_private_note_reaches_a_personal_chat_only_once_the_person_wrote(
    teams: TestClient[Any, Any],
    connector: StandInConnector,
    conversation: Conversation,
    store: StateStore,
) -> None:
    message = payload("personal_message", connector.url)
    sender = message["from"]
    person = Actor("teams", TENANT, "elsewhere", sender.get("aadObjectId") or sender["id"])
    assert not await conversation.outbox.notify(person, note("Reminder: vote today."))
    assert connector.calls == []
    assert (await teams.post("/api/messages", json=message)).status == 201
    connector.calls.clear()  # the answer to what they wrote
    assert await conversation.outbox.notify(person, note("Reminder: vote today."))
    (sent,) = connector.calls
    assert sent.conversation_id == message["conversation"]["id"]
    assert "Reminder: vote today." in str(sent.card)
