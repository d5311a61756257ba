"""Reading a ``poll`` command: question, options and flags, or what to fix.

    poll
    poll "Question?" "Option 1" "Option 2" --anonymous --hide-results --closes-in 4h
    poll “Question?” “A” “B” --closes "2026-12-01 17:00"
    poll "Lunch?" "Pizza" "Sushi" "Tacos" --multi 2 --allow-add
    poll --template retro
    poll "Offsite?" "Lisbon" "Porto" --closes-in 3d --remind-in 1d

Straight and curly double quotes both work (Slack clients send either); apostrophes
inside or outside quotes are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.content import Polls
from bot.limits import MAX_POLL_COMMAND_CHARS, too_long
from bot.poll_options import OptionsInputError, check_option_flags, read_multi, resolve_template
from bot.text_normalise import clean_poll_text, same_text_key

_CURLY_DOUBLE = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})
_DURATION = re.compile(r"^(\d{1,6})\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)$", re.I)
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400}
_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d")


class PollInputError(ValueError):
    """The command can't become a poll; ``str(error)`` says what to fix, for the person."""


@dataclass(frozen=True, slots=True)
class PollSpec:
    """A poll as asked for; ``question`` None means the team poll."""

    question: str | None
    options: tuple[str, ...]
    anonymous: bool
    hide_results: bool
    deadline: float | None  # epoch seconds
    time_zone: str
    #: How many options each person may pick (1: a single-choice poll).
    multi: int = 1
    #: Voters may add options (up to the cap).
    allow_add: bool = False
    #: When to remind those who haven't voted (``--remind-in``), epoch seconds.
    remind_at: float | None = None


