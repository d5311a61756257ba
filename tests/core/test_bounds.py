"""Bounded work in the core: the poll tokenizer and the FAQ matcher stay linear in their
input, the console's ``ask`` has the same cap as every other front end, and the tokenizer
still reads what ``shlex`` read."""

from __future__ import annotations

import random
import shlex
import subprocess
import sys
import time

import pytest

from bot.content import Content
from bot.conversation import Conversation
from bot.events import Actor, Message
from bot.faq_matcher import FaqMatcher
from bot.poll_command import PollInputError, _tokens

ADA = Actor("console", "local", "terminal", "ada")


def shlex_tokens(text: str) -> list[str] | None:
    """What the tokenizer replaced said (None: unbalanced)."""
    lexer = shlex.shlex(text.translate(str.maketrans("“”„«»", '"""""')), posix=True)
    lexer.quotes, lexer.whitespace_split, lexer.commenters = '"', True, ""
    try:
        return list(lexer)
    except ValueError:
        return None


def test_the_poll_tokenizer_reads_what_shlex_read(content: Content) -> None:
    pieces = ["a", "Bé", " ", "  ", '"', "“", "”", "«", "»", "'", "\\", "\t", "\n", "--anon", "#"]
    chooser = random.Random(11)
    for _ in range(20_000):
        text = "".join(chooser.choice(pieces) for _ in range(chooser.randint(0, 10)))
        try:
            ours: list[str] | None = _tokens(text, content.polls)
        except PollInputError:
            ours = None
        assert ours == shlex_tokens(text), repr(text)


def test_the_poll_tokenizer_is_linear_on_an_unclosed_quote(content: Content) -> None:
    # shlex took ~2.4 s on this (quadratic); one pass takes well under a tenth of that.
    started = time.perf_counter()
    with pytest.raises(PollInputError):
        _tokens('"' + "a " * 200_000, content.polls)
    assert time.perf_counter() - started < 1.0


def test_typo_correction_skips_words_too_long_to_be_a_typo(content: Content) -> None:
    matcher = FaqMatcher(content.faq, semantic=False)
    started = time.perf_counter()
    assert not matcher.match("a" * 200_000).answered
    assert time.perf_counter() - started < 1.0  # ~10 s before
    # Words one slip away from a known word are still corrected.
    assert matcher.tokens("privcy securty") == matcher.tokens("privacy security")


async def test_a_long_poll_message_is_refused_by_its_length(
    conversation: Conversation, content: Content
) -> None:
    (reply,) = await conversation.handle(Message(ADA, 'poll "Q?" "A" "B" ' + "x" * 2_000_000))
    assert reply.kind == "poll.error"
    assert content.polls.messages.command_too_long.format(max="1,500") in reply.text


def test_the_console_ask_has_the_same_cap(content: Content) -> None:
    wording = content.strings.question_too_long.format(max="1,000")
    question = "is open source cheaper " * 50  # 1,150 characters
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", question],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip() == wording
