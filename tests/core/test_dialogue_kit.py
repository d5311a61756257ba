"""The dialogue kit itself: its strict checks take replies in order and fail when they should.

Each check is shown passing on a real conversation and failing (``AssertionError``) on the
reply it must not accept: another kind, an extra reply, a reply left unchecked.
"""

from __future__ import annotations

import pytest

from bot.content import Content
from bot.conversation import Conversation
from bot.events import Actor
from bot.testing import Dialogue

ADA = Actor("test", "W1", "C1", "U1", "Ada")


async def not_sure_in_the_team_poll(conversation: Conversation) -> Dialogue:
    """Ada starts the team poll and presses "Not sure": one press, two private replies."""
    talk = Dialogue(conversation, ADA)
    poll = (await talk.command("poll")).next_reply("poll")
    await conversation.polls.attach_message(poll.meta["poll"], {"ts": "1.0"})
    not_sure = next(
        o.label for o in conversation.content.polls.team_poll.options if o.runs_questionnaire
    )
    await talk.press(not_sure)
    return talk


async def test_next_reply_returns_the_oldest_unchecked_reply(
    conversation: Conversation, content: Content
) -> None:
    talk = await Dialogue(conversation, ADA).command("start")
    question = talk.next_reply("quiz.question")
    total = len(content.questionnaire.questions)
    assert content.strings.progress.format(step=1, total=total) in question.context
    talk.expect_no_more()


async def test_next_reply_fails_on_another_kind(conversation: Conversation) -> None:
    talk = await Dialogue(conversation, ADA).command("help")
    with pytest.raises(AssertionError, match=r"expected a quiz\.question reply, got - help"):
        talk.next_reply("quiz.question")


async def test_next_reply_fails_when_no_reply_is_left(conversation: Conversation) -> None:
    talk = await Dialogue(conversation, ADA).command("help")
    talk.next_reply("help")
    with pytest.raises(AssertionError, match="no reply is left"):
        talk.next_reply("help")


async def test_next_reply_takes_replies_in_the_order_they_came(
    conversation: Conversation,
) -> None:
    talk = await not_sure_in_the_team_poll(conversation)
    with pytest.raises(AssertionError, match=r"got - poll\.quiz"):
        talk.next_reply("quiz.question")  # poll.quiz came first


async def test_expect_replies_accepts_exactly_the_replies_in_order(
    conversation: Conversation,
) -> None:
    talk = await not_sure_in_the_team_poll(conversation)
    talk.expect_replies("poll.quiz", "quiz.question").expect_no_more()


async def test_expect_replies_fails_on_an_unexpected_extra_reply(
    conversation: Conversation,
) -> None:
    talk = await not_sure_in_the_team_poll(conversation)
    with pytest.raises(AssertionError, match=r"got \['poll\.quiz', 'quiz\.question'\]"):
        talk.expect_replies("poll.quiz")


async def test_expect_replies_fails_on_a_missing_or_reordered_reply(
    conversation: Conversation,
) -> None:
    talk = await not_sure_in_the_team_poll(conversation)
    with pytest.raises(AssertionError):
        talk.expect_replies("quiz.question", "poll.quiz")
    with pytest.raises(AssertionError):
        talk.expect_replies("poll.quiz", "quiz.question", "quiz.question")


async def test_expect_replies_counts_replies_left_from_earlier_events(
    conversation: Conversation,
) -> None:
    talk = Dialogue(conversation, ADA)
    await talk.command("help")
    await talk.command("start")
    with pytest.raises(AssertionError, match=r"got \['help', 'quiz\.question'\]"):
        talk.expect_replies("quiz.question")


async def test_expect_no_more_fails_while_a_reply_is_unchecked(
    conversation: Conversation,
) -> None:
    talk = await not_sure_in_the_team_poll(conversation)
    talk.next_reply("poll.quiz")
    with pytest.raises(AssertionError, match="unchecked replies left"):
        talk.expect_no_more()
    talk.next_reply("quiz.question")
    talk.expect_no_more()


async def test_the_lenient_checks_take_nothing(
    conversation: Conversation, content: Content
) -> None:
    talk = await Dialogue(conversation, ADA).command("help")
    talk.expect_kind("help").expect(content.strings.help_header)
    with pytest.raises(AssertionError, match="unchecked replies left"):
        talk.expect_no_more()
