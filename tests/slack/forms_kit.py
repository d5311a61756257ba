"""Helpers for Slack's form modals in tests: open one from a poll's button or "⋯" menu
(``views.open`` through the Web API stand-in), and submit it filled in as a signed
``view_submission``. Whatever form it shows, the inputs are read from the view itself."""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.slack.conftest import SlackBot, load_payload
from tests.slack.polls_kit import TEAM, PostedPoll, press_on_poll


def overflow(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """The message's "⋯" overflow menu element."""
    (menu,) = [
        e
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["type"] == "overflow"
    ]
    return menu


async def _opened(bot: SlackBot, before: int) -> dict[str, Any]:
    calls = await bot.slack.wait_for(
        lambda: bot.slack.api_calls("views.open")[before:], what="views.open"
    )
    assert calls[0].body["trigger_id"]
    view: dict[str, Any] = calls[0].body["view"]
    return view


async def modal_from_button(
    bot: SlackBot, poll: PostedPoll, control: dict[str, Any], user: str, name: str = ""
) -> dict[str, Any]:
    """Press the poll's ``control`` as ``user`` (display name ``name``); the modal that opened."""
    before = len(bot.slack.api_calls("views.open"))
    response = await bot.interact(press_on_poll(bot, poll, control, user, name))
    assert response.status == 200
    return await _opened(bot, before)


def menu_pick(bot: SlackBot, poll: PostedPoll, label: str, user: str) -> dict[str, Any]:
    """The ``block_actions`` payload Slack sends when ``user`` picks ``label`` in the poll's
    "⋯" menu."""
    menu = overflow(poll.blocks)
    (option,) = [o for o in menu["options"] if o["text"]["text"] == label]
    payload = press_on_poll(bot, poll, {"action_id": "x", "text": option["text"]}, user)
    payload["actions"] = [
        {
            "type": "overflow",
            "action_id": menu["action_id"],
            "block_id": "menu",
            "selected_option": option,
            "action_ts": "1700000001.000200",
        }
    ]
    return payload


async def modal_from_menu(bot: SlackBot, poll: PostedPoll, label: str, user: str) -> dict[str, Any]:
    """Pick ``label`` in the poll's "⋯" menu as ``user``; the modal that opened."""
    payload = menu_pick(bot, poll, label, user)
    before = len(bot.slack.api_calls("views.open"))
    response = await bot.interact(payload)
    assert response.status == 200
    return await _opened(bot, before)


def inputs_of(view: dict[str, Any]) -> dict[str, str | None]:
    """The modal's inputs, by field name, as filled in when it opened."""
    return {
        b["block_id"]: b["element"].get("initial_value")
        for b in view["blocks"]
        if b["type"] == "input"
    }


def view_submission(
    view: dict[str, Any], values: dict[str, str], user: str, name: str = ""
) -> dict[str, Any]:
    """The ``view_submission`` Slack sends when ``user`` (display name ``name``) submits
    ``view`` with ``values`` typed into its inputs (by field name): the recorded payload
    with this view, its state and this user. An empty value comes as null, as from Slack."""
    payload = load_payload("view_submission")
    elements = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    state = {
        field: {elements[field]["action_id"]: {"type": "plain_text_input", "value": text or None}}
        for field, text in values.items()
    }
    payload["view"] = {**payload["view"], **copy.deepcopy(view), "state": {"values": state}}
    name = name or user.lower()
    payload["user"] = {"id": user, "username": name, "name": name, "team_id": TEAM}
    return payload


async def send_submission(bot: SlackBot, payload: dict[str, Any]) -> dict[str, Any] | None:
    """Send a signed ``view_submission``; the acknowledgement's JSON (None when empty: the
    modal closes)."""
    response = await bot.interact(payload)
    assert response.status == 200, await response.text()
    raw = await response.text()
    return json.loads(raw) if raw else None


async def submit_modal(
    bot: SlackBot, view: dict[str, Any], values: dict[str, str], user: str
) -> dict[str, Any] | None:
    """Submit ``view`` with ``values`` typed into its inputs (by field name) as ``user``;
    the acknowledgement's JSON (None when empty: the modal closes)."""
    return await send_submission(bot, view_submission(view, values, user))
