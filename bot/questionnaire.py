"""The questionnaire as a conversation: its state in Redis and the replies for each step.

State lives under ``quiz:<platform>:<workspace>:<user>`` as ``{"run": token, "answers":
{question id: option id}, "current": index}`` where ``current`` equal to the number of
questions means the result is showing; ``"poll"`` names the team poll the result becomes a
vote in (for an anonymous poll only until that vote is cast, so nothing keeps a person
beside the poll). Every change goes through the store's compare-and-set update, so two
quick presses never lose an answer.

Each run (each start) gets a short random ``run`` token, and every button a run shows
carries it with the step it belongs to (an answer ``<run>:<step>:<option>``, Back
``<run>:<step>``, Why?/Share/back-to-result ``<run>``). A press from an earlier run, or a
Back or an already-answered question from an earlier step, is stale (:meth:`Questionnaire.
stale_press`): it changes nothing and gets a note with where the person is now.
"""

from __future__ import annotations

import dataclasses
import secrets
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
    Tone,
    Visibility,
)
from bot.scoring import Contribution, Recommendation, score
from bot.store import StateStore

#: A hybrid whose balance is within this of zero leans on neither side.
HYBRID_EVEN_BAND = 0.05
#: A questionnaire left alone for a week starts over.
QUIZ_TTL_SECONDS = 7 * 24 * 3600
#: Random bytes in a run's id: 8 URL-safe characters, short in every button value.
RUN_ID_BYTES = 6
#: The longest step number a button value can carry (a forged one is refused unread).
MAX_STEP_DIGITS = 3

State = dict[str, Any]


@dataclasses.dataclass(frozen=True, slots=True)
class QuizPress:
    """What a questionnaire button's value says: the run, the step (if any) and the rest."""

    run: str
    step: int | None
    option: str

    @classmethod
    def parse(cls, value: str) -> QuizPress:
        """``<run>[:<step>[:<option>]]``; a value from before runs had ids has no run."""
        run, _, rest = value.partition(":")
        step_text, _, option = rest.partition(":")
        digits = step_text.isdecimal() and len(step_text) <= MAX_STEP_DIGITS
        return cls(run, int(step_text) if digits else None, option)


class _StalePress(Exception):
    """Raised inside a compare-and-set change to leave the state unwritten: the press was
    from an earlier run or step. Carries the state as it is."""

    def __init__(self, state: State) -> None:
        super().__init__("stale questionnaire press")
        self.state = state


