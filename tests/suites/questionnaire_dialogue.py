"""The questionnaire as people use it: one question per step, back, restart, results."""

from __future__ import annotations

import asyncio

from bot.content import Content
from bot.conversation import Conversation
from bot.events import Actor, ButtonPress
from bot.replies import ChoiceStyle, Placement, Visibility
from bot.testing import Dialogue
from tests.answer_paths import (
    NO_ENGINEERS_NEEDS_IT_THIS_WEEK,
    PRIVACY_TEAM_WITH_ENGINEERS,
    REMOTE_TEAM_WITH_SENSITIVE_DATA,
    SMALL_SCHOOL_WITH_SENSITIVE_DATA,
)
from tests.wording import dimension, outcome, progress, recommendation

ACTOR = Actor("test", "W1", "C1", "U1", "Ada")


async def run_of(conversation: Conversation, actor: Actor = ACTOR) -> str:
    """The id of the person's current questionnaire run (its buttons carry it)."""
    state = await conversation.questionnaire.state(actor)
    assert state is not None and state.get("run"), state
    return str(state["run"])


def without_run(state: dict[str, object]) -> dict[str, object]:
    """``state`` without its run id (a random token), to compare the rest."""
    return {k: v for k, v in state.items() if k != "run"}


async def run_through(
    conversation: Conversation, answers: list[str], actor: Actor = ACTOR
) -> Dialogue:
    """Answer every question in turn: each step says exactly one thing, the next question."""
    content = conversation.content
    talk = Dialogue(conversation, actor)
    first = (await talk.command("start")).next_reply("quiz.question")
    assert progress(content, 1) in first.context
    for number, label in enumerate(answers, start=1):
        await talk.press(label)
        if number < len(answers):
            assert progress(content, number + 1) in talk.next_reply("quiz.question").context
    return talk.expect_replies("quiz.result").expect_no_more()


async def test_privacy_critical_team_with_engineers_gets_open_source(
    conversation: Conversation, content: Content
) -> None:
    talk = await run_through(conversation, PRIVACY_TEAM_WITH_ENGINEERS)
    talk.expect(recommendation(content, "open"), dimension(content, "privacy"))
    talk.expect(*outcome(content, "open").next_steps[:3], content.strings.tradeoff_title)
    assert talk.last.meta["outcome"] == "open"


async def test_team_without_engineers_needing_it_this_week_gets_closed_source(
    conversation: Conversation, content: Content
) -> None:
    talk = await run_through(conversation, NO_ENGINEERS_NEEDS_IT_THIS_WEEK)
    talk.expect(recommendation(content, "closed"), dimension(content, "reliability"))
    assert talk.last.meta["outcome"] == "closed"


async def test_small_school_with_sensitive_data_gets_hybrid(
    conversation: Conversation, content: Content
) -> None:
    talk = await run_through(conversation, SMALL_SCHOOL_WITH_SENSITIVE_DATA)
    talk.expect(recommendation(content, "hybrid"), *outcome(content, "hybrid").next_steps[:2])
    assert talk.last.meta["outcome"] == "hybrid"


async def test_remote_team_with_sensitive_data_and_little_staff_gets_hybrid(
    conversation: Conversation,
) -> None:
    talk = await run_through(conversation, REMOTE_TEAM_WITH_SENSITIVE_DATA)
    assert talk.last.meta["outcome"] == "hybrid"


async def test_result_names_two_to_four_deciding_dimensions_and_its_lean(
    conversation: Conversation, content: Content
) -> None:
    talk = await run_through(conversation, PRIVACY_TEAM_WITH_ENGINEERS)
    reasons = talk.last.sections[0]
    assert reasons.title == content.strings.reasons_title
    assert 2 <= len(reasons.lines) <= 4
    assert f"({content.questionnaire.strength_labels['strong']})" in talk.last.header


async def test_buttons_replace_the_question_in_place_and_stay_private(
    conversation: Conversation,
) -> None:
    talk = Dialogue(conversation, ACTOR)
    await talk.command("start")
    assert talk.last.visibility is Visibility.PRIVATE
    await talk.press("A small business")
    assert talk.last.placement is Placement.REPLACE


async def test_back_keeps_the_earlier_answer_marked_and_it_can_be_changed(
    conversation: Conversation,
) -> None:
    content = conversation.content
    talk = Dialogue(conversation, ACTOR)
    await talk.command("start")
    await talk.press("A small business")
    await talk.press("Our own engineers")
    talk.expect_replies("quiz.question", "quiz.question", "quiz.question")
    assert progress(content, 2) in (await talk.press("Back")).next_reply("quiz.question").context
    assert talk.button("Our own engineers").style is ChoiceStyle.PRIMARY
    (await talk.press("Nobody technical")).expect(progress(content, 3))
    talk.expect_replies("quiz.question").expect_no_more()
    state = await conversation.questionnaire.state(ACTOR)
    assert state is not None
    assert state["answers"] == {"team": "small_business", "skills": "none"}


