"""The conversation engine: one neutral event in, the replies to show out.

Every front end calls :meth:`Conversation.handle`. It routes commands, button presses and
free text to the menu, the questionnaire and the FAQ, and it never lets a failure reach
the person as a traceback: Redis being away becomes one friendly line, anything else a
short apology, and both are logged.
"""

from __future__ import annotations

import logging

from bot.content import Content
from bot.events import Actor, ButtonPress, Command, Event, Message
from bot.faq import FaqDesk
from bot.faq_text import normalise
from bot.limits import MAX_ROUTED_CHARS, too_long
from bot.metrics import ERRORS, FAQ_QUESTIONS
from bot.people import Directory
from bot.polls import PollService
from bot.questionnaire import Questionnaire
from bot.replies import Choice, ChoiceStyle, Placement, Reply, Section, Table
from bot.store import StateStore, StoreUnavailable

log = logging.getLogger(__name__)

_FAQ_OUTCOMES = {"faq.answer": "answered", "faq.unsure": "suggested", "faq.unknown": "unknown"}

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
}


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
        self.polls = PollService(
            content, store, self.questionnaire, secret=poll_secret, people=self.people
        )

    async def handle(self, event: Event) -> list[Reply]:
        """The replies for ``event``; never raises."""
        try:
            return await self._route(event)
        except StoreUnavailable:
            return [Reply(kind="error", text=self.content.strings.store_unavailable)]
        except Exception:
            ERRORS.labels(event.actor.platform, "core").inc()
            log.exception("failed to handle %s", type(event).__name__)
            return [Reply(kind="error", text=self.content.strings.internal_error)]

    async def _route(self, event: Event) -> list[Reply]:
        if isinstance(event, Command):
            return await self.command(event.actor, event.name.strip().lower(), event.text)
        if isinstance(event, ButtonPress):
            return await self.press(event.actor, event.action, event.value)
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
            return [await self._ask(parts[1] if len(parts) > 1 else "")]
        return [await self._ask(event.text)]

    async def command(self, actor: Actor, name: str, text: str) -> list[Reply]:
        """An explicit command (slash command subcommand, menu word, bot command)."""
        name = COMMAND_WORDS.get(name, name)
        if name in ("", "start"):
            return [await self.questionnaire.start(actor)]
        if name == "restart":
            return [await self.questionnaire.start(actor)]
        if name == "back":
            return [await self.questionnaire.back(actor)]
        if name == "explain":
            return [await self._explain(actor)]
        if name == "menu":
            return [self.menu()]
        if name == "ask":
            return [await self._ask(text)]
        if name == "compare":
            return [self.comparison()]
        if name == "help":
            return [self.help()]
        if name == "poll":
            return await self.polls.start(actor, text)
        unknown = self.content.strings.unknown_command.format(name=name[:40])
        return [self.help(prefix=unknown)]

    async def press(self, actor: Actor, action: str, value: str) -> list[Reply]:
        """A button press, by the action the core put on the button."""
        quiz = self.questionnaire
        if action == "quiz.start":
            return [await quiz.start(actor)]
        if action == "quiz.restart":
            return [await quiz.start(actor, Placement.REPLACE)]
        if action == "quiz.answer":
            reply = await quiz.answer(actor, value)
            poll_id = reply.meta.get("poll") if reply.kind == "quiz.result" else None
            result = await quiz.recommendation(actor) if poll_id else None
            if poll_id and result:
                return [reply, await self.polls.cast_from_questionnaire(actor, poll_id, result)]
            return [reply]
        if action == "poll.vote":
            return await self.polls.vote(actor, value)
        if action == "poll.close":
            return await self.polls.close(actor, value)
        if action == "poll.export":
            return await self.polls.export(actor, value)
        if action == "quiz.back":
            return [await quiz.back(actor)]
        if action == "quiz.explain":
            return [await self._explain(actor)]
        if action == "quiz.result":
            return [await quiz.show_result(actor)]
        if action == "quiz.share":
            result = await quiz.recommendation(actor)
            return [quiz.share_reply(result, actor) if result else quiz.expired_reply()]
        if action == "faq.show":
            shown = self.faq.show(value)
            return [shown if shown else self.menu(prefix=self.content.strings.unknown_action)]
        if action == "faq.feedback":
            thanks = await self.faq.feedback(value)
            return [thanks if thanks else self.menu(prefix=self.content.strings.unknown_action)]
        if action == "menu.ask":
            return [Reply(kind="ask.prompt", text=self.content.strings.ask_prompt)]
        if action == "compare.show":
            return [self.comparison()]
        if action == "help.show":
            return [self.help()]
        if action == "menu.show":
            return [self.menu()]
        return [self.menu(prefix=self.content.strings.unknown_action)]

    async def _ask(self, question: str) -> Reply:
        reply = await self.faq.ask(question)
        outcome = _FAQ_OUTCOMES.get(reply.kind)
        if outcome:
            FAQ_QUESTIONS.labels(outcome).inc()
        return reply

    async def _explain(self, actor: Actor) -> Reply:
        result = await self.questionnaire.recommendation(actor)
        if result is None:
            # Mid-questionnaire there is nothing to explain yet: say when there will be.
            return await self.questionnaire.reask(actor, self.content.strings.explain_later)
        return self.questionnaire.explanation_reply(result)

    # --- fixed replies ----------------------------------------------------------------

    def _menu_choices(self) -> tuple[Choice, ...]:
        strings = self.content.strings
        return (
            Choice(strings.menu_quiz, "quiz.start", style=ChoiceStyle.PRIMARY),
            Choice(strings.menu_ask, "menu.ask"),
            Choice(strings.menu_compare, "compare.show"),
            Choice(strings.menu_help, "help.show"),
        )

    def menu(self, prefix: str = "") -> Reply:
        """The welcome menu."""
        strings = self.content.strings
        text = f"{prefix}\n\n{strings.menu_text}" if prefix else strings.menu_text
        return Reply(
            kind="menu", header=strings.menu_header, text=text, choices=self._menu_choices()
        )

    def help(self, prefix: str = "") -> Reply:
        """Usage, with examples."""
        strings = self.content.strings
        text = f"{prefix}\n\n{strings.help_text}" if prefix else strings.help_text
        return Reply(
            kind="help",
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
            kind="compare",
            header=comparison.title,
            text=f"{comparison.intro}\n\n{comparison.summary}",
            table=Table(
                header=("", outcomes.open.title, outcomes.closed.title),
                rows=tuple((d.name, d.open, d.closed) for d in comparison.dimensions),
            ),
            choices=(
                Choice(self.content.strings.menu_quiz, "quiz.start", style=ChoiceStyle.PRIMARY),
            ),
        )
