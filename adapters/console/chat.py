"""``ai-choice chat``: the conversation in a terminal, interactive or driven by piped stdin.

Each line typed is mapped to a neutral event: a button's number, its label, or (at a
question) a unique part of an option's label becomes a :class:`~bot.events.ButtonPress`
on the buttons last shown; anything else is a :class:`~bot.events.Message` the core reads
as a command word or a question. Typing slips change nothing: a number that is not on
the list re-asks with the range, a blank line at a question is ignored, and a fragment
that fits several options asks which one.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass, field
from typing import TextIO

from adapters.console.render import buttons, render, terminal_width
from bot.conversation import Conversation
from bot.core import build_core
from bot.events import Actor, ButtonPress, Event, HomeOpened, Message
from bot.replies import Action, Choice, Reply
from bot.settings import Settings

PLATFORM = "console"
QUIT_WORDS = frozenset({"quit", "exit", "bye", ":q"})
#: Something typed as a number: 9, 0, -1, 1.5, +2.
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
#: The shortest fragment of an option's label that is matched on its own.
MIN_FRAGMENT = 3


def plain(text: str) -> str:
    """Lower-case words only, so "◀ Back" reads "back" and "Nobody technical:" reads
    "nobody technical"."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def fragment_matches(text: str, choices: list[Choice]) -> list[int]:
    """Indexes of the choices whose label starts with ``text`` or holds it as whole words."""
    typed = plain(text)
    if len(typed) < MIN_FRAGMENT:
        return []
    return [
        index
        for index, choice in enumerate(choices)
        if plain(choice.label).startswith(typed) or f" {typed} " in f" {plain(choice.label)} "
    ]


@dataclass
class Screen:
    """What the person last saw: the reply whose buttons are live and those buttons."""

    reply: Reply | None = None
    buttons: list[Choice] = field(default_factory=list)

    @property
    def at_question(self) -> bool:
        """True while a questionnaire question is waiting for an answer (its choices are
        the answers)."""
        choices = self.reply.choices if self.reply is not None else ()
        return any(choice.action == Action.QUIZ_ANSWER for choice in choices)


def to_event(line: str, actor: Actor, last: list[Choice]) -> Event:
    """The event a typed line stands for, given the buttons on screen."""
    text = line.strip()
    if text.isdigit() and 1 <= int(text) <= len(last):
        choice = last[int(text) - 1]
        return ButtonPress(actor, choice.action, choice.value)
    for choice in last:
        if text.casefold() == choice.label.casefold() or (
            plain(text) and plain(text) == plain(choice.label)
        ):
            return ButtonPress(actor, choice.action, choice.value)
    return Message(actor, text)


async def _readline(stream: TextIO) -> str:
    return await asyncio.to_thread(stream.readline)


async def respond(
    conversation: Conversation, actor: Actor, line: str, screen: Screen
) -> list[Reply] | None:
    """The replies to one typed line; None when the line is to be ignored."""
    strings = conversation.content.strings
    text = line.strip()
    if not text and screen.at_question:
        return None  # a stray Enter mid-questionnaire
    event = to_event(text, actor, screen.buttons)
    if isinstance(event, ButtonPress):
        return await conversation.handle(event)
    if screen.buttons and _NUMBER.fullmatch(text):
        note = strings.pick_number.format(count=len(screen.buttons))
        if screen.at_question:
            return [await conversation.questionnaire.reask(actor, note)]
        return [Reply(kind="note", text=note)]
    if screen.at_question and screen.reply is not None:
        options = list(screen.reply.choices)
        found = fragment_matches(text, options)
        if len(found) == 1:
            choice = options[found[0]]
            return await conversation.handle(ButtonPress(actor, choice.action, choice.value))
        if len(found) > 1:
            lines = [strings.pick_which.format(text=text)]
            lines += [
                strings.pick_which_option.format(number=i + 1, label=options[i].label)
                for i in found
            ]
            return [Reply(kind="note", text="\n".join(lines))]
    return await conversation.handle(event)


async def converse(conversation: Conversation, actor: Actor, stdin: TextIO, stdout: TextIO) -> int:
    """Run the chat loop until end of input or a quit word; returns the exit code."""
    interactive = stdin.isatty()
    screen = Screen()

    def show(replies: list[Reply]) -> None:
        width = terminal_width()
        for reply in replies:
            stdout.write("\n" + render(reply, width))
            if buttons(reply):
                screen.reply, screen.buttons = reply, buttons(reply)
        stdout.flush()

    show(await conversation.handle(HomeOpened(actor)))  # the terminal opens on the bot's page
    while True:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = await _readline(stdin)
        if not line:
            return 0
        if line.strip().lower() in QUIT_WORDS:
            return 0
        replies = await respond(conversation, actor, line, screen)
        if replies is None:
            continue
        if not interactive:
            stdout.write(f"\n> {line.strip()}\n")
        show(replies)


async def run_chat(settings: Settings, stdin: TextIO, stdout: TextIO, user: str) -> int:
    """Connect to Redis (embedded unless configured), then chat on stdin/stdout."""
    core = build_core(settings)
    try:
        # A fresh session id per run: each chat starts its own questionnaire.
        session = uuid.uuid4().hex[:8]
        actor = Actor(PLATFORM, "local", "terminal", f"{user}-{session}", user_name=user)
        return await converse(core.conversation, actor, stdin, stdout)
    finally:
        await core.close()
