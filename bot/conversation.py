"""The conversation engine: one neutral event in, the replies to show out.

Every front end calls :meth:`Conversation.handle`. It routes commands, button presses and
free text to the menu, the questionnaire and the FAQ, and it never lets a failure reach
the person as a traceback: Redis being away becomes one friendly line, anything else a
short apology, and both are logged.
"""

from __future__ import annotations

import logging

from bot.content import Content
from bot.events import Actor, ButtonPress, Command, Event, HomeOpened, Installed, Message
from bot.experts import ExpertDesk
from bot.faq import FaqDesk
from bot.faq_text import normalise
from bot.limits import MAX_ROUTED_CHARS, too_long
from bot.metrics import ERRORS, FAQ_QUESTIONS
from bot.outbound import Outbox
from bot.people import Directory
from bot.polls import PollService
from bot.questionnaire import Questionnaire
from bot.replies import (
    Action,
    Choice,
    ChoiceStyle,
    Placement,
    Reply,
    ReplyKind,
    Section,
    Table,
)
from bot.roster import Rosters
from bot.store import StateStore, StoreUnavailable

log = logging.getLogger(__name__)

_FAQ_OUTCOMES: dict[str, str] = {
    ReplyKind.FAQ_ANSWER: "answered",
    ReplyKind.FAQ_UNSURE: "suggested",
    ReplyKind.FAQ_UNKNOWN: "unknown",
    ReplyKind.FAQ_LEARNED: "learned",
}
#: The presses an expert makes on a ticket's card (or its answer form).
_EXPERT_ACTIONS = {
    Action.EXPERT_ANSWER,
    Action.EXPERT_SUBMIT,
    Action.EXPERT_ASSIGN,
    Action.EXPERT_CLOSE,
    Action.EXPERT_SAME,
    Action.EXPERT_PHRASING,
    Action.EXPERT_RETRACT,
}

#: Words that, typed on their own, act as commands rather than FAQ questions.
COMMAND_WORDS = {
    "menu": "menu",
    "start": "start",
    "aichoice": "start",
    "quiz": "start",
    "questionnaire": "start",
    "restart": "restart",
    "back": "back",
    "compare": "compare",
    "comparison": "compare",
    "help": "help",
    "why": "explain",
    "polls": "polls",
}


def _is_setup(word: str) -> bool:
    """``experts here``, ``experts open`` or ``experts #<channel>``, typed as a message."""
    return word.lower() in ("here", "open") or word.startswith("#")