def zone(name: str) -> ZoneInfo:
    """The named time zone, or UTC when the name is empty or unknown."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


#: What separates words outside quotes (the characters POSIX shells split on).
_WHITESPACE = frozenset(" \t\r\n")


def _tokens(text: str, polls: Polls) -> list[str]:
    """The words of ``text`` as a POSIX shell splits them with only double quotes: a quoted
    part keeps its spaces, ``\\"`` is a literal quote, quoted and bare parts that touch join.

    One pass over the text (``shlex`` took time quadratic in its length on an unclosed
    quote).
    """
    text = text.translate(_CURLY_DOUBLE)
    tokens: list[str] = []
    current: list[str] = []
    started = quoted = False
    index, end = 0, len(text)
    while index < end:
        char = text[index]
        following = text[index + 1] if index + 1 < end else ""
        if quoted:
            if char == '"':
                quoted = False
            elif char == "\\" and following in ('"', "\\"):
                current.append(following)
                index += 1
            else:
                current.append(char)
        elif char in _WHITESPACE:
            if started:
                tokens.append("".join(current))
                current, started = [], False
        elif char == '"':
            quoted = started = True
        elif char == "\\":
            if not following:
                raise PollInputError(polls.messages.unbalanced_quotes)
            current.append(following)
            started = True
            index += 1
        else:
            current.append(char)
            started = True
        index += 1
    if quoted:
        raise PollInputError(polls.messages.unbalanced_quotes)
    if started:
        tokens.append("".join(current))
    return tokens


def parse_poll(text: str, polls: Polls, now: float, time_zone: str = "") -> PollSpec:
    """The poll ``text`` asks for, or :class:`PollInputError` saying what to fix."""
    try:
        return _parse_poll(text, polls, now, time_zone)
    except OptionsInputError as problem:
        raise PollInputError(str(problem)) from None


def _parse_poll(text: str, polls: Polls, now: float, time_zone: str) -> PollSpec:
    messages, limits = polls.messages, polls.limits
    if too_long(text, MAX_POLL_COMMAND_CHARS):
        raise PollInputError(messages.command_too_long.format(max=f"{MAX_POLL_COMMAND_CHARS:,}"))
    tz = zone(time_zone)
    positional: list[str] = []
    anonymous = hide_results = False
    closes_in: str | None = None
    closes_at: str | None = None
    multi: int | None = None
    allow_add = False
    template: str | None = None
    remind_in: str | None = None
    tokens = _tokens(text, polls)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        flag = token.lower().replace("—", "--").replace("–", "--")
        if flag in ("--anonymous", "--anon"):
            anonymous = True
        elif flag in ("--hide-results", "--hidden"):
            hide_results = True
        elif flag in ("--closes-in", "--closes"):
            if index + 1 >= len(tokens):
                example = "4h" if flag == "--closes-in" else '"2026-12-01 17:00"'
                raise PollInputError(messages.missing_flag_value.format(flag=flag, example=example))
            index += 1
            if flag == "--closes-in":
                closes_in = tokens[index]
            else:
                closes_at = tokens[index]
        elif flag == "--allow-add":
            allow_add = True
        elif flag in ("--multi", "--template"):
            if index + 1 >= len(tokens):
                example = "2" if flag == "--multi" else polls.templates[-1].name
                raise PollInputError(messages.missing_flag_value.format(flag=flag, example=example))
            index += 1
            if flag == "--multi":
                multi = read_multi(tokens[index], polls)
            elif template is not None:
                raise PollInputError(polls.option_messages.two_templates)
            else:
                template = tokens[index]
        elif flag == "--remind-in":
            if index + 1 >= len(tokens):
                raise PollInputError(messages.missing_flag_value.format(flag=flag, example="1d"))
            index += 1
            remind_in = tokens[index]
        elif flag.startswith("--"):
            raise PollInputError(messages.unknown_flag.format(flag=token[:40]))
        else:
            positional.append(token.strip())
        index += 1

    deadline = _deadline(closes_in, closes_at, polls, now, tz)
    if template is not None:
        positional = resolve_template(template, positional, polls)
    remind_at = _reminder_time(remind_in, deadline, polls, now)
    if not positional:
        options = tuple(o.label for o in polls.team_poll.options)
        check_option_flags(multi, allow_add, True, len(options), polls)
        return PollSpec(
            None, options, anonymous, hide_results, deadline, tz.key, remind_at=remind_at
        )
    # Compared, measured and stored as people see them (bot/text_normalise.py).
    question = clean_poll_text(positional[0])
    typed, options = positional[1:], tuple(clean_poll_text(o) for o in positional[1:])
    if not question:
        raise PollInputError(messages.empty_question)
    if len(question) > limits.max_question_length:
        raise PollInputError(
            messages.question_too_long.format(length=len(question), max=limits.max_question_length)
        )
    if len(options) < limits.min_options:
        raise PollInputError(
            messages.too_few_options.format(min=limits.min_options, count=len(options))
        )
    if len(options) > limits.max_options:
        raise PollInputError(
            messages.too_many_options.format(max=limits.max_options, count=len(options))
        )
    seen: set[str] = set()
    for number, (option, as_typed) in enumerate(zip(options, typed, strict=True), start=1):
        if not option:
            empty = messages.invisible_option if as_typed.strip() else messages.empty_option
            raise PollInputError(empty.format(number=number))
        if len(option) > limits.max_option_length:
            raise PollInputError(
                messages.option_too_long.format(
                    number=number, length=len(option), max=limits.max_option_length
                )
            )
        if same_text_key(option) in seen:
            raise PollInputError(messages.duplicate_option.format(option=option))
        seen.add(same_text_key(option))
    check_option_flags(multi, allow_add, False, len(options), polls)
    return PollSpec(
        question,
        options,
        anonymous,
        hide_results,
        deadline,
        tz.key,
        multi=multi or 1,
        allow_add=allow_add,
        remind_at=remind_at,
    )


def _seconds(value: str, polls: Polls) -> int:
    """A duration such as ``30m``, ``4h`` or ``2d`` in seconds (at most the longest a poll
    may stay open), or :class:`PollInputError`."""
    messages = polls.messages
    match = _DURATION.match(value.strip())
    if not match or int(match.group(1)) == 0:
        raise PollInputError(messages.unreadable_duration.format(value=value[:40]))
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)[0].lower()]
    if seconds > polls.limits.max_duration_days * 86400:
        raise PollInputError(messages.duration_too_long.format(days=polls.limits.max_duration_days))
    return seconds


def _reminder_time(
    remind_in: str | None, deadline: float | None, polls: Polls, now: float
) -> float | None:
    """When ``--remind-in`` asks for the reminder; it must come before the deadline."""
    if remind_in is None:
        return None
    when = now + _seconds(remind_in, polls)
    if deadline is not None and when >= deadline:
        raise PollInputError(polls.messages.remind_after_close)
    return when


def _deadline(
    closes_in: str | None, closes_at: str | None, polls: Polls, now: float, tz: ZoneInfo
) -> float | None:
    messages = polls.messages
    longest = polls.limits.max_duration_days * 86400
    if closes_in is not None and closes_at is not None:
        raise PollInputError(messages.two_deadlines)
    if closes_in is not None:
        match = _DURATION.match(closes_in.strip())
        if not match or int(match.group(1)) == 0:
            raise PollInputError(messages.unreadable_duration.format(value=closes_in[:40]))
        seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)[0].lower()]
        if seconds > longest:
            raise PollInputError(
                messages.duration_too_long.format(days=polls.limits.max_duration_days)
            )
        return now + seconds
    if closes_at is not None:
        for pattern in _DATE_FORMATS:
            try:
                local = datetime.strptime(closes_at.strip(), pattern).replace(tzinfo=tz)
                break
            except ValueError:
                continue
        else:
            raise PollInputError(messages.unreadable_deadline.format(value=closes_at[:40]))
        when = local.timestamp()
        if when <= now:
            raise PollInputError(messages.deadline_in_past.format(deadline=format_time(when, tz)))
        if when - now > longest:
            raise PollInputError(
                messages.duration_too_long.format(days=polls.limits.max_duration_days)
            )
        return when
    return None


def format_time(when: float, tz: ZoneInfo) -> str:
    """A deadline as people read it, with its zone: ``Tue 1 Dec 2026, 17:00 CET``."""
    local = datetime.fromtimestamp(when, tz)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()}"
