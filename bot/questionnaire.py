"""The questionnaire as a conversation: its state in Redis and the replies for each step.

State lives under ``quiz:<platform>:<workspace>:<user>`` as ``{"answers": {question id:
option id}, "current": index}`` where ``current`` equal to the number of questions means
the result is showing; ``"poll"`` names the team poll the result becomes a vote in (for an
anonymous poll only until that vote is cast, so nothing keeps a person beside the poll).
Every change goes through the store's compare-and-set update, so two quick presses never
lose an answer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from bot.content import Content, Question
from bot.events import Actor
from bot.replies import (
    Action,
    Choice,
    ChoiceStyle,
    Placement,
    Reply,
    ReplyKind,
    Section,
    Table,
    Visibility,
)
from bot.scoring import Contribution, Recommendation, score
from bot.store import StateStore

#: A hybrid whose balance is within this of zero leans on neither side.
HYBRID_EVEN_BAND = 0.05
#: A questionnaire left alone for a week starts over.
QUIZ_TTL_SECONDS = 7 * 24 * 3600

State = dict[str, Any]


class Questionnaire:
    """Runs the questionnaire for one person at a time, any number of people at once."""

    def __init__(self, content: Content, store: StateStore) -> None:
        self.content = content
        self.store = store
        self.questions = content.questionnaire.questions
        self._index = {q.id: i for i, q in enumerate(self.questions)}

    # --- state ------------------------------------------------------------------------

    @staticmethod
    def _key(actor: Actor) -> tuple[str, ...]:
        return ("quiz", actor.platform, actor.workspace, actor.user)

    async def state(self, actor: Actor) -> State | None:
        """The person's progress, or None when they have none."""
        value = await self.store.get_json(*self._key(actor))
        return value if isinstance(value, dict) else None

    def _next_step(self, answers: dict[str, str], after: int) -> int:
        """The first unanswered question after ``after``, else any, else the result."""
        order = list(range(after + 1, len(self.questions))) + list(range(after + 1))
        for index in order:
            if self.questions[index].id not in answers:
                return index
        return len(self.questions)

    # --- actions ----------------------------------------------------------------------

    async def start(
        self, actor: Actor, placement: Placement = Placement.NEW, poll: str | None = None
    ) -> Reply:
        """Begin (or begin again) at question one; ``poll`` makes the result a vote there."""
        fresh: State = {"answers": {}, "current": 0}
        if poll:
            fresh["poll"] = poll
        await self.store.put_json(*self._key(actor), value=fresh, ttl=QUIZ_TTL_SECONDS)
        return self.question_reply(0, {}, placement)

    async def answer(self, actor: Actor, value: str) -> Reply:
        """Record an answer given as ``question_id:option_id`` and move on."""
        question_id, _, option_id = value.partition(":")
        index = self._index.get(question_id)
        if index is None or option_id not in {o.id for o in self.questions[index].options}:
            return self.expired_reply()

        def change(current: Any) -> Any:
            if not isinstance(current, dict):
                return current  # expired or never started: leave it alone
            answers = dict(current.get("answers", {}))
            answers[question_id] = option_id
            return {**current, "answers": answers, "current": self._next_step(answers, index)}

        state = await self.store.update_json(*self._key(actor), change=change, ttl=QUIZ_TTL_SECONDS)
        if not isinstance(state, dict):
            return self.expired_reply()
        return self.step_reply(state, Placement.REPLACE)

    async def forget_poll(self, actor: Actor) -> None:
        """Drop the link from the person's questionnaire to the poll it was voting in."""
        state = await self.state(actor)
        if state is None or "poll" not in state:
            return

        def change(current: Any) -> Any:
            if not isinstance(current, dict) or "poll" not in current:
                return current
            return {k: v for k, v in current.items() if k != "poll"}

        await self.store.update_json(*self._key(actor), change=change, ttl=QUIZ_TTL_SECONDS)

    async def back(self, actor: Actor) -> Reply:
        """Go one question back, keeping every answer."""

        def change(current: Any) -> Any:
            if not isinstance(current, dict):
                return current
            return {**current, "current": max(0, int(current.get("current", 0)) - 1)}

        state = await self.store.update_json(*self._key(actor), change=change, ttl=QUIZ_TTL_SECONDS)
        if not isinstance(state, dict):
            return self.expired_reply()
        return self.step_reply(state, Placement.REPLACE)

    async def resume(self, actor: Actor) -> Reply:
        """Show wherever the person is now (or start them off)."""
        state = await self.state(actor)
        if state is None:
            return await self.start(actor)
        return self.step_reply(state, Placement.NEW)

    async def reask(self, actor: Actor, note: str) -> Reply:
        """Show where the person is again (their question, or the result), ``note`` first.

        For input that answered nothing (a number not on screen, "why" before the end):
        every answer is kept. Someone with no questionnaire gets question one.
        """
        state = await self.state(actor)
        reply = await self.start(actor) if state is None else self.step_reply(state, Placement.NEW)
        return dataclasses.replace(reply, text=f"{note}\n\n{reply.text}")

    async def show_result(self, actor: Actor) -> Reply:
        """Back from the explanation to the result (or wherever the person now is)."""
        state = await self.state(actor)
        if state is None:
            return self.expired_reply()
        return self.step_reply(state, Placement.REPLACE)

    async def poll_step(self, actor: Actor, poll_id: str) -> Reply | None:
        """The question the person is at in ``poll_id``'s questionnaire; None when they are
        not taking it (or have finished it: their result is then their vote)."""
        state = await self.state(actor)
        if state is None or state.get("poll") != poll_id:
            return None
        if len(state.get("answers", {})) >= len(self.questions):
            return None
        return self.step_reply(state, Placement.REPLACE)

    async def recommendation(self, actor: Actor) -> Recommendation | None:
        """The person's result, when every question is answered."""
        state = await self.state(actor)
        if state is None or len(state.get("answers", {})) < len(self.questions):
            return None
        return score(self.content, state["answers"])

    # --- replies ----------------------------------------------------------------------

    def step_reply(self, state: State, placement: Placement) -> Reply:
        """The question at ``state['current']``, or the result when all are answered."""
        answers: dict[str, str] = state.get("answers", {})
        current = int(state.get("current", 0))
        if current >= len(self.questions):
            if len(answers) < len(self.questions):
                current = self._next_step(answers, -1)
            else:
                result = self.result_reply(score(self.content, answers), placement)
                if state.get("poll"):
                    result.meta["poll"] = str(state["poll"])
                return result
        return self.question_reply(current, answers, placement)

    def question_reply(self, index: int, answers: dict[str, str], placement: Placement) -> Reply:
        """One question with its options as buttons, progress, back and restart."""
        strings = self.content.strings
        question: Question = self.questions[index]
        chosen = answers.get(question.id)
        choices = tuple(
            Choice(
                label=option.label,
                action=Action.QUIZ_ANSWER,
                value=f"{question.id}:{option.id}",
                style=ChoiceStyle.PRIMARY if option.id == chosen else ChoiceStyle.DEFAULT,
            )
            for option in question.options
        )
        controls = [Choice(strings.restart, Action.QUIZ_RESTART)]
        if index > 0:
            controls.insert(0, Choice(strings.back, Action.QUIZ_BACK))
        progress = strings.progress.format(step=index + 1, total=len(self.questions))
        return Reply(
            kind=ReplyKind.QUIZ_QUESTION,
            header=self.content.questionnaire.title,
            text=question.text,
            choices=choices,
            controls=tuple(controls),
            context=" · ".join(p for p in (progress, question.hint) if p),
            placement=placement,
            meta={
                "question": question.id,
                "step": str(index + 1),
                "total": str(len(self.questions)),
            },
        )

    def _reason(self, contribution: Contribution, answers: Mapping[str, str]) -> str:
        """One dimension's reason line, in the words that fit this team's answers."""
        dimension = self.content.dimension(contribution.dimension_id)
        side = "open" if contribution.points > 0 else "closed"
        fitting = (
            r.text
            for r in self.content.questionnaire.reasons
            if r.dimension == dimension.id and r.side == side and r.fits(answers)
        )
        default = dimension.open_reason if side == "open" else dimension.closed_reason
        return next(fitting, default)

    def _reasons(self, result: Recommendation) -> Section:
        """The deciding dimensions with a reason each; for a hybrid each side is named."""
        strings = self.content.strings
        questionnaire = self.content.questionnaire
        hybrid = result.outcome == "hybrid"
        lines = []
        for contribution in result.deciding:
            template = strings.reason_line
            if hybrid:
                open_side = contribution.points > 0
                template = strings.reason_open_side if open_side else strings.reason_closed_side
            lines.append(
                template.format(
                    name=contribution.name, reason=self._reason(contribution, result.answers)
                )
            )
        if result.capacity_decided:
            capacity = next(
                (c.text for c in questionnaire.capacity_reasons if c.fits(result.answers)), None
            )
            if capacity:
                lines.append(capacity)
        elif result.audience_decided:
            lines.append(questionnaire.audience_reason)
        title = strings.reasons_title_hybrid if hybrid else strings.reasons_title
        return Section(title, tuple(lines))

    def _header(self, result: Recommendation) -> str:
        questionnaire = self.content.questionnaire
        outcome = getattr(questionnaire.outcomes, result.outcome)
        strings = self.content.strings
        if result.outcome == "hybrid":
            # A hybrid's firmness says little; which side it leans on says what to expect.
            if result.balance >= HYBRID_EVEN_BAND:
                strength = strings.hybrid_lean_open
            elif result.balance <= -HYBRID_EVEN_BAND:
                strength = strings.hybrid_lean_closed
            else:
                strength = strings.hybrid_lean_even
        else:
            strength = questionnaire.strength_labels[result.strength]
        return strings.result_header.format(outcome=outcome.title, strength=strength)

    def result_reply(self, result: Recommendation, placement: Placement) -> Reply:
        """The recommendation: outcome and lean, deciding dimensions, trade-off, next steps."""
        strings = self.content.strings
        outcome = getattr(self.content.questionnaire.outcomes, result.outcome)
        return Reply(
            kind=ReplyKind.QUIZ_RESULT,
            header=self._header(result),
            text=outcome.summary_for(result.answers),
            sections=(
                self._reasons(result),
                Section(strings.tradeoff_title, (outcome.tradeoff,)),
                Section(
                    strings.next_steps_title,
                    tuple(
                        outcome.steps_for(
                            result.answers, self.content.questionnaire.scoring.max_steps
                        )
                    ),
                ),
            ),
            controls=(
                Choice(strings.share, Action.QUIZ_SHARE, style=ChoiceStyle.PRIMARY),
                Choice(strings.explain, Action.QUIZ_EXPLAIN),
                Choice(strings.back, Action.QUIZ_BACK),
                Choice(strings.restart, Action.QUIZ_RESTART),
            ),
            placement=placement,
            meta={"outcome": result.outcome, "strength": result.strength},
        )

    def explanation_reply(self, result: Recommendation) -> Reply:
        """Every dimension's contribution, as a table."""
        strings = self.content.strings

        def lean(points: float) -> str:
            if points > 0:
                return strings.lean_open
            return strings.lean_closed if points < 0 else strings.lean_neither

        rows = tuple(
            (c.name, f"{c.points:+g}" if c.points else "0", lean(c.points))
            for c in result.contributions
        )
        return Reply(
            kind=ReplyKind.QUIZ_EXPLAIN,
            header=strings.contributions_title,
            text=strings.contributions_text,
            table=Table(tuple(strings.contributions_columns), rows),
            controls=(Choice(strings.back, Action.QUIZ_RESULT),),
        )

    def share_reply(self, result: Recommendation, actor: Actor) -> Reply:
        """A short summary of the result for everyone in the channel."""
        outcome = getattr(self.content.questionnaire.outcomes, result.outcome)
        return Reply(
            kind=ReplyKind.QUIZ_SHARE,
            header=self._header(result),
            text=outcome.share,
            sections=(self._reasons(result),),
            context=self.content.strings.shared_by.format(user=actor.user_name or actor.user),
            visibility=Visibility.SHARED,
            shares=True,
        )

    def expired_reply(self) -> Reply:
        """What a press on a stale questionnaire button gets."""
        strings = self.content.strings
        return Reply(
            kind=ReplyKind.QUIZ_EXPIRED,
            text=strings.quiz_expired,
            choices=(Choice(strings.menu_quiz, Action.QUIZ_START, style=ChoiceStyle.PRIMARY),),
        )
