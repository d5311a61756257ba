"""The core speaks first in Slack: the outbound port posts to a channel (or a thread),
replaces that message, and sends a person a direct message, through the Web API
stand-in."""

from __future__ import annotations

from bot.conversation import Conversation
from bot.events import Actor
from bot.outbound import Place
from bot.replies import Reply, Visibility
from tests.slack.conftest import SlackBot, shown_text


def note(text: str) -> Reply:
    return Reply(kind="note", text=text, visibility=Visibility.SHARED)


async def test_a_message_is_posted_to_a_thread_and_then_updated(
    bot: SlackBot, conversation: Conversation
) -> None:
    place = Place("slack", "T0001", "C0CHANNEL1", thread="1700000000.000100")
    message = await conversation.outbox.post(place, note("The poll opens at 9:30."))
    assert message is not None
    (posted,) = bot.slack.api_calls("chat.postMessage")
    assert posted.body["channel"] == "C0CHANNEL1"
    assert posted.body["thread_ts"] == "1700000000.000100"
    assert "The poll opens at 9:30." in shown_text(posted.body["blocks"])
    assert await conversation.outbox.update("slack", message, note("The poll is open."))
    (updated,) = bot.slack.api_calls("chat.update")
    assert (updated.body["channel"], updated.body["ts"]) == (message["channel"], message["ts"])
    assert "The poll is open." in shown_text(updated.body["blocks"])


async def test_a_private_note_is_a_direct_message(
    bot: SlackBot, conversation: Conversation
) -> None:
    person = Actor("slack", "T0001", "C0CHANNEL1", "U0REMIND")
    assert await conversation.outbox.notify(person, note("Reminder: vote today."))
    (sent,) = bot.slack.api_calls("chat.postMessage")
    assert sent.body["channel"] == "U0REMIND"
    assert "Reminder: vote today." in shown_text(sent.body["blocks"])


async def test_a_refused_post_says_so_and_an_update_without_a_reference_sends_nothing(
    bot: SlackBot, conversation: Conversation
) -> None:
    assert not await conversation.outbox.update("slack", {}, note("x"))
    assert not bot.slack.api_calls("chat.update")
    assert await conversation.outbox.post(Place("nowhere", "W", "C"), note("x")) is None
