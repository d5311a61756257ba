"""Driving "Ask an expert" in a Slack workspace the way Slack does, for the experts tests:
an admin, an asker, two experts and an outsider; the declined question, the ticket's card,
the answer modal's submission."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from adapters.slack.forms import FORM_CALLBACK, FORM_INPUT
from bot.conversation import Conversation
from bot.experts import ANSWER_FIELD, LEARN_FIELD
from bot.replies import Action
from tests.slack.conftest import SlackBot, button, mention
from tests.slack.slack_stand_in import SlackStandIn

TEAM = "T0001"
EXPERTS = "C0EXPERTS1"
GENERAL = "C2147483705"
ADMIN, ASKER, ANN, BOB, OUTSIDER = "U0ADMIN01", "U2147483697", "U0ANN0001", "U0BOB0001", "U0OUT0001"
DECLINED = "Do we have a company subscription to ChatGPT?"
REPHRASED = "does the company pay for chatgpt"


def people(slack: SlackStandIn) -> None:
    """Who is who in the stand-in workspace: an admin, the asker, two experts, an outsider."""
    for user, admin in (
        (ADMIN, True),
        (ASKER, False),
        (ANN, False),
        (BOB, False),
        (OUTSIDER, False),
    ):
        slack.users[user] = {
            "id": user,
            "tz": "Europe/London",
            "is_admin": admin,
            "profile": {"display_name": user.lower()},
        }
    slack.members[EXPERTS] = [ADMIN, ANN, BOB]


def posts_to(slack: SlackStandIn, channel: str) -> list[dict[str, Any]]:
    return [c.body for c in slack.api_calls("chat.postMessage") if c.body.get("channel") == channel]


async def choose_experts_channel(bot: SlackBot) -> dict[str, Any]:
    return await bot.slash("experts here", channel_id=EXPERTS, user_id=ADMIN, user_name="admin")


async def ask_declined(bot: SlackBot, slack: SlackStandIn, text: str = DECLINED) -> dict[str, Any]:
    """The asker mentions the bot in #general; the bot's (declining) answer in the thread."""
    before = len(posts_to(slack, GENERAL))
    await bot.event(mention(f"<@UBOT0001> {text}", event_id=f"Ev{abs(hash(text)) % 10**8:08d}"))
    answers = await slack.wait_for(
        lambda: [
            p for p in posts_to(slack, GENERAL)[before:] if Action.EXPERT_ASK.value in json.dumps(p)
        ],
        what="the answer in #general",
    )
    return answers[0]


def bot_message(post: dict[str, Any], ts: str = "1700009999.000001") -> dict[str, Any]:
    """The container of a press on the bot's message ``post`` in #general's thread."""
    return {
        "type": "message",
        "message_ts": ts,
        "channel_id": post["channel"],
        "is_ephemeral": False,
        "thread_ts": post.get("thread_ts", ""),
    }


async def ticket_card(
    bot: SlackBot, slack: SlackStandIn, conversation: Conversation, text: str = DECLINED
) -> dict[str, Any]:
    """Ask an expert from the declined answer; the ticket's card in the experts' channel."""
    answer = await ask_declined(bot, slack, text)
    ask = button(answer["blocks"], Action.EXPERT_ASK)
    before = len(posts_to(slack, EXPERTS))
    url = f"asked-{before}"
    await bot.press(ask, response_url=url, container=bot_message(answer))
    confirmation = await slack.response_named(url)
    assert conversation.content.experts.asked.split(" — ")[0] in confirmation.body["text"]
    cards = await slack.wait_for(lambda: posts_to(slack, EXPERTS)[before:], what="the card")
    return cards[0]


def expert_press(user: str) -> dict[str, Any]:
    """What a press on the ticket's card in the experts' channel carries besides the button."""
    return {
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "channel": {"id": EXPERTS, "name": "experts"},
        "container": {
            "type": "message",
            "channel_id": EXPERTS,
            "message_ts": "1700009999.000002",
            "is_ephemeral": False,
        },
    }


async def until_state(conversation: Conversation, ticket_id: str, state: str) -> None:
    """Wait until the ticket has moved to ``state`` (the work runs after Slack's ack)."""
    for _ in range(500):
        ticket = await conversation.experts.tickets.get(ticket_id)
        if ticket is not None and ticket.state == state:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"ticket {ticket_id} never became {state}")


def submission(ticket_value: str, user: str, answer: str, learn: bool) -> dict[str, Any]:
    """The ``view_submission`` Slack sends when ``user`` submits the answer modal (the
    shape :func:`adapters.slack.forms.form_view` gave it)."""
    metadata = {"a": Action.EXPERT_SUBMIT.value, "v": ticket_value, "c": EXPERTS, "t": ""}
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "example"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
        "api_app_id": "A0APPID0001",
        "view": {
            "id": "V0001",
            "type": "modal",
            "callback_id": FORM_CALLBACK,
            "private_metadata": json.dumps(metadata),
            "state": {
                "values": {
                    ANSWER_FIELD: {FORM_INPUT: {"type": "plain_text_input", "value": answer}},
                    LEARN_FIELD: {
                        FORM_INPUT: {
                            "type": "checkboxes",
                            "selected_options": [{"value": "yes"}] if learn else [],
                        }
                    },
                }
            },
        },
    }
