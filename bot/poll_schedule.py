"""When a scheduled or recurring poll is posted: reading the flags, and the next occurrence.

    poll "Offsite?" "Lisbon" "Porto" --post-at "2027-01-10 09:00"
    poll "Lunch?" "Pizza" "Sushi" --post-in 2h
    poll "Standup mood?" "Good" "Meh" "Bad" --repeat weekdays --at 09:30
    poll "Retro?" "Keep" "Drop" "Try" --repeat weekly --at "mon 10:00" --closes-in 1d

Pure: no Redis, no clock of its own, no platform. Times are read in the creator's time
zone (as ``--closes`` is); occurrences are whole minutes, in epoch seconds. Storing a
schedule and firing it exactly once is :mod:`bot.poll_scheduler`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.content import PollManage, Polls
from bot.poll_command import PollInputError, format_time
from bot.poll_times import duration_seconds, local_time

#: How often a recurring poll is posted.
REPEATS = ("daily", "weekdays", "weekly")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")
#: The longest a flag value is read (anything longer is not a time).
_MAX_VALUE = 40


@dataclass(frozen=True, slots=True)
class Recurrence:
    """``--repeat`` with ``--at``: every day, every weekday or one day a week, at a time."""

    repeat: str
    hour: int
    minute: int
    #: 0 (Monday) to 6 for ``weekly``; None otherwise.
    weekday: int | None = None

    def next_after(self, after: float, tz: ZoneInfo) -> float:
        """The first occurrence strictly after ``after`` (epoch seconds), in ``tz``."""
        day = datetime.fromtimestamp(after, tz).date()
        for offset in range(9):  # a week and a day covers every rule, DST included
            candidate = day + timedelta(days=offset)
            if not self._posts_on(candidate):
                continue
            when = datetime.combine(candidate, time(self.hour, self.minute), tzinfo=tz).timestamp()
            if when > after:
                return when
        raise AssertionError("every rule posts at least once a week")  # pragma: no cover

    def _posts_on(self, day: date) -> bool:
        if self.repeat == "weekdays":
            return day.weekday() < 5
        if self.repeat == "weekly":
            return day.weekday() == self.weekday
        return True

    def describe(self, manage: PollManage) -> str:
        """The rule as people read it: ``every weekday (Monday to Friday) at 09:30``."""
        messages = manage.messages
        at = f"{self.hour:02d}:{self.minute:02d}"
        if self.repeat == "weekly" and self.weekday is not None:
            return messages.rule_weekly.format(day=manage.weekdays[self.weekday], time=at)
        if self.repeat == "weekdays":
            return messages.rule_weekdays.format(time=at)
        return messages.rule_daily.format(time=at)

    def as_json(self) -> dict[str, object]:
        """What the schedule's record keeps of it."""
        return {
            "repeat": self.repeat,
            "hour": self.hour,
            "minute": self.minute,
            "weekday": self.weekday,
        }

    @classmethod
    def from_json(cls, data: object) -> Recurrence | None:
        """The rule a record kept, or None when it kept none (a one-off) or is damaged."""
        if not isinstance(data, dict) or data.get("repeat") not in REPEATS:
            return None
        weekday = data.get("weekday")
        return cls(
            str(data["repeat"]),
            int(data.get("hour", 0)),
            int(data.get("minute", 0)),
            int(weekday) if isinstance(weekday, int) else None,
        )


@dataclass(frozen=True, slots=True)
class Timing:
    """When a scheduled poll is posted: once at ``first``, or at ``first`` and then by
    ``recurrence``."""

    first: float
    recurrence: Recurrence | None = None


def read_timing(
    flags: tuple[tuple[str, str], ...], polls: Polls, manage: PollManage, now: float, tz: ZoneInfo
) -> Timing | None:
    """The schedule the flags ask for; None to post now; :class:`PollInputError` saying
    what to fix for a bad combination (nothing is posted or written then)."""
    messages = manage.messages
    given = dict(flags)
    post_at, post_in = given.get("--post-at"), given.get("--post-in")
    repeat, at = given.get("--repeat"), given.get("--at")
    if post_at is None and post_in is None and repeat is None and at is None:
        return None
    if "--closes" in given:
        raise PollInputError(messages.closes_with_schedule)
    if repeat is not None or at is not None:
        if post_at is not None or post_in is not None:
            raise PollInputError(messages.post_with_repeat)
        if repeat is None:
            raise PollInputError(messages.at_needs_repeat)
        if at is None:
            raise PollInputError(messages.repeat_needs_at)
        recurrence = _recurrence(repeat, at, manage)
        return Timing(recurrence.next_after(now, tz), recurrence)
    if post_at is not None and post_in is not None:
        raise PollInputError(messages.two_post_times)
    longest = polls.limits.max_duration_days * 86400
    if post_in is not None:
        seconds = duration_seconds(post_in.strip()[:_MAX_VALUE])
        if seconds is None:
            raise PollInputError(messages.unreadable_post_in.format(value=post_in[:_MAX_VALUE]))
        if seconds > longest:
            raise PollInputError(messages.post_too_far.format(days=polls.limits.max_duration_days))
        return Timing(now + seconds)
    assert post_at is not None
    when = local_time(post_at.strip()[:_MAX_VALUE], _DATE_FORMATS, tz)
    if when is None:
        raise PollInputError(messages.unreadable_post_at.format(value=post_at[:_MAX_VALUE]))
    if when <= now:
        raise PollInputError(messages.post_at_in_past.format(when=format_time(when, tz)))
    if when - now > longest:
        raise PollInputError(messages.post_too_far.format(days=polls.limits.max_duration_days))
    return Timing(when)


def _recurrence(repeat: str, at: str, manage: PollManage) -> Recurrence:
    messages = manage.messages
    kind = repeat.strip().lower()
    if kind not in REPEATS:
        raise PollInputError(messages.unknown_repeat.format(value=repeat[:_MAX_VALUE]))
    words = at.strip()[:_MAX_VALUE].split()
    weekday: int | None = None
    if len(words) == 2:
        weekday = _weekday(words[0], manage)
        if weekday is None:
            raise PollInputError(messages.unreadable_at.format(value=at[:_MAX_VALUE]))
        clock = words[1]
    elif len(words) == 1:
        clock = words[0]
    else:
        raise PollInputError(messages.unreadable_at.format(value=at[:_MAX_VALUE]))
    match = _TIME.match(clock)
    if not match:
        raise PollInputError(messages.unreadable_at.format(value=at[:_MAX_VALUE]))
    if kind == "weekly" and weekday is None:
        raise PollInputError(messages.weekly_needs_day)
    if kind != "weekly" and weekday is not None:
        raise PollInputError(messages.day_needs_weekly)
    return Recurrence(kind, int(match.group(1)), int(match.group(2)), weekday)


def _weekday(word: str, manage: PollManage) -> int | None:
    """0-6 for a day's name or its first three letters (``mon``, ``Monday``), else None."""
    word = word.lower()
    for index, name in enumerate(manage.weekdays):
        if len(word) >= 3 and name.lower().startswith(word):
            return index
    return None


def late_time(occurrence: float, now: float, tz: ZoneInfo) -> str:
    """When a late poll should have gone out: ``09:30`` the same day, else the full date."""
    then, today = datetime.fromtimestamp(occurrence, tz), datetime.fromtimestamp(now, tz)
    return f"{then:%H:%M}" if then.date() == today.date() else format_time(occurrence, tz)
