"""What one request may cost: length caps on what people type, and how often polls start.

Every front end hands text to the core, so the caps are checked here, in the core, before
anything parses or matches it: no message can make the server spend more than a bounded
amount of work, whichever platform it came from.
"""

from __future__ import annotations

#: Longest FAQ question, in characters ("ask", mentions, direct messages, the console).
MAX_QUESTION_CHARS = 1000
#: Longest ``poll`` command text: room for a question, ten 75-character options in quotes
#: and every flag.
MAX_POLL_COMMAND_CHARS = 1500
#: Longer than any question or poll command can be: a message this long is routed by its
#: first word alone, so even routing reads a bounded prefix.
MAX_ROUTED_CHARS = MAX_POLL_COMMAND_CHARS + 100

#: The sliding window poll creation is counted over, in seconds.
POLL_RATE_WINDOW_SECONDS = 600
#: Polls one person may start per window (per platform and workspace).
POLLS_PER_PERSON = 10
#: Polls one channel may hold started per window.
POLLS_PER_CHANNEL = 30


def too_long(text: str, limit: int) -> bool:
    """True when ``text`` is over ``limit`` characters (ignoring surrounding whitespace)."""
    return len(text) > limit and len(text.strip()) > limit
