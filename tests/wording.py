"""The bot's wording as tests expect to see it, read from the loaded content.

Tests compare what the bot said with these instead of English written into the test, so a
reworded line in ``content/*.yaml`` changes the expectation with it.
"""

from __future__ import annotations

import re
import string

from bot.content import Content, OutcomeText


def progress(content: Content, step: int) -> str:
    """The progress line shown with question ``step`` ("Question 2 of 10")."""
    return content.strings.progress.format(step=step, total=len(content.questionnaire.questions))


def outcome(content: Content, side: str) -> OutcomeText:
    """The result wording for ``open``, ``closed`` or ``hybrid``."""
    text: OutcomeText = getattr(content.questionnaire.outcomes, side)
    return text


def recommendation(content: Content, side: str) -> str:
    """A result header up to its strength ("Recommendation: Open source (")."""
    before_strength = content.strings.result_header.partition("{strength}")[0]
    return before_strength.format(outcome=outcome(content, side).title)


def dimension(content: Content, dimension_id: str) -> str:
    """A comparison dimension's name ("Security & privacy" for ``privacy``)."""
    return next(d.name for d in content.comparison.dimensions if d.id == dimension_id)


def shaped_like(template: str, **known: object) -> re.Pattern[str]:
    """A pattern for a content line with some placeholders unknown to the test.

    ``known`` fields are filled in; every other ``{placeholder}`` matches any text, so
    ``shaped_like(messages.deadline_in_past)`` finds "That deadline (...) has already passed."
    """
    parts: list[str] = []
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(re.escape(str(known[field])) if field in known else ".+?")
    return re.compile("".join(parts))


def faq_answer(content: Content, entry_id: str) -> str:
    """The answer text of one FAQ entry."""
    return next(e.answer for e in content.faq.entries if e.id == entry_id)


def unwrapped(text: str) -> str:
    """Text with every space and line break taken out, so wrapped console output compares
    equal to the line it wraps (``textwrap`` also breaks after hyphens, "fine-" / "tune")."""
    return "".join(text.split())


def faq_question(content: Content, entry_id: str) -> str:
    """The question an FAQ entry answers, as its answer's heading shows it."""
    return next(e.question for e in content.faq.entries if e.id == entry_id)


def votes(content: Content, count: int) -> str:
    """A poll option's vote count as its result line words it ("1 vote", "3 votes")."""
    messages = content.polls.messages
    return (messages.vote_one if count == 1 else messages.vote_many).format(count=count)


def csv_header(content: Content) -> list[str]:
    """The first row of a poll's CSV export."""
    messages = content.polls.messages
    return [messages.csv_option, messages.csv_votes, messages.csv_percent]