async def test_changing_an_answer_from_the_result_changes_the_recommendation(
    conversation: Conversation,
) -> None:
    talk = await run_through(conversation, NO_ENGINEERS_NEEDS_IT_THIS_WEEK)
    before = await conversation.questionnaire.recommendation(ACTOR)
    assert before is not None and before.outcome == "closed"
    (await talk.press("Back")).expect(progress(conversation.content, 10))
    for step in range(9, 1, -1):
        (await talk.press("Back")).expect(progress(conversation.content, step))
    # The team has its own engineers after all; every other answer is kept, so the
    # next step is the result again.
    (await talk.press("Our own engineers")).expect_kind("quiz.result")
    after = await conversation.questionnaire.recommendation(ACTOR)
    assert after is not None

    def points(result: object, name: str) -> float:
        return next(c.points for c in result.contributions if c.name == name)  # type: ignore[attr-defined]

    reliability = dimension(conversation.content, "reliability")
    assert points(before, reliability) == -5.0
    assert points(after, reliability) == 0.0
    assert after.balance > before.balance


async def test_restart_clears_answers_and_old_buttons_then_say_expired(
    conversation: Conversation,
) -> None:
    talk = Dialogue(conversation, ACTOR)
    await talk.command("start")
    await talk.press("A small business")
    stale = talk.button("Our own engineers")
    (await talk.press("Start over")).expect(progress(conversation.content, 1))
    state = await conversation.questionnaire.state(ACTOR)
    assert state is not None and without_run(state) == {"answers": {}, "current": 0}
    await talk.command("restart")
    await conversation.store.delete("quiz", ACTOR.platform, ACTOR.workspace, ACTOR.user)
    (await talk.send(ButtonPress(ACTOR, stale.action, stale.value))).expect_kind("quiz.expired")


async def test_a_forged_answer_value_changes_nothing(conversation: Conversation) -> None:
    talk = Dialogue(conversation, ACTOR)
    (await talk.command("start")).expect_replies("quiz.question")
    run = await run_of(conversation)
    forged = ("team:no_such_option", "nope:small_business", "", ":", "team")
    forged += (f"{run}:0:no_such_option", f"{run}:nope:small_business", f"{run}:99:x")
    for value in forged:
        (await talk.send(ButtonPress(ACTOR, "quiz.answer", value))).expect_replies("quiz.expired")
    state = await conversation.questionnaire.state(ACTOR)
    assert state is not None and without_run(state) == {"answers": {}, "current": 0}


async def test_every_dimension_contribution_can_be_listed(conversation: Conversation) -> None:
    talk = await run_through(conversation, SMALL_SCHOOL_WITH_SENSITIVE_DATA)
    (await talk.press("Why?")).expect_replies("quiz.explain")
    table = talk.last.table
    assert table is not None
    names = {row[0] for row in table.rows}
    assert names == {d.name for d in conversation.content.comparison.dimensions}
    leans = {row[0]: row[2] for row in table.rows}
    strings = conversation.content.strings
    assert leans[dimension(conversation.content, "privacy")] == strings.lean_open
    assert leans[dimension(conversation.content, "reliability")] == strings.lean_closed


async def test_share_posts_a_short_summary_for_the_whole_channel(
    conversation: Conversation, content: Content
) -> None:
    talk = await run_through(conversation, PRIVACY_TEAM_WITH_ENGINEERS)
    share = (await talk.press("Share to channel")).next_reply("quiz.share")
    talk.expect(content.strings.shared_by.format(user="Ada")).expect_no_more()
    assert share.visibility is Visibility.SHARED


async def test_people_are_kept_apart(conversation: Conversation) -> None:
    ada, bob = (
        Dialogue(conversation, ACTOR),
        Dialogue(conversation, Actor("test", "W1", "C1", "U2")),
    )
    await ada.command("start")
    await bob.command("start")
    await ada.press("A small business")
    (await bob.press("A startup")).expect(progress(conversation.content, 2))
    ada_state = await conversation.questionnaire.state(ACTOR)
    assert ada_state is not None and ada_state["answers"] == {"team": "small_business"}


async def test_two_answers_arriving_at_once_are_both_kept(conversation: Conversation) -> None:
    talk = Dialogue(conversation, ACTOR)
    await talk.command("start")
    questions = conversation.content.questionnaire.questions
    run = await run_of(conversation)
    presses = [
        ButtonPress(ACTOR, "quiz.answer", f"{run}:{step}:{q.options[0].id}")
        for step, q in enumerate(questions)
    ]
    await asyncio.gather(*(conversation.handle(p) for p in presses))
    state = await conversation.questionnaire.state(ACTOR)
    assert state is not None
    assert state["answers"] == {q.id: q.options[0].id for q in questions}
