"""Driving polls in a Teams channel the way the Bot Connector does, for the poll tests.

People are numbered; person ``n`` is ``Person 00n`` with a made-up Entra object id. Every
activity is a recorded channel payload with the sender, id and value changed.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient

from tests.teams.conftest import PAYLOADS, StandInConnector, payload

Client = TestClient[Any, Any]
Card = dict[str, Any]
#: The ``assert_valid_card`` fixture: fails the test unless the card is valid Adaptive Card 1.5.
CheckCard = Callable[[Card], None]

_CHANNEL = json.loads((PAYLOADS / "channel_mention.json").read_text())
CHANNEL_CONVERSATION: dict[str, Any] = _CHANNEL["conversation"]
CHANNEL_DATA: dict[str, Any] = _CHANNEL["channelData"]
THREAD = CHANNEL_CONVERSATION["id"]

_ids = itertools.count(1)


def person(number: int) -> dict[str, str]:
    """The ``from`` of person ``number``."""
    return {
        "id": f"29:person-{number}",
        "name": f"Person {number:03d}",
        "aadObjectId": f"00000000-0000-4000-8000-{number:012d}",
    }


def mention(url: str, text: str, by: int = 1) -> dict[str, Any]:
    """``@AI Choice <text>`` typed in the channel by person ``by``."""
    return payload(
        "channel_mention",
        url,
        id=f"mention-{next(_ids)}",
        text=f"<at>AI Choice</at> {text}",
        **{"from": person(by)},
    )


def execute(
    url: str,
    data: dict[str, str],
    by: int,
    card_id: str = "reply-1",
    trigger: str = "manual",
) -> dict[str, Any]:
    """An Action.Execute press in the channel: an ``adaptiveCard/action`` invoke (a card's
    refresh is the same invoke with trigger "automatic")."""
    value = {
        "action": {"type": "Action.Execute", "verb": data["aic_action"], "data": data},
        "trigger": trigger,
    }
    return payload(
        "card_action_invoke",
        url,
        id=f"invoke-{next(_ids)}",
        value=value,
        conversation=CHANNEL_CONVERSATION,
        channelData=CHANNEL_DATA,
        replyToId=card_id,
        **{"from": person(by)},
    )


def submit(url: str, data: dict[str, str], by: int, card_id: str = "reply-1") -> dict[str, Any]:
    """An Action.Submit press in the channel: a message activity carrying ``value``."""
    return payload(
        "card_submit",
        url,
        id=f"submit-{next(_ids)}",
        value=data,
        conversation=CHANNEL_CONVERSATION,
        channelData=CHANNEL_DATA,
        replyToId=card_id,
        **{"from": person(by)},
    )


def buttons(card: Card) -> dict[str, dict[str, str]]:
    """Every button on the card (behind a ShowCard too), title → the Execute's data."""
    found: dict[str, dict[str, str]] = {}
    for element in card["body"]:
        if element["type"] == "ActionSet":
            found.update({a["title"]: a["data"] for a in element["actions"]})
    for button in card.get("actions", []):
        if button["type"] == "Action.ShowCard":  # "Manage": the buttons behind it
            found.update(buttons(button["card"]))
        else:
            found[button["title"]] = button["data"]
    return found


def text_blocks(card: Card) -> list[dict[str, Any]]:
    """Every TextBlock shown on the card (fallbacks, and the cards behind a ShowCard
    button such as "Manage", aside), in order."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.ShowCard":
                return
            if node.get("type") == "TextBlock":
                found.append(node)
            for key, value in node.items():
                if key != "fallback":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def lines(card: Card) -> list[str]:
    """Every TextBlock's text anywhere in the card, markdown escapes undone."""
    return [re.sub(r"\\(.)", r"\1", block["text"]) for block in text_blocks(card)]


async def press(client: Client, activity: dict[str, Any]) -> Card:
    """Post an invoke; the card of its invoke response."""
    response = await client.post("/api/messages", json=activity)
    assert response.status == 200
    body = await response.json()
    assert body["statusCode"] == 200, body
    assert body["type"] == "application/vnd.microsoft.card.adaptive", body
    card: Card = body["value"]
    return card


async def banner(client: Client, activity: dict[str, Any]) -> str:
    """Post an invoke answered with a message-type response; the text Teams shows."""
    response = await client.post("/api/messages", json=activity)
    assert response.status == 200
    body = await response.json()
    assert body["type"] == "application/vnd.microsoft.activity.message", body
    text: str = body["value"]
    return text


async def shown(client: Client, activity: dict[str, Any]) -> list[str]:
    """Post an invoke; what the presser sees: the card's lines, or the banner's text."""
    response = await client.post("/api/messages", json=activity)
    assert response.status == 200
    body = await response.json()
    if body["type"] == "application/vnd.microsoft.activity.message":
        return [str(body["value"])]
    assert body["type"] == "application/vnd.microsoft.card.adaptive", body
    return lines(body["value"])


async def own_view(client: Client, url: str, card: Card, by: int) -> Card:
    """What person ``by`` sees of the shared ``card``: the refresh Teams runs for them."""
    assert f"29:person-{by}" in card["refresh"]["userIds"], "Teams only refreshes those listed"
    data = card["refresh"]["action"]["data"]
    return await press(client, execute(url, data, by, trigger="automatic"))


def updates(connector: StandInConnector, activity_id: str = "reply-1") -> list[Card]:
    """The cards of every successful PUT of ``activity_id``, in order."""
    return [
        call.card
        for call in connector.delivered
        if call.method == "PUT" and call.activity_id == activity_id
    ]


def posts(connector: StandInConnector) -> list[Card]:
    """Every card the bot posted as a new message or reply."""
    return [call.card for call in connector.delivered if call.method == "POST"]


async def start(teams: Client, connector: StandInConnector, text: str, by: int = 1) -> Card:
    """Person ``by`` starts a poll by mention; the one card posted (the poll, or a private
    refusal)."""
    before = len(posts(connector))
    response = await teams.post("/api/messages", json=mention(connector.url, text, by))
    assert response.status == 201
    (card,) = posts(connector)[before:]
    return card


def inputs(card: Card) -> list[dict[str, Any]]:
    """The card's own input fields (the add box), not those behind a ShowCard button."""
    return [element for element in card["body"] if element["type"].startswith("Input.")]


def manage_card(card: Card, title: str) -> Card:
    """The card behind the poll card's "Manage" ShowCard button (titled ``title``)."""
    (shown,) = [
        a["card"] for a in card["actions"] if a["type"] == "Action.ShowCard" and a["title"] == title
    ]
    return shown
