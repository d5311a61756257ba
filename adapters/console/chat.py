"""``ai-choice chat``: the conversation in a terminal, interactive or driven by piped stdin.

Each line typed is mapped to a neutral event: a button's number or its exact label
becomes a :class:`~bot.events.ButtonPress` on the last reply's buttons; anything else is a
:class:`~bot.events.Message` the core reads as a command word or a question.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import TextIO

from adapters.console.render import buttons, render
from bot.conversation import Conversation
from bot.core import build_core
from bot.events import Actor, ButtonPress, Event, Message
from bot.replies import Choice, Reply
from bot.settings import Settings

PLATFORM = "console"
QUIT_WORDS = frozenset({"quit", "exit", "bye", ":q"})


def to_event(line: str, actor: Actor, last: list[Choice]) -> Event:
    """The event a typed line stands for, given the buttons on screen."""
    text = line.strip()
    if text.isdigit() and 1 <= int(text) <= len(last):
        choice = last[int(text) - 1]
        return ButtonPress(actor, choice.action, choice.value)
    for choice in last:
        if text.casefold() == choice.label.casefold():
            return ButtonPress(actor, choice.action, choice.value)
    return Message(actor, text)


async def _readline(stream: TextIO) -> str:
    return await asyncio.to_thread(stream.readline)


async def converse(conversation: Conversation, actor: Actor, stdin: TextIO, stdout: TextIO) -> int:
    """Run the chat loop until end of input or a quit word; returns the exit code."""
    interactive = stdin.isatty()
    last: list[Choice] = []

    def show(replies: list[Reply]) -> None:
        nonlocal last
        for reply in replies:
            stdout.write("\n" + render(reply))
            if buttons(reply):
                last = buttons(reply)
        stdout.flush()

    show([conversation.menu()])
    while True:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = await _readline(stdin)
        if not line:
            return 0
        if line.strip().lower() in QUIT_WORDS:
            return 0
        if not interactive:
            stdout.write(f"\n> {line.strip()}\n")
        show(await conversation.handle(to_event(line, actor, last)))


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
