"""Ask an expert through the real Teams front end (Bot Framework activities over HTTP, a
stand-in Bot Connector): the experts' channel is chosen by the person who added the bot,
a declined question in a personal chat becomes a card in that channel, an expert answers
on the card (Input.Text + Action.Execute), the answer reaches the asker's personal chat
proactively; two experts answering at once give one answer; a non-member cannot."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from aiohttp.test_utils import TestClient

from bot.conversation import Conversation
from bot.experts import ANSWER_FIELD, LEARN_FIELD
from bot.replies import TICKED, Action
from tests.teams import poll_flow
from tests.teams.conftest import StandInConnector, payload

Client = TestClient[Any, Any]
TEAM = "19:team0a1b2c3d4e5f@thread.tacv2"
EXPERTS = "19:c1b2a3d4e5f6a7b8c9d0e1f2a3b4c5d6@thread.tacv2"
PERSONAL = "a:1pL2xQ9WmH3k7bE_personal-chat-with-ada"
DECLINED = "Do we have a company subscription to ChatGPT?"
ADA = "6b4a7a1e-3c0b-4d8e-9b2f-0c1d2e3f4a5b"  # added the bot to the team; asks in a DM


def expert(number: int) -> str:
    return poll_flow.person(number)["aadObjectId"]


def card_buttons(card: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Every Action.Execute anywhere on the card: its data, by title."""
    found: dict[str, dict[str, str]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute" and "title" in node:
                found[node["title"]] = node["data"]
            for key, value in node.items():
                if key != "fallback":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def text_of(card: dict[str, Any]) -> str:
    return "\n".join(poll_flow.lines(card))


def channel_invoke(url: str, data: dict[str, str], by: int) -> dict[str, Any]:
    """An Action.Execute press on a card in the experts' channel by person ``by``."""
    return poll_flow.execute(url, data, by)


async def set_up(teams: Client, connector: StandInConnector, conversation: Conversation) -> None:
    """The bot is added to the team by Ada, who makes the channel the experts' one."""
    install = payload("conversation_update_team", connector.url)
    assert (await teams.post("/api/messages", json=install)).status == 201
    here = payload(
        "channel_mention",
        connector.url,
        id="mention-experts",
        text="<at>AI Choice</at> experts here",
    )
    assert (await teams.post("/api/messages", json=here)).status == 201
    said = [
        text_of(c.card) for c in connector.delivered if c.cards and EXPERTS in c.conversation_id
    ]
    assert any(conversation.content.experts.setup_done in s for s in said), said
    # The experts' channel's members are its team's: the roster the connector pages through.
    connector.members[TEAM] = [poll_flow.person(3), poll_flow.person(4)]


async def ticket(
    teams: Client, connector: StandInConnector, conversation: Conversation
) -> dict[str, Any]:
    """Ada asks a question the FAQ declines in her personal chat and asks an expert; the
    ticket's card posted in the experts' channel."""
    asked = payload("personal_message", connector.url, text=DECLINED, id="ask-declined")
    assert (await teams.post("/api/messages", json=asked)).status == 201
    answer = next(
        c.card for c in reversed(connector.delivered) if c.cards and c.conversation_id == PERSONAL
    )
    ask = card_buttons(answer)[conversation.content.experts.ask_button]
    assert ask["aic_action"] == Action.EXPERT_ASK
    value = {
        "action": {"type": "Action.Execute", "verb": ask["aic_action"], "data": ask},
        "trigger": "manual",
    }
    before = len(connector.delivered)
    banner = await poll_flow.banner(
        teams, payload("card_action_invoke", connector.url, value=value, id="ask-1")
    )
    assert banner == conversation.content.experts.asked_private
    posted = [c for c in connector.delivered[before:] if c.cards and c.conversation_id == EXPERTS]
    assert len(posted) == 1
    return posted[0].card


async def test_a_declined_question_goes_to_the_experts_channel_and_the_answer_back_to_the_asker(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    assert_valid_card: Any,
) -> None:
    words = conversation.content.experts
    await set_up(teams, connector, conversation)
    card = await ticket(teams, connector, conversation)
    assert_valid_card(card)
    assert DECLINED in text_of(card) and "Ada Lovelace" in json.dumps(card)  # a fact

    # An expert presses Answer: the card turns into the form, for them alone.
    form = await poll_flow.press(
        teams, channel_invoke(connector.url, card_buttons(card)[words.answer_button], 3)
    )
    assert_valid_card(form)
    inputs = {e["id"]: e["type"] for e in form["body"] if e["type"].startswith("Input.")}
    assert inputs == {ANSWER_FIELD: "Input.Text", LEARN_FIELD: "Input.Toggle"}
    shown = {e["id"]: e for e in form["body"] if e["type"].startswith("Input.")}
    assert shown[ANSWER_FIELD]["isMultiline"] is True
    assert shown[LEARN_FIELD]["valueOn"] == TICKED and shown[LEARN_FIELD]["value"] == ""
    send = card_buttons(form)[words.form_submit]

    before = len(connector.delivered)
    data = {
        **send,
        ANSWER_FIELD: "Yes: **ChatGPT Enterprise** <b>ask IT</b>.",
        LEARN_FIELD: "",
    }
    note = await poll_flow.banner(teams, channel_invoke(connector.url, data, 3))
    assert note == words.answered_note
    to_ada = [c for c in connector.delivered[before:] if c.conversation_id == PERSONAL]
    assert len(to_ada) == 1
    answer = to_ada[0].card
    assert_valid_card(answer)
    # Shown as typed: the markdown and the tag are escaped in the TextBlock.
    raw = json.dumps(answer)
    assert r"\\*\\*ChatGPT Enterprise\\*\\*" in raw and r"\\<b\\>" in raw
    assert "Yes: **ChatGPT Enterprise** <b>ask IT</b>." in text_of(answer)
    updated = [
        c
        for c in connector.delivered[before:]
        if c.method == "PUT" and c.conversation_id == EXPERTS
    ]
    assert updated and words.state_answered.format(name="Person 003") in json.dumps(
        updated[-1].card
    )
    assert await conversation.experts.learned.all() == []  # the box was left unticked


async def test_an_expert_who_ticks_add_to_the_faq_teaches_it(
    teams: Client, connector: StandInConnector, conversation: Conversation
) -> None:
    words = conversation.content.experts
    await set_up(teams, connector, conversation)
    card = await ticket(teams, connector, conversation)
    send = {**card_buttons(card)[words.answer_button], "aic_action": Action.EXPERT_SUBMIT.value}
    data = {**send, ANSWER_FIELD: "Yes: ChatGPT Enterprise, ask IT.", LEARN_FIELD: TICKED}
    note = await poll_flow.banner(teams, channel_invoke(connector.url, data, 3))
    assert note == words.answered_note
    learned = await conversation.experts.learned.all()
    assert [(e.question, e.answer) for e in learned] == [
        (DECLINED, "Yes: ChatGPT Enterprise, ask IT.")
    ]


async def test_two_experts_answering_at_once_give_one_answer(
    teams: Client, connector: StandInConnector, conversation: Conversation
) -> None:
    words = conversation.content.experts
    await set_up(teams, connector, conversation)
    card = await ticket(teams, connector, conversation)
    send = {**card_buttons(card)[words.answer_button], "aic_action": Action.EXPERT_SUBMIT.value}
    before = len(connector.delivered)
    notes = await asyncio.gather(
        *(
            poll_flow.banner(
                teams,
                channel_invoke(connector.url, {**send, ANSWER_FIELD: f"Answer from {n}."}, n),
            )
            for n in (3, 4)
        )
    )
    assert sorted(n == words.answered_note for n in notes) == [False, True]
    assert any(re.match(words.already_handled.split("{")[0], n) for n in notes)
    to_ada = [c for c in connector.delivered[before:] if c.conversation_id == PERSONAL]
    assert len(to_ada) == 1


async def test_someone_outside_the_experts_team_cannot_answer(
    teams: Client, connector: StandInConnector, conversation: Conversation
) -> None:
    words = conversation.content.experts
    await set_up(teams, connector, conversation)
    card = await ticket(teams, connector, conversation)
    send = {**card_buttons(card)[words.answer_button], "aic_action": Action.EXPERT_SUBMIT.value}
    before = len(connector.delivered)
    note = await poll_flow.banner(
        teams,
        channel_invoke(connector.url, {**send, ANSWER_FIELD: "Trust me.", LEARN_FIELD: TICKED}, 5),
    )
    assert note == words.not_an_expert
    assert not [c for c in connector.delivered[before:] if c.conversation_id == PERSONAL]
    assert await conversation.experts.learned.all() == []


async def test_only_the_person_who_added_the_bot_chooses_the_experts_channel(
    teams: Client, connector: StandInConnector, conversation: Conversation
) -> None:
    install = payload("conversation_update_team", connector.url)
    assert (await teams.post("/api/messages", json=install)).status == 201
    here = poll_flow.mention(connector.url, "experts here", by=6)
    assert (await teams.post("/api/messages", json=here)).status == 201
    said = [
        text_of(c.card) for c in connector.delivered if c.cards and EXPERTS in c.conversation_id
    ]
    assert any(conversation.content.experts.setup_not_admin in s for s in said), said
    assert (
        await conversation.experts.place_of("teams", "72f988bf-86f1-41af-91ab-2d7cd011db47") is None
    )
