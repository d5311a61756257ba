"""The questionnaire as people use it: one question per step, back, restart, results."""

from __future__ import annotations

import asyncio

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

ACTOR = Actor("test", "W1", "C1", "U1", "Ada")


async def run_through(
    conversation: Conversation, answers: list[str], actor: Actor = ACTOR
) -> Dialogue:
    talk = Dialogue(conversation, actor)
    (await talk.command("start")).expect_kind("quiz.question").expect("Question 1 of 10")
    for number, label in enumerate(answers, start=1):
        await talk.press(label)
        if number < len(answers):
            talk.expect(f"Question {number + 1} of 10")
    return talk.expect_kind("quiz.result")


async def test_privacy_critical_team_with_engineers_gets_open_source(
    conversation: Conversation,
) -> None:
    talk = await run_through(conversation, PRIVACY_TEAM_WITH_ENGINEERS)
    talk.expect("Recommendation: Open source", "Security & privacy", "Hugging Face Transformers")
    talk.expect("LangChain", "OpenMMLab", "The trade-off to watch")
    assert talk.last.meta["outcome"] == "open"


async def test_team_without_engineers_needing_it_this_week_gets_closed_source(
    conversation: Conversation,
) -> None:
    talk = await run_through(conversation, NO_ENGINEERS_NEEDS_IT_THIS_WEEK)
    talk.expect("Recommendation: Closed source", "Reliability & maintenance")
    assert talk.last.meta["outcome"] == "closed"


async def test_small_school_with_sensitive_data_gets_hybrid(conversation: Conversation) -> None:
    talk = await run_through(conversation, SMALL_SCHOOL_WITH_SENSITIVE_DATA)
    talk.expect("Recommendation: Hybrid", "Keep on the closed side", "Keep on the open side")
    assert talk.last.meta["outcome"] == "hybrid"


async def test_remote_team_with_sensitive_data_and_little_staff_gets_hybrid(
    conversation: Conversation,
) -> None:
    talk = await run_through(conversation, REMOTE_TEAM_WITH_SENSITIVE_DATA)
    assert talk.last.meta["outcome"] == "hybrid"


async def test_result_names_two_to_four_deciding_dimensions_and_its_lean(
    conversation: Conversation,
) -> None:
    talk = await run_through(conversation, PRIVACY_TEAM_WITH_ENGINEERS)
    reasons = talk.last.sections[0]
    assert reasons.title == "What decided it"
    assert 2 <= len(reasons.lines) <= 4
    assert "(a strong lean)" in talk.last.header


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
    talk = Dialogue(conversation, ACTOR)
    await talk.command("start")
    await talk.press("A small business")
    await talk.press("Our own engineers")
    (await talk.press("Back")).expect("Question 2 of 10")
    assert talk.button("Our own engineers").style is ChoiceStyle.PRIMARY
    (await talk.press("Nobody technical")).expect("Question 3 of 10")
    state = await conversation.questionnaire.state(ACTOR)
    assert state is not None
    assert state["answers"] == {"team": "small_business", "skills": "none"}


async def test_changing_an_answer_from_the_result_changes_the_recommendation(
    conversation: Conversation,
) -> None:
    talk = await run_through(conversation, NO_ENGINEERS_NEEDS_IT_THIS_WEEK)
    before = await conversation.questionnaire.recommendation(ACTOR)
    assert before is not None and before.outcome == "closed"
    (await talk.press("Back")).expect("Question 10 of 10")
    for step in range(9, 1, -1):
        (await talk.press("Back")).expect(f"Question {step} of 10")
    # The team has its own engineers after all; every other answer is kept, so the
    # next step is the result again.
    (await talk.press("Our own engineers")).expect_kind("quiz.result")
    after = await conversation.questionnaire.recommendation(ACTOR)
    assert after is not None

    def points(result: object, name: str) -> float:
        return next(c.points for c in result.contributions if c.name == name)  # type: ignore[attr-defined]

    assert points(before, "Reliability & maintenance") == -5.0
    assert points(after, "Reliability & maintenance") == 0.0
    assert after.balance > before.balance


async def test_restart_clears_answers_and_old_buttons_then_say_expired(
    conversation: Conversation,
) -> None:
    talk = Dialogue(conversation, ACTOR)
    await talk.command("start")
    await talk.press("A small business")
    stale = talk.button("Our own engineers")
    (await talk.press("Start over")).expect("Question 1 of 10")
    state = await conversation.questionnaire.state(ACTOR)
    assert state == {"answers": {}, "current": 0}
    await talk.command("restart")
    await conversation.store.delete("quiz", ACTOR.platform, ACTOR.workspace, ACTOR.user)
    (await talk.send(ButtonPress(ACTOR, stale.action, stale.value))).expect_kind("quiz.expired")


async def test_a_forged_answer_value_changes_nothing(conversation: Conversation) -> None:
    talk = Dialogue(conversation, ACTOR)
    await talk.command("start")
    for value in ("team:no_such_option", "nope:small_business", "", ":", "team"):
        (await talk.send(ButtonPress(ACTOR, "quiz.answer", value))).expect_kind("quiz.expired")
    assert await conversation.questionnaire.state(ACTOR) == {"answers": {}, "current": 0}


async def test_every_dimension_contribution_can_be_listed(conversation: Conversation) -> None:
    talk = await run_through(conversation, SMALL_SCHOOL_WITH_SENSITIVE_DATA)
    (await talk.press("Why?")).expect_kind("quiz.explain")
    table = talk.last.table
    assert table is not None
    names = {row[0] for row in table.rows}
    assert names == {d.name for d in conversation.content.comparison.dimensions}
    leans = {row[0]: row[2] for row in table.rows}
    assert leans["Security & privacy"] == "open"
    assert leans["Reliability & maintenance"] == "closed"


async def test_share_posts_a_short_summary_for_the_whole_channel(
    conversation: Conversation,
) -> None:
    talk = await run_through(conversation, PRIVACY_TEAM_WITH_ENGINEERS)
    (await talk.press("Share to channel")).expect_kind("quiz.share").expect("Shared by Ada")
    assert talk.last.visibility is Visibility.SHARED


async def test_people_are_kept_apart(conversation: Conversation) -> None:
    ada, bob = (
        Dialogue(conversation, ACTOR),
        Dialogue(conversation, Actor("test", "W1", "C1", "U2")),
    )
    await ada.command("start")
    await bob.command("start")
    await ada.press("A small business")
    (await bob.press("A startup")).expect("Question 2 of 10")
    ada_state = await conversation.questionnaire.state(ACTOR)
    assert ada_state is not None and ada_state["answers"] == {"team": "small_business"}


async def test_two_answers_arriving_at_once_are_both_kept(conversation: Conversation) -> None:
    talk = Dialogue(conversation, ACTOR)
    await talk.command("start")
    questions = conversation.content.questionnaire.questions
    presses = [ButtonPress(ACTOR, "quiz.answer", f"{q.id}:{q.options[0].id}") for q in questions]
    await asyncio.gather(*(conversation.handle(p) for p in presses))
    state = await conversation.questionnaire.state(ACTOR)
    assert state is not None
    assert state["answers"] == {q.id: q.options[0].id for q in questions}