def new_run_id() -> str:
    """A fresh run id (no ``:``, so it never splits a button value)."""
    return secrets.token_urlsafe(RUN_ID_BYTES)


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
        fresh: State = {"run": new_run_id(), "answers": {}, "current": 0}
        if poll:
            fresh["poll"] = poll
        await self.store.put_json(*self._key(actor), value=fresh, ttl=QUIZ_TTL_SECONDS)
        return self.question_reply(0, {}, placement, run=fresh["run"])

    async def answer(self, actor: Actor, value: str) -> list[Reply]:
        """Record an answer given as ``<run>:<step>:<option id>`` and move on.

        One reply, the next step, when it counts; the stale note and where the person is
        now when the button is from an earlier run or an answered earlier step.
        """
        press = QuizPress.parse(value)
        if press.step is None:
            # ``question:option`` is a card from before runs had ids; anything else is forged.
            if not self._is_answer(*value.partition(":")[::2]):
                return [self.expired_reply()]
            before = await self.state(actor)
            return await self.stale_press(actor, before) if before else [self.expired_reply()]
        index = press.step
        if index >= len(self.questions):
            return [self.expired_reply()]
        question = self.questions[index]
        if not self._is_answer(question.id, press.option):
            return [self.expired_reply()]

        def change(current: Any) -> Any:
            if not isinstance(current, dict):
                return current  # expired or never started: leave it alone
            if not self._answers_now(current, press):
                raise _StalePress(current)  # nothing is written
            answers = dict(current.get("answers", {}))
            answers[question.id] = press.option
            return {**current, "answers": answers, "current": self._next_step(answers, index)}

        try:
            state = await self.store.update_json(
                *self._key(actor), change=change, ttl=QUIZ_TTL_SECONDS
            )
        except _StalePress as stale:
            return await self.stale_press(actor, stale.state)
        if not isinstance(state, dict):
            return [self.expired_reply()]
        return [self.step_reply(state, Placement.REPLACE)]

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

    async def back(self, actor: Actor, value: str | None = None) -> list[Reply]:
        """Go one question back, keeping every answer.

        ``value`` is the pressed Back button's ``<run>:<step>``: it only counts on the step
        showing now. A typed ``back`` (None) always acts on where the person is.
        """
        press = None if value is None else QuizPress.parse(value)

        def change(current: Any) -> Any:
            if not isinstance(current, dict):
                return current
            if press is not None and not self._at_step(current, press):
                raise _StalePress(current)  # nothing is written
            return {**current, "current": max(0, int(current.get("current", 0)) - 1)}

        try:
            state = await self.store.update_json(
                *self._key(actor), change=change, ttl=QUIZ_TTL_SECONDS
            )
        except _StalePress as stale:
            return await self.stale_press(actor, stale.state)
        if not isinstance(state, dict):
            return [self.expired_reply()]
        return [self.step_reply(state, Placement.REPLACE)]

    # --- stale presses ----------------------------------------------------------------

    def _is_answer(self, question_id: str, option_id: str) -> bool:
        """``option_id`` is one of question ``question_id``'s options."""
        index = self._index.get(question_id)
        return index is not None and option_id in {o.id for o in self.questions[index].options}

    @staticmethod
    def _same_run(state: State, press: QuizPress) -> bool:
        return bool(press.run) and state.get("run") == press.run

    def _shown_step(self, state: State) -> int:
        """The step :meth:`step_reply` shows for ``state`` (the result is ``len(questions)``)."""
        answers: dict[str, str] = state.get("answers", {})
        current = int(state.get("current", 0))
        if current >= len(self.questions) and len(answers) < len(self.questions):
            return self._next_step(answers, -1)
        return current

    def _at_step(self, state: State, press: QuizPress) -> bool:
        """The press is from this run and from the step showing now."""
        return self._same_run(state, press) and press.step == self._shown_step(state)

    def _answers_now(self, state: State, press: QuizPress) -> bool:
        """An answer counts when it is from this run and for the question showing now, or
        for one not yet answered in this run (it answers just what its card asks)."""
        if not self._same_run(state, press) or press.step is None:
            return False
        question = self.questions[press.step]
        return press.step == self._shown_step(state) or question.id not in state.get("answers", {})

    async def check_run(self, actor: Actor, value: str) -> list[Reply] | None:
        """None when a result button's ``<run>`` is the person's current run; else what
        the press gets instead (the stale note and where they are, or "expired")."""
        state = await self.state(actor)
        if state is None:
            return [self.expired_reply()]
        if self._same_run(state, QuizPress.parse(value)):
            return None
        return await self.stale_press(actor, state)

    async def stale_press(self, actor: Actor, state: State) -> list[Reply]:
        """A press from an earlier run or step: a short private note, then where the person
        is now as a new private reply. Nothing changes, except that a questionnaire begun
        before runs had ids gets one, so its buttons work from now on."""
        if not state.get("run"):
            state = await self._give_run(actor)
            if not state:
                return [self.expired_reply()]
        note = Reply(
            kind=ReplyKind.QUIZ_STALE, text=self.content.strings.quiz_stale, tone=Tone.INFO
        )
        return [note, self.step_reply(state, Placement.NEW)]

    async def _give_run(self, actor: Actor) -> State:
        """Add a run id to a questionnaire stored before runs had them (once)."""

        def change(current: Any) -> Any:
            if not isinstance(current, dict) or current.get("run"):
                return current
            return {**current, "run": new_run_id()}

        state = await self.store.update_json(*self._key(actor), change=change, ttl=QUIZ_TTL_SECONDS)
        return state if isinstance(state, dict) else {}

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

    async def explanation(self, actor: Actor) -> Reply | None:
        """The Why? table of the person's result; None before every question is answered."""
        state = await self.state(actor)
        if state is None or len(state.get("answers", {})) < len(self.questions):
            return None
        result = score(self.content, state["answers"])
        return self.explanation_reply(result, str(state.get("run", "")))

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
        run = str(state.get("run", ""))
        current = self._shown_step(state)
        if current >= len(self.questions):
            result = self.result_reply(score(self.content, answers), placement, run=run)
            if state.get("poll"):
                result.meta["poll"] = str(state["poll"])
            return result
        return self.question_reply(current, answers, placement, run=run)

    def question_reply(
        self, index: int, answers: dict[str, str], placement: Placement, *, run: str = ""
    ) -> Reply:
        """One question with its options as buttons, progress, back and restart; every
        button but restart carries ``run`` and the step."""
        strings = self.content.strings
        question: Question = self.questions[index]
        chosen = answers.get(question.id)
        choices = tuple(
            Choice(
                label=option.label,
                action=Action.QUIZ_ANSWER,
                value=f"{run}:{index}:{option.id}",
                style=ChoiceStyle.PRIMARY if option.id == chosen else ChoiceStyle.DEFAULT,
            )
            for option in question.options
        )
        controls = [Choice(strings.restart, Action.QUIZ_RESTART)]
        if index > 0:
            controls.insert(0, Choice(strings.back, Action.QUIZ_BACK, f"{run}:{index}"))
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

    def result_reply(self, result: Recommendation, placement: Placement, *, run: str = "") -> Reply:
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
                Choice(strings.share, Action.QUIZ_SHARE, run, style=ChoiceStyle.PRIMARY),
                Choice(strings.explain, Action.QUIZ_EXPLAIN, run),
                Choice(strings.back, Action.QUIZ_BACK, f"{run}:{len(self.questions)}"),
                Choice(strings.restart, Action.QUIZ_RESTART),
            ),
            placement=placement,
            meta={"outcome": result.outcome, "strength": result.strength},
        )

    def explanation_reply(self, result: Recommendation, run: str = "") -> Reply:
        """Every dimension's contribution, as a table; its Back carries ``run``."""
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
            controls=(Choice(strings.back, Action.QUIZ_RESULT, run),),
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
