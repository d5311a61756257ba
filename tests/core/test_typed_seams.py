"""The typed seam between the core and its front ends: every button carries a known
:class:`Action`, an unknown one gets the friendly answer, lifecycle events are answered by
the core, and what a front end acts on travels in a :class:`Reply` field."""

from __future__ import annotations

from bot.content import Content
from bot.conversation import Conversation
from bot.events import Actor, ButtonPress, Command, HomeOpened, Installed
from bot.replies import Action, Reply, ReplyKind, Tone
from bot.testing import Dialogue

PERSON = Actor("test", "W1", "C1", "U0001", "Maya")
OTHER = Actor("test", "W1", "C1", "U0002", "Omar")


def actions_on(replies: list[Reply]) -> set[str]:
    return {str(c.action) for r in replies for c in (*r.choices, *r.controls)}


async def test_every_button_the_core_shows_carries_a_known_action(
    conversation: Conversation, content: Content
) -> None:
    # A front end registers one handler per Action (Slack's matchers): a button outside
    # the enum would reach the "no longer known" answer instead of its feature.
    talk = Dialogue(conversation, PERSON)
    seen: set[str] = set()
    for command in ("menu", "help", "compare", "ask"):
        seen |= actions_on((await talk.command(command, "is open source cheaper?")).replies)
    seen |= actions_on((await talk.say("privacy")).replies)
    await talk.command("start")
    while talk.last.kind == ReplyKind.QUIZ_QUESTION:
        seen |= actions_on(talk.replies)
        await talk.send(ButtonPress(PERSON, talk.buttons[0].action, talk.buttons[0].value))
    seen |= actions_on(talk.replies)
    seen |= actions_on((await talk.press(content.strings.explain)).replies)
    poll = await conversation.handle(Command(PERSON, "poll", '"Lunch?" "Pizza" "Salad"'))
    seen |= actions_on(poll)
    unknown = {action for action in seen if Action.parse(action) is None}
    assert unknown == set()
    assert {"quiz.answer", "quiz.share", "poll.vote", "faq.feedback"} <= seen


async def test_an_unknown_action_gets_the_friendly_answer(
    conversation: Conversation, content: Content
) -> None:
    assert Action.parse("quiz.retired") is None
    [reply] = await conversation.handle(ButtonPress(PERSON, "quiz.retired", "x"))
    assert reply.kind == ReplyKind.MENU
    assert content.strings.unknown_action in reply.text


async def test_home_opened_and_installed_are_answered_by_the_core(
    conversation: Conversation, content: Content
) -> None:
    for event in (HomeOpened(PERSON), Installed(PERSON)):
        [reply] = await conversation.handle(event)
        assert reply.header == content.strings.menu_header
        assert Action.QUIZ_START in {c.action for c in reply.choices}


async def test_what_front_ends_act_on_is_in_reply_fields(
    conversation: Conversation, content: Content
) -> None:
    messages = content.polls.messages
    [poll] = await conversation.handle(Command(PERSON, "poll", '"Lunch?" "Pizza" "Salad"'))
    assert poll.new_poll and poll.new_poll == poll.meta["poll"]
    assert poll.not_posted is not None and poll.not_posted.text == messages.post_failed
    await conversation.polls.attach_message(poll.new_poll, {"ts": "1.0"})
    pizza = next(c for c in poll.choices if c.label == "Pizza")
    [voted] = await conversation.handle(ButtonPress(OTHER, pizza.action, pizza.value))
    assert voted.tone is Tone.SUCCESS and not voted.new_poll
    export = next(c for c in poll.controls if c.action == Action.POLL_EXPORT)
    [refused] = await conversation.handle(ButtonPress(OTHER, export.action, export.value))
    assert refused.tone is Tone.ERROR
    [csv] = await conversation.handle(ButtonPress(PERSON, export.action, export.value))
    assert csv.attachment is not None and csv.delivered_note is not None
    assert csv.delivered_note.text == messages.export_sent

    talk = Dialogue(conversation, PERSON)
    await talk.command("start")
    while talk.last.kind == ReplyKind.QUIZ_QUESTION:
        await talk.send(ButtonPress(PERSON, talk.buttons[0].action, talk.buttons[0].value))
    assert not talk.last.shares
    await talk.press(content.strings.share)
    assert talk.last.kind == ReplyKind.QUIZ_SHARE and talk.last.shares
