"""A conversation test kit: tests read like the dialogue they check.

    talk = Dialogue(conversation, actor)
    (await talk.say("start")).expect("Question 1 of 10")
    (await talk.press("A small business")).expect("Question 2 of 10")

It drives the real :class:`~bot.conversation.Conversation` (and so the real Redis store)
with neutral events, the way every front end does.
"""

from __future__ import annotations

from bot.conversation import Conversation
from bot.events import Actor, ButtonPress, Command, Event, Message
from bot.replies import Choice, Reply


class Dialogue:
    """One person talking to the bot; remembers the buttons last shown to them."""

    def __init__(self, conversation: Conversation, actor: Actor) -> None:
        self.conversation = conversation
        self.actor = actor
        self.replies: list[Reply] = []
        self._buttons: list[Choice] = []

    @property
    def last(self) -> Reply:
        """The most recent reply."""
        assert self.replies, "the bot has not replied yet"
        return self.replies[-1]

    @property
    def buttons(self) -> list[Choice]:
        """The buttons on the latest reply that had any."""
        return list(self._buttons)

    async def send(self, event: Event) -> Dialogue:
        """Send any event and keep the replies."""
        self.replies = await self.conversation.handle(event)
        for reply in self.replies:
            if reply.choices or reply.controls:
                self._buttons = [*reply.choices, *reply.controls]
        return self

    async def say(self, text: str) -> Dialogue:
        """Type free text."""
        return await self.send(Message(self.actor, text))

    async def command(self, name: str, text: str = "") -> Dialogue:
        """Use a command, as a slash command or bot command would."""
        return await self.send(Command(self.actor, name, text))

    def button(self, label: str) -> Choice:
        """The shown button whose label contains ``label`` (case-insensitive)."""
        matches = [c for c in self._buttons if label.casefold() in c.label.casefold()]
        assert matches, f"no button like {label!r}; shown: {[c.label for c in self._buttons]}"
        return matches[0]

    async def press(self, label: str) -> Dialogue:
        """Press the shown button whose label contains ``label``."""
        choice = self.button(label)
        return await self.send(ButtonPress(self.actor, choice.action, choice.value))

    def expect(self, *fragments: str) -> Dialogue:
        """Assert every fragment appears in what the bot just said."""
        said = "\n".join(r.all_text() for r in self.replies)
        for fragment in fragments:
            assert fragment in said, f"expected {fragment!r} in:\n{said}"
        return self

    def expect_kind(self, kind: str) -> Dialogue:
        """Assert the last reply is of this kind (``quiz.question``, ``faq.answer``...)."""
        assert self.last.kind == kind, f"expected a {kind} reply, got {self.last.kind}"
        return self
