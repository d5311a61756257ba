"""Poll reminders in the core: the ``--remind-in`` flag, and a platform with no roster."""

from __future__ import annotations

import time

from bot.content import Content
from bot.conversation import Conversation
from bot.events import Actor, ButtonPress, Command
from bot.poll_command import PollInputError, parse_poll

CREATOR = Actor("test", "W1", "C1", "UMGR", "Maya")


def test_remind_in_is_read_like_a_duration_and_must_come_before_the_deadline(
    content: Content,
) -> None:
    polls, now = content.polls, time.time()
    spec = parse_poll('"Go?" "Yes" "No" --closes-in 3d --remind-in 1d', polls, now)
    assert spec.remind_at == now + 86400 and spec.deadline == now + 3 * 86400
    assert parse_poll('"Go?" "Yes" "No"', polls, now).remind_at is None
    for text, problem in (
        ("--remind-in 3d --closes-in 3d", polls.messages.remind_after_close),
        ("--remind-in 0h", polls.messages.unreadable_duration.format(value="0h")),
        ("--remind-in 91d", polls.messages.duration_too_long.format(days=90)),
    ):
        try:
            parse_poll(f'"Go?" "Yes" "No" {text}', polls, now)
        except PollInputError as error:
            assert str(error) == problem, text
        else:
            raise AssertionError(f"{text} was accepted")


async def test_remind_where_the_platform_cannot_list_members_says_so(
    conversation: Conversation, content: Content
) -> None:
    (poll,) = await conversation.handle(Command(CREATOR, "poll", '"Go?" "Yes" "No"'))
    remind = next(c for c in poll.controls if c.action == "poll.remind")
    assert remind.label == content.polls.messages.remind_button
    (answer,) = await conversation.handle(ButtonPress(CREATOR, remind.action, remind.value))
    assert answer.text == content.polls.messages.remind_unavailable
