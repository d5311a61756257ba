"""Ask an expert through the real Slack front end: a declined question goes to the experts'
channel, an expert answers in a modal, the asker gets the answer in their thread; two
experts answering at once give one answer; a non-member cannot answer; an answer saved
to the FAQ answers the next person who asks in other words."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from bot.conversation import Conversation
from bot.replies import Action
from tests.slack.conftest import SlackBot, button, mention, shown_text
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
    """The ``view_submission`` Slack sends when ``user`` submits the answer modal."""
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "example"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
        "api_app_id": "A0APPID0001",
        "view": {
            "id": "V0001",
            "type": "modal",
            "callback_id": Action.EXPERT_SUBMIT.value,
            "private_metadata": json.dumps({"value": ticket_value, "channel": EXPERTS}),
            "state": {
                "values": {
                    "answer": {"answer": {"type": "plain_text_input", "value": answer}},
                    "learn": {
                        "learn": {
                            "type": "checkboxes",
                            "selected_options": [{"value": "true"}] if learn else [],
                        }
                    },
                }
            },
        },
    }


async def test_a_declined_question_reaches_the_experts_and_the_answer_comes_back(
    bot: SlackBot, slack: SlackStandIn, conversation: Conversation
) -> None:
    people(slack)
    words = conversation.content.experts
    ack = await choose_experts_channel(bot)
    assert words.setup_done in json.dumps(ack)

    card = await ticket_card(bot, slack, conversation)
    text = shown_text(card["blocks"])
    assert DECLINED in text and "u2147483697" in text  # the question and the asker's name
    assert words.state_open in text

    # An expert presses Answer: Slack is asked to open the modal with the form.
    answer_button = button(card["blocks"], Action.EXPERT_ANSWER)
    await bot.press(answer_button, response_url="ann-open", **expert_press(ANN))
    opened = await slack.wait_for(lambda: slack.api_calls("views.open"), what="views.open")
    view = opened[0].body["view"]
    assert view["callback_id"] == Action.EXPERT_SUBMIT.value
    assert {b["block_id"] for b in view["blocks"] if b["type"] == "input"} == {"answer", "learn"}
    ticket_id = json.loads(view["private_metadata"])["value"]

    response = await bot.interact(
        submission(ticket_id, ANN, "Yes: <!channel> ChatGPT *Enterprise*, ask IT.", learn=False)
    )
    assert response.status == 200
    delivered = await slack.wait_for(
        lambda: [
            p
            for p in posts_to(slack, GENERAL)
            if p.get("thread_ts") and "Enterprise" in json.dumps(p)
        ],
        what="the answer in the asker's thread",
    )
    shown = shown_text(delivered[0]["blocks"])
    # Plain text: no live mention, no bold.
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    assert words.answer_by.format(name=ANN.lower()) in shown
    assert delivered[0]["thread_ts"] == "1700000100.000300"
    updated = await slack.wait_for(lambda: slack.api_calls("chat.update"), what="the card update")
    assert words.state_answered.format(name=ANN.lower()) in shown_text(updated[-1].body["blocks"])


async def test_two_experts_answering_at_once_give_one_answer(
    bot: SlackBot, slack: SlackStandIn, conversation: Conversation
) -> None:
    people(slack)
    await choose_experts_channel(bot)
    card = await ticket_card(bot, slack, conversation)
    ticket_id = button(card["blocks"], Action.EXPERT_ANSWER)["value"]

    first, second = await asyncio.gather(
        bot.interact(submission(ticket_id, ANN, "Ann's answer: yes, Enterprise.", learn=False)),
        bot.interact(submission(ticket_id, BOB, "Bob's answer: yes, Enterprise.", learn=False)),
    )
    assert first.status == second.status == 200
    notes = await slack.wait_for(
        lambda: (
            slack.api_calls("chat.postEphemeral")
            if len(slack.api_calls("chat.postEphemeral")) >= 2
            else None
        ),
        what="both experts' notes",
    )
    delivered = [p for p in posts_to(slack, GENERAL) if "answer: yes" in json.dumps(p)]
    assert len(delivered) == 1
    said = sorted(shown_text(n.body["blocks"]) for n in notes)
    words = conversation.content.experts
    assert sum(words.answered_note in s for s in said) == 1
    assert sum(words.already_handled.split("{")[0] in s for s in said) == 1


async def test_only_members_of_the_experts_channel_can_answer(
    bot: SlackBot, slack: SlackStandIn, conversation: Conversation
) -> None:
    people(slack)
    await choose_experts_channel(bot)
    card = await ticket_card(bot, slack, conversation)
    ticket_id = button(card["blocks"], Action.EXPERT_ANSWER)["value"]
    await bot.interact(submission(ticket_id, OUTSIDER, "I'm not an expert but yes.", learn=True))
    note = await slack.wait_for(lambda: slack.api_calls("chat.postEphemeral"), what="the refusal")
    assert conversation.content.experts.not_an_expert in shown_text(note[0].body["blocks"])
    assert not [p for p in posts_to(slack, GENERAL) if "not an expert" in json.dumps(p)]
    assert await conversation.experts.learned.all() == []


async def test_only_an_admin_chooses_the_experts_channel(
    bot: SlackBot, slack: SlackStandIn, conversation: Conversation
) -> None:
    people(slack)
    ack = await bot.slash("experts here", channel_id=EXPERTS, user_id=ASKER)
    assert conversation.content.experts.setup_not_admin in json.dumps(ack)
    assert await conversation.experts.place_of("slack", TEAM) is None
    ack = await bot.slash(f"experts <#{EXPERTS}|experts>", channel_id=GENERAL, user_id=ADMIN)
    assert conversation.content.experts.setup_done in json.dumps(ack)
    place = await conversation.experts.place_of("slack", TEAM)
    assert place is not None and place.channel == EXPERTS


async def test_an_answer_saved_to_the_faq_answers_the_same_question_in_other_words(
    bot: SlackBot, slack: SlackStandIn, conversation: Conversation
) -> None:
    people(slack)
    await choose_experts_channel(bot)
    card = await ticket_card(bot, slack, conversation)
    ticket_id = button(card["blocks"], Action.EXPERT_ANSWER)["value"]
    await bot.interact(
        submission(ticket_id, ANN, "Yes: ChatGPT Enterprise, ask IT for a seat.", learn=True)
    )
    await slack.wait_for(lambda: slack.api_calls("chat.update"), what="the card update")

    answer = await ask_declined(bot, slack, REPHRASED)
    shown = shown_text(answer["blocks"])
    assert "ask IT for a seat" in shown
    assert conversation.content.experts.learned_label in shown
