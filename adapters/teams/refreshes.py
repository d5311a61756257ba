"""Refreshes of long-lived Teams keys, at most once per window per key and value.

Every activity starts the 90-day time of its conversation's reference again, and every
personal message re-saves where the person's personal chat is: two Redis round trips per
message that change nothing a person could notice when the same conversation wrote a
minute ago. :class:`Refreshes` remembers, in this process, what was refreshed when, so a
refresh of the same key to the same value within :data:`WINDOW_SECONDS` is skipped. It is
bounded (the least recently refreshed are forgotten past :data:`MAX_KEYS`), and each
process keeps its own: a replica that has not refreshed a key yet simply does.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

#: A key refreshed to the same value this recently is not written again.
WINDOW_SECONDS = 600.0
#: Keys remembered at once.
MAX_KEYS = 10_000


class Refreshes:
    """What was refreshed, to what and when (monotonic seconds)."""

    def __init__(
        self,
        window: float = WINDOW_SECONDS,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window = window
        self.max_keys = max_keys
        self._clock = clock
        self._done: OrderedDict[Hashable, tuple[Hashable, float]] = OrderedDict()

    def due(self, key: Hashable, value: Hashable = None) -> bool:
        """True unless ``key`` was refreshed to ``value`` within the window."""
        seen = self._done.get(key)
        return seen is None or seen[0] != value or self._clock() - seen[1] >= self.window

    def done(self, key: Hashable, value: Hashable = None) -> None:
        """``key`` was just refreshed to ``value``."""
        self._done[key] = (value, self._clock())
        self._done.move_to_end(key)
        while len(self._done) > self.max_keys:
            self._done.popitem(last=False)

    def __len__(self) -> int:
        return len(self._done)
