"""Old cards never act on a newer run (issue 12 §2), driven through the real core.

Each press below is on a card shown earlier (its buttons kept, as a chat keeps the old
message): it gets the stale note and, as a new private reply, the step the person is at
now, and the person's questionnaire in Redis is byte for byte what it was.
"""

from __future__ import annotations

from typing import Any

from bot.content import Content
from bot.conversation import Conversation
from bot.events import Actor, ButtonPress, Command
from bot.replies import Choice, Placement, Reply, Tone, Visibility
from bot.testing import Dialogue
from tests.answer_paths import PRIVACY_TEAM_WITH_ENGINEERS
from tests.suites.questionnaire_dialogue import run_through
from tests.wording import progress

ACTOR = Actor("test", "W1", "C1", "U1", "Ada")
BOB = Actor("test", "W1", "C1", "U2", "Bob")


async def stored(conversation: Conversation, actor: Actor = ACTOR) -> dict[Any, Any]:
    """The person's questionnaire exactly as Redis holds it (data and version)."""
    store = conversation.store
    key = store.key("quiz", actor.platform, actor.workspace, actor.user)
    return dict(await store.client.hgetall(key))  # type: ignore[attr-defined]


def old(talk: Dialogue, label: str) -> Choice:
    """A button of the card showing now, kept to press after the person moves on."""
    return talk.button(label)


async def press_old(talk: Dialogue, choice: Choice) -> Reply:
    """Press a kept button: the stale note, then where the person is now; returns that."""
    await talk.send(ButtonPress(talk.actor, choice.action, choice.value))
    note = talk.next_reply("quiz.stale")
    assert note.text == talk.conversation.content.strings.quiz_stale
    assert note.tone is Tone.INFO and note.visibility is Visibility.PRIVATE
    now = talk.unchecked[0]
    assert now.placement is Placement.NEW and now.visibility is Visibility.PRIVATE
    return now


async def test_why_on_the_old_result_card_shows_the_new_runs_question_changing_nothing(
    conversation: Conversation, content: Content
) -> None:
    talk = await run_through(conversation, PRIVACY_TEAM_WITH_ENGINEERS)
    why, back, share = old(talk, "Why?"), old(talk, "Back"), old(talk, "Share to channel")
    (await talk.say("start")).expect_replies("quiz.question")
    (await talk.press("large organisation")).expect_replies("quiz.question")
    before = await stored(conversation)
    for button in (why, share):
        now = await press_old(talk, button)
        talk.expect_replies("quiz.question").expect_no_more()
        assert progress(content, 2) in now.context  # where the new run is, not its Q2 as an answer
        assert await stored(conversation) == before
    now = await press_old(talk, back)
    talk.expect_replies("quiz.question").expect_no_more()
    assert progress(content, 2) in now.context
    assert await stored(conversation) == before


async def test_back_on_the_old_result_card_leaves_the_new_run_where_it_is(
    conversation: Conversation, content: Content
) -> None:
    talk = await run_through(conversation, PRIVACY_TEAM_WITH_ENGINEERS)
    back = old(talk, "Back")
    (await talk.say("start")).expect_replies("quiz.question")
    before = await stored(conversation)
    now = await press_old(talk, back)
    talk.expect_replies("quiz.question").expect_no_more()
    assert progress(content, 1) in now.context
    assert await stored(conversation) == before
    # The new run's own card still works: its first answer counts.
    (await talk.press("large organisation")).expect_replies("quiz.question")
    state = await conversation.questionnaire.state(ACTOR)
    assert state is not None and state["answers"] == {"team": "enterprise"}


async def test_answers_on_an_old_question_card_never_go_into_the_new_run(
    conversation: Conversation, content: Content
) -> None:
    talk = Dialogue(conversation, ACTOR)
    (await talk.say("start")).expect_replies("quiz.question")
    for label in PRIVACY_TEAM_WITH_ENGINEERS[:2]:
        (await talk.press(label)).expect_replies("quiz.question")
    third = talk.buttons  # question 3 of the first run
    assert progress(content, 3) in talk.last.context
    (await talk.say("start")).expect_replies("quiz.question")
    before = await stored(conversation)
    # Keep answering on the old card, every option and its Back, as the issue did ten times over.
    for choice in [*third, *third]:
        if choice.action == "quiz.restart":
            continue
        now = await press_old(talk, choice)
        talk.expect_replies("quiz.question").expect_no_more()
        assert progress(content, 1) in now.context
        assert await stored(conversation) == before
    state = await conversation.questionnaire.state(ACTOR)
    assert state is not None and state["answers"] == {} and state["current"] == 0


