"""A conversation test kit: tests read like the dialogue they check.

    talk = Dialogue(conversation, actor)
    (await talk.say("start")).expect_replies("quiz.question")
    question = (await talk.press("A small business")).next_reply("quiz.question")
    talk.expect_no_more()

It drives the real :class:`~bot.conversation.Conversation` (and so the real Redis store)
with neutral events, the way every front end does.

Every reply the bot sends joins a queue of replies not yet checked. The strict methods
work like botbuilder's ``TestFlow.assert_reply``, taking replies off that queue in order:

- ``next_reply(kind)`` takes the oldest unchecked reply, asserts its kind, and returns it;
- ``expect_replies(*kinds)`` asserts the unchecked replies are exactly these kinds, in
  order (so an unexpected extra reply fails), and takes them all;
- ``expect_no_more()`` asserts every reply received so far has been taken.

The lenient ``expect`` (text fragments anywhere in the latest replies) and ``expect_kind``
(the kind of the latest reply) look without taking anything.
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
        #: The replies to the latest event.
        self.replies: list[Reply] = []
        #: Replies received and not yet taken by a strict check, oldest first.
        self.unchecked: list[Reply] = []
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
        self.unchecked.extend(self.replies)
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

    def next_reply(self, kind: str) -> Reply:
        """Take the oldest unchecked reply, asserting it is of this kind; return it."""
        assert self.unchecked, f"expected a {kind} reply, but no reply is left to check"
        reply = self.unchecked.pop(0)
        assert reply.kind == kind, f"expected a {kind} reply, got {_describe([reply])}"
        return reply

    def expect_replies(self, *kinds: str) -> Dialogue:
        """Assert the unchecked replies are exactly these kinds, in order; take them all."""
        got = [str(reply.kind) for reply in self.unchecked]
        assert got == [str(kind) for kind in kinds], (
            f"expected replies {list(kinds)}, got {got}:\n{_describe(self.unchecked)}"
        )
        self.unchecked.clear()
        return self

    def expect_no_more(self) -> Dialogue:
        """Assert every reply received so far has been taken by a strict check."""
        assert not self.unchecked, f"unchecked replies left:\n{_describe(self.unchecked)}"
        return self


def _describe(replies: list[Reply]) -> str:
    """Each reply's kind and first line, for an assertion message."""
    firsts = (next((line for line in r.all_text().splitlines() if line), "") for r in replies)
    return "\n".join(f"- {r.kind}: {first!r}" for r, first in zip(replies, firsts, strict=True))
