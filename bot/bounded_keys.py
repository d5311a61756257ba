"""The Redis keys that are kept without a TTL, and what keeps each one bounded.

Every other key the bot writes expires. The README's "What Redis holds" section lists
these same rows, and ``tests/state/test_key_lifetimes.py`` checks both ways: a run of
every main flow leaves no key without a TTL outside this list, and the README mirrors it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.expert_tickets import COUNTS, MAX_OPEN, MAX_TIMES, OPEN_SET, TIMES
from bot.faq import ASKED, ASKED_LAST, FEEDBACK, MAX_TRACKED_QUESTIONS
from bot.faq_learned import (
    ENTRIES,
    MAX_LEARNED,
    MAX_LEARNED_PER_WORKSPACE,
    MAX_PHRASINGS_PER_ENTRY,
    MAX_PHRASINGS_PER_ENTRY_IN_ALL,
    PHRASINGS,
    VERSION,
)
from bot.poll_reminders import REMINDER_RUNS, REMINDERS
from bot.poll_schedule_store import MAX_SCHEDULES_PER_PERSON, SCHEDULES
from bot.poll_store import DEADLINES


@dataclass(frozen=True, slots=True)
class BoundedKey:
    """One key kept for good, and why it cannot grow without end."""

    #: The key under the prefix, e.g. ``faq:{asked}`` for ``aic:faq:{asked}``.
    name: str
    #: What bounds it, as the README says it.
    bound: str


BOUNDED_KEYS: tuple[BoundedKey, ...] = (
    BoundedKey(
        ":".join(ASKED),
        f"at most {MAX_TRACKED_QUESTIONS:,} questions; the least asked make way for new ones",
    ),
    BoundedKey(":".join(ASKED_LAST), f"one field per question kept in `{':'.join(ASKED)}`"),
    BoundedKey(":".join(FEEDBACK), "two counters (👍, 👎) per FAQ entry in content/faq.yaml"),
    BoundedKey(
        ":".join(DEADLINES),
        "one member per open poll with a deadline; it leaves when the poll closes, "
        "by hand or at the deadline (at most 90 days out)",
    ),
    BoundedKey(
        ":".join(OPEN_SET),
        f"one member per open ticket; it leaves when answered or closed; at most {MAX_OPEN:,} "
        "(the oldest leave the list)",
    ),
    BoundedKey(":".join(COUNTS), "three counters: tickets asked, answered, closed"),
    BoundedKey(":".join(TIMES), f"the latest {MAX_TIMES:,} times to answer a ticket"),
    BoundedKey(
        ":".join(ENTRIES),
        f"at most {MAX_LEARNED:,} learned entries, {MAX_LEARNED_PER_WORKSPACE} per workspace; "
        "the oldest make way (a workspace's own first)",
    ),
    BoundedKey(
        ":".join(PHRASINGS),
        f"one field per FAQ entry in content/faq.yaml, at most {MAX_PHRASINGS_PER_ENTRY} "
        f"added phrasings each per workspace and {MAX_PHRASINGS_PER_ENTRY_IN_ALL} in all "
        "(the oldest make way)",
    ),
    BoundedKey(":".join(VERSION), "one counter: learned entries' and phrasings' changes"),
    BoundedKey(
        ":".join(REMINDERS),
        "one member per poll with a `--remind-in` still to come; it leaves when it fires "
        "or the poll is closed by hand (at most 90 days out)",
    ),
    BoundedKey(
        ":".join(REMINDER_RUNS),
        "one member per poll whose reminders are being sent; it leaves when the burst ends "
        "(a stopped server's is resumed by the next sweep and then leaves)",
    ),
    BoundedKey(
        ":".join(SCHEDULES),
        f"one member per live schedule (at most {MAX_SCHEDULES_PER_PERSON} per person), scored "
        "by its next occurrence; a one-off leaves when it is posted, a series when it is stopped",
    ),
)
