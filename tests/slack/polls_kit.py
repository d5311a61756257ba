"""Driving team polls through the Slack front end: start one, press its buttons as anyone."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from typing import Any

from bot.conversation import Conversation
from tests.slack.conftest import SlackBot, button, buttons
from tests.slack.slack_stand_in import Call

CHANNEL = "C2147483705"
CREATOR = "U2147483697"  # the user in the recorded slash command and press payloads
TEAM = "T0001"

_press_numbers = itertools.count()


@dataclass
class PostedPoll:
    """A poll whose message Slack received."""

    id: str
    ts: str
    post: Call

    @property
    def blocks(self) -> list[dict[str, Any]]:
        blocks: list[dict[str, Any]] = self.post.body["blocks"]
        return blocks

    def vote_button(self, index: int) -> dict[str, Any]:
        return button(self.blocks, "poll.vote", index)


def person(user: str, *, tz: str = "UTC", admin: bool = False, name: str = "") -> dict[str, Any]:
    """What ``users.info`` says about someone."""
    return {
        "id": user,
        "team_id": TEAM,
        "name": name or user.lower(),
        "tz": tz,
        "is_admin": admin,
        "is_owner": False,
        "is_primary_owner": False,
        "profile": {"display_name": name, "real_name": name or user},
    }


async def start_poll(bot: SlackBot, conversation: Conversation, text: str = "") -> PostedPoll:
    """``/ai-choice poll text``: the ack is empty, the poll is posted and attached."""
    before = len(bot.slack.api_calls("chat.postMessage"))
    ack = await bot.slash(f"poll {text}".strip())
    assert "blocks" not in ack, ack  # nothing private to say: the poll goes to the channel
    posts = await bot.slack.wait_for(
        lambda: bot.slack.api_calls("chat.postMessage")[before:], what="the poll message"
    )
    post = posts[0]
    assert post.body["channel"] == CHANNEL
    value = button(post.body["blocks"], "poll.vote")["value"]
    poll_id = value.partition(":")[0]
    for _ in range(500):
        meta = await conversation.polls.polls.meta(poll_id)
        if meta and meta.get("message"):
            assert meta["message"]["channel"] == CHANNEL
            return PostedPoll(poll_id, meta["message"]["ts"], post)
        await asyncio.sleep(0.01)
    raise AssertionError("the poll's message was never attached")


def press_on_poll(
    bot: SlackBot,
    poll: PostedPoll,
    control: dict[str, Any],
    user: str,
    name: str = "",
    response_url: str = "",
) -> dict[str, Any]:
    """A ``block_actions`` payload: ``user`` presses ``control`` on the poll's channel message."""
    return bot.press_payload(
        control,
        response_url or f"press-{next(_press_numbers)}",
        user={"id": user, "username": name or user.lower(), "name": name, "team_id": TEAM},
        container={
            "type": "message",
            "message_ts": poll.ts,
            "channel_id": CHANNEL,
            "is_ephemeral": False,
        },
        message={"ts": poll.ts, "type": "message", "blocks": poll.blocks},
    )


async def press(
    bot: SlackBot,
    poll: PostedPoll,
    control: dict[str, Any],
    user: str,
    name: str = "",
) -> Call:
    """Press ``control`` as ``user``; the private answer Slack got on its response_url."""
    url_name = f"press-{next(_press_numbers)}"
    payload = press_on_poll(bot, poll, control, user, name, url_name)
    response = await bot.interact(payload)
    assert response.status == 200, await response.text()
    return await bot.slack.response_named(url_name)


def updates(bot: SlackBot) -> list[Call]:
    """Every ``chat.update`` Slack received."""
    return bot.slack.api_calls("chat.update")


def option_lines(blocks: list[dict[str, Any]]) -> list[str]:
    """The plain-text result lines of a poll message, in order."""
    return [
        b["text"]["text"]
        for b in blocks
        if b["type"] == "section" and b["text"]["type"] == "plain_text"
    ]


def controls(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The poll's close/export buttons by action."""
    return {
        b["action_id"].rpartition("|")[0]: b
        for b in buttons(blocks)
        if not b["action_id"].startswith("poll.vote")
    }