async def test_an_answered_step_of_the_same_run_is_stale_too(
    conversation: Conversation, content: Content
) -> None:
    talk = Dialogue(conversation, ACTOR)
    (await talk.say("start")).expect_replies("quiz.question")
    first = talk.button("A startup")
    (await talk.press("large organisation")).expect_replies("quiz.question")
    second_back = talk.button("Back")
    (await talk.press("Our own engineers")).expect_replies("quiz.question")
    before = await stored(conversation)
    for choice in (first, second_back):
        now = await press_old(talk, choice)
        talk.expect_replies("quiz.question").expect_no_more()
        assert progress(content, 3) in now.context
        assert await stored(conversation) == before
    state = await conversation.questionnaire.state(ACTOR)
    assert state is not None and state["answers"]["team"] == "enterprise"


async def test_a_card_from_before_runs_had_ids_is_stale_but_start_still_works(
    conversation: Conversation, content: Content
) -> None:
    talk = Dialogue(conversation, ACTOR)
    (await talk.say("start")).expect_replies("quiz.question")
    (await talk.press("large organisation")).expect_replies("quiz.question")
    before = await stored(conversation)
    for action, value in [
        ("quiz.answer", "team:startup"),  # the old form: question id and option id
        ("quiz.answer", "skills:engineers"),
        ("quiz.back", ""),
        ("quiz.explain", ""),
        ("quiz.share", ""),
        ("quiz.result", ""),
    ]:
        now = await press_old(talk, Choice("old", action, value))
        talk.expect_replies("quiz.question").expect_no_more()
        assert progress(content, 2) in now.context
        assert await stored(conversation) == before
    (await talk.send(ButtonPress(ACTOR, "quiz.restart", ""))).expect_replies("quiz.question")
    (await talk.send(ButtonPress(ACTOR, "quiz.start", ""))).expect_replies("quiz.question")
    assert await stored(conversation) != before


async def test_a_questionnaire_stored_before_runs_had_ids_gets_one_on_its_first_press(
    conversation: Conversation, content: Content
) -> None:
    """Progress saved by the previous version keeps its answers; its next press shows
    where it is with buttons that work from then on."""
    questions = content.questionnaire.questions
    legacy = {"answers": {"team": "enterprise"}, "current": 1}
    await conversation.store.put_json(
        "quiz", ACTOR.platform, ACTOR.workspace, ACTOR.user, value=legacy, ttl=60
    )
    talk = Dialogue(conversation, ACTOR)
    now = await press_old(talk, Choice("old", "quiz.answer", f"{questions[1].id}:engineers"))
    talk.expect_replies("quiz.question").expect_no_more()
    assert progress(content, 2) in now.context
    state = await conversation.questionnaire.state(ACTOR)
    assert state is not None and state["answers"] == {"team": "enterprise"} and state["run"]
    (await talk.press("Our own engineers")).expect_replies("quiz.question")
    state = await conversation.questionnaire.state(ACTOR)
    assert state is not None and state["answers"] == {"team": "enterprise", "skills": "engineers"}


async def test_a_typed_back_and_why_act_on_the_current_run(
    conversation: Conversation, content: Content
) -> None:
    """Typed words carry no card: they always mean where the person is now."""
    talk = Dialogue(conversation, ACTOR)
    (await talk.say("start")).expect_replies("quiz.question")
    (await talk.press("large organisation")).expect_replies("quiz.question")
    (await talk.say("back")).expect_replies("quiz.question")
    assert progress(content, 1) in talk.last.context
    (await talk.say("why")).expect_replies("quiz.question")
    assert content.strings.explain_later in talk.last.text


async def test_a_vote_on_an_old_message_of_a_poll_that_is_gone_changes_nothing(
    conversation: Conversation, content: Content
) -> None:
    """Poll buttons carry their poll's id: a press on a message whose poll was closed
    says so (tests/core/test_polls.py), and one whose poll is gone says it cannot find it."""
    [poll] = await conversation.handle(Command(ACTOR, "poll", '"Q?" "Yes" "No"'))
    assert poll.kind == "poll", poll.text
    poll_id = poll.meta["poll"]
    await conversation.store.delete("poll", "{" + poll_id + "}", "meta")
    for label in ("Yes", "Close poll"):
        choice = next(c for c in (*poll.choices, *poll.controls) if c.label.startswith(label))
        assert choice.value.partition(":")[0] == poll_id  # the button names its poll
        [missing] = await conversation.handle(ButtonPress(BOB, choice.action, choice.value))
        assert missing.kind == "poll.missing" and missing.visibility is Visibility.PRIVATE
        assert missing.text == content.polls.messages.poll_missing
    assert await conversation.polls.polls.meta(poll_id) is None