class Conversation:
    """The platform-neutral bot: menu, questionnaire, FAQ and comparison."""

    def __init__(
        self, content: Content, store: StateStore, *, poll_secret: bytes | None = None
    ) -> None:
        self.content = content
        self.store = store
        self.questionnaire = Questionnaire(content, store)
        self.faq = FaqDesk(content, store)
        #: Each platform's people port (time zones, admin rights, names), asked when needed.
        self.people = Directory()
        #: Each platform's outbound port (post, update, private notes), for the core to
        #: speak first: poll updates today, scheduled posts and reminders next.
        self.outbox = Outbox()
        #: Each platform's roster port (who is in a conversation): poll reminders, and who
        #: the experts are (the members of the experts' channel).
        self.rosters = Rosters()
        self.polls = PollService(
            content,
            store,
            self.questionnaire,
            secret=poll_secret,
            people=self.people,
            outbox=self.outbox,
            rosters=self.rosters,
        )
        self.experts = ExpertDesk(
            content, store, self.faq, outbox=self.outbox, people=self.people, rosters=self.rosters
        )

    async def handle(self, event: Event) -> list[Reply]:
        """The replies for ``event``; never raises."""
        try:
            return await self._route(event)
        except StoreUnavailable:
            return [Reply(kind=ReplyKind.ERROR, text=self.content.strings.store_unavailable)]
        except Exception:
            ERRORS.labels(event.actor.platform, "core").inc()
            log.exception("failed to handle %s", type(event).__name__)
            return [Reply(kind=ReplyKind.ERROR, text=self.content.strings.internal_error)]

    async def _route(self, event: Event) -> list[Reply]:
        if isinstance(event, Command):
            return await self.command(event.actor, event.name.strip().lower(), event.text)
        if isinstance(event, ButtonPress):
            action = Action.parse(event.action)
            if action is Action.EXPERT_ASK:
                return [await self.experts.ask(event)]
            if action in _EXPERT_ACTIONS:
                return await self.experts.press(event)
            return await self.press(event.actor, event.action, event.value, event.inputs)
        if isinstance(event, HomeOpened | Installed):
            return [self.menu()]  # the bot's page, and its welcome, are the menu
        return await self.message(event)

    async def message(self, event: Message) -> list[Reply]:
        """Free text: a command word, small talk, or an FAQ question."""
        # A message longer than any command is routed by how it starts; the FAQ or the
        # poll parser then refuses it as too long, so no step reads all of it.
        long = too_long(event.text, MAX_ROUTED_CHARS)
        words = normalise(event.text.lstrip()[:MAX_ROUTED_CHARS] if long else event.text).split()
        if not words:
            return [self.menu()]
        command = None if long else COMMAND_WORDS.get("".join(words))
        if command is not None:
            return await self.command(event.actor, command, "")
        if words[0] == "poll":
            parts = event.text.strip().split(None, 1)
            return await self.polls.start(event.actor, parts[1] if len(parts) > 1 else "")
        if words[0] == "ask":
            parts = event.text.strip().split(None, 1)
            return [await self._ask(parts[1] if len(parts) > 1 else "", event.actor)]
        parts = event.text.split()
        if len(parts) == 2 and parts[0].lower() == "experts" and _is_setup(parts[1]):
            return [await self.experts.command(event.actor, parts[1])]
        return [await self._ask(event.text, event.actor)]

    async def command(self, actor: Actor, name: str, text: str) -> list[Reply]:
        """An explicit command (slash command subcommand, menu word, bot command)."""
        name = COMMAND_WORDS.get(name, name)
        if name in ("", "start"):
            return [await self.questionnaire.start(actor)]
        if name == "restart":
            return [await self.questionnaire.start(actor)]
        if name == "back":
            return await self.questionnaire.back(actor)
        if name == "explain":
            return [await self._explain(actor)]
        if name == "menu":
            return [self.menu()]
        if name == "ask":
            return [await self._ask(text, actor)]
        if name == "experts":
            return [await self.experts.command(actor, text)]
        if name == "compare":
            return [self.comparison()]
        if name == "help":
            return [self.help()]
        if name == "poll":
            return await self.polls.start(actor, text)
        if name == "polls":
            return [await self.polls.manager.listing(actor)]
        unknown = self.content.strings.unknown_command.format(name=name[:40])
        return [self.help(prefix=unknown)]

    async def press(
        self, actor: Actor, action: str, value: str, inputs: dict[str, str] | None = None
    ) -> list[Reply]:
        """A button press, by the action the core put on the button (``inputs``: what was
        typed into the form it sends, if any)."""
        inputs = inputs or {}
        quiz = self.questionnaire
        match Action.parse(action):
            case Action.QUIZ_START:
                return [await quiz.start(actor)]
            case Action.QUIZ_RESTART:
                return [await quiz.start(actor, Placement.REPLACE)]
            case Action.QUIZ_ANSWER:
                replies = await quiz.answer(actor, value)
                reply = replies[0]
                poll_id = reply.meta.get("poll") if reply.kind == ReplyKind.QUIZ_RESULT else None
                result = await quiz.recommendation(actor) if poll_id else None
                if poll_id and result:
                    vote = await self.polls.cast_from_questionnaire(actor, poll_id, result)
                    return [reply, vote]
                return replies
            case Action.POLL_VOTE:
                return await self.polls.vote(actor, value)
            case Action.POLL_CLOSE:
                return await self.polls.close(actor, value)
            case Action.POLL_VIEW:
                return await self.polls.view(actor, value)
            case Action.POLL_EXPORT:
                return await self.polls.export(actor, value)
            case Action.POLL_ADD_OPTION:
                return await self.polls.add_option(actor, value, inputs)
            case Action.POLL_REMIND:
                return await self.polls.remind(actor, value)
            case Action.POLL_DELETE:
                return await self.polls.manager.delete(actor, value)
            case Action.POLL_STOP:
                return await self.polls.manager.stop(actor, value)
            case Action.POLL_EDIT:
                return await self.polls.manager.open_form(actor, value)
            case Action.POLL_EDIT_SAVE:
                return await self.polls.manager.save(actor, value, inputs)
            case Action.QUIZ_BACK:
                return await quiz.back(actor, value)
            case Action.QUIZ_EXPLAIN:
                return await quiz.check_run(actor, value) or [await self._explain(actor)]
            case Action.QUIZ_RESULT:
                return await quiz.check_run(actor, value) or [await quiz.show_result(actor)]
            case Action.QUIZ_SHARE:
                if stale := await quiz.check_run(actor, value):
                    return stale
                result = await quiz.recommendation(actor)
                return [quiz.share_reply(result, actor) if result else quiz.expired_reply()]
            case Action.FAQ_SHOW:
                shown = self.faq.show(value)
                if shown is None:
                    return [self.menu(prefix=self.content.strings.unknown_action)]
                return [self.experts.offer(shown, shown.header)]
            case Action.FAQ_FEEDBACK:
                thanks = await self.faq.feedback(value)
                return [thanks if thanks else self.menu(prefix=self.content.strings.unknown_action)]
            case Action.MENU_ASK:
                return [Reply(kind=ReplyKind.ASK_PROMPT, text=self.content.strings.ask_prompt)]
            case Action.COMPARE_SHOW:
                return [self.comparison()]
            case Action.HELP_SHOW:
                return [self.help()]
            case Action.MENU_SHOW:
                return [self.menu()]
            case _:  # None, or an expert's action (routed before this)
                return [self.menu(prefix=self.content.strings.unknown_action)]

    async def _ask(self, question: str, actor: Actor) -> Reply:
        reply = await self.faq.ask(question)
        reply = await self.experts.learned_answer(actor, question, reply)
        reply = self.experts.offer(reply, question)
        outcome = _FAQ_OUTCOMES.get(reply.kind)
        if outcome:
            FAQ_QUESTIONS.labels(outcome).inc()
        return reply

    async def _explain(self, actor: Actor) -> Reply:
        explanation = await self.questionnaire.explanation(actor)
        if explanation is None:
            # Mid-questionnaire there is nothing to explain yet: say when there will be.
            return await self.questionnaire.reask(actor, self.content.strings.explain_later)
        return explanation

    # --- fixed replies ----------------------------------------------------------------

    def _menu_choices(self) -> tuple[Choice, ...]:
        strings = self.content.strings
        return (
            Choice(strings.menu_quiz, Action.QUIZ_START, style=ChoiceStyle.PRIMARY),
            Choice(strings.menu_ask, Action.MENU_ASK),
            Choice(strings.menu_compare, Action.COMPARE_SHOW),
            Choice(strings.menu_help, Action.HELP_SHOW),
        )

    def menu(self, prefix: str = "") -> Reply:
        """The welcome menu."""
        strings = self.content.strings
        text = f"{prefix}\n\n{strings.menu_text}" if prefix else strings.menu_text
        return Reply(
            kind=ReplyKind.MENU, header=strings.menu_header, text=text, choices=self._menu_choices()
        )

    def help(self, prefix: str = "") -> Reply:
        """Usage, with examples."""
        strings = self.content.strings
        text = f"{prefix}\n\n{strings.help_text}" if prefix else strings.help_text
        return Reply(
            kind=ReplyKind.HELP,
            header=strings.help_header,
            text=text,
            sections=(Section(strings.help_examples_title, tuple(strings.help_examples)),),
            choices=self._menu_choices(),
        )

    def comparison(self) -> Reply:
        """The ten-dimension comparison table."""
        comparison = self.content.comparison
        outcomes = self.content.questionnaire.outcomes
        return Reply(
            kind=ReplyKind.COMPARE,
            header=comparison.title,
            text=f"{comparison.intro}\n\n{comparison.summary}",
            table=Table(
                header=("", outcomes.open.title, outcomes.closed.title),
                rows=tuple((d.name, d.open, d.closed) for d in comparison.dimensions),
            ),
            choices=(
                Choice(
                    self.content.strings.menu_quiz, Action.QUIZ_START, style=ChoiceStyle.PRIMARY
                ),
            ),
        )
