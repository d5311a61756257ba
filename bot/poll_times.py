"""Reading the times typed in poll flags, shared by :mod:`bot.poll_command` (``--closes``,
``--closes-in``, ``--remind-in``) and :mod:`bot.poll_schedule` (``--post-at``, ``--post-in``).

Pure and linear in the text: callers cap the text and say what is wrong in their own words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

_DURATION = re.compile(r"^(\d{1,6})\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)$", re.I)
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400}


def duration_seconds(text: str) -> int | None:
    """A duration such as ``30m``, ``4h`` or ``2 days`` in seconds; None when it is not one
    or is zero."""
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        return None
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)[0].lower()]


def local_time(text: str, formats: Sequence[str], tz: ZoneInfo) -> float | None:
    """``text`` read by the first of ``formats`` that fits, as a time in ``tz``, in epoch
    seconds; None when none fits."""
    for pattern in formats:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=tz).timestamp()
        except ValueError:
            continue
    return None
