"""Tickets: questions handed to a workspace's experts, and their one-way lifecycle.

A ticket is born ``open``; an expert may take it (``assigned``); it ends ``answered`` or
``closed``. Every move is one Lua script (``expert_tickets.lua``) that checks the current
state and writes the new one together, so two experts pressing "Answer" at the same moment
produce exactly one answer: the second is told it was already answered.

Keys (all under one hash tag, ``{experts}``, so each script touches one Cluster slot):

* ``experts:{experts}:ticket:<id>``  hash: state, question, who asked and where, who
  answered and what; expires :data:`TICKET_TTL_SECONDS` after it was asked.
* ``experts:{experts}:open``  sorted set of open ticket ids by when they were asked; a
  ticket leaves it when answered or closed; at most :data:`MAX_OPEN` (the oldest go).
* ``experts:{experts}:counts``  hash of counters: ``asked``, ``answered``, ``closed``.
* ``experts:{experts}:times``  list of the latest :data:`MAX_TIMES` times to answer, in
  seconds (the report's median).
"""

from __future__ import annotations

import importlib.resources
import json
import secrets
import statistics
import time
from dataclasses import dataclass
from typing import Any, cast

from bot.events import Actor
from bot.outbound import MessageRef, Place
from bot.store import StateStore, reachable

#: How long a ticket is kept after it was asked, answered or not.
TICKET_TTL_SECONDS = 30 * 24 * 3600
#: How many open tickets are listed at most (the oldest leave the list, not Redis).
MAX_OPEN = 5000
#: How many answer times the median is taken over.
MAX_TIMES = 1000
#: The states, and where each may move to.
OPEN, ASSIGNED, ANSWERED, CLOSED = "open", "assigned", "answered", "closed"
TAG = "{experts}"
OPEN_SET = ("experts", TAG, "open")
COUNTS = ("experts", TAG, "counts")
TIMES = ("experts", TAG, "times")
#: Longest question kept on a ticket, in characters.
MAX_TICKET_QUESTION = 500


def _ticket_parts(ticket_id: str) -> tuple[str, ...]:
    return ("experts", TAG, "ticket", ticket_id)


@dataclass(frozen=True, slots=True)
class Ticket:
    """One question for the experts, as Redis holds it."""

    id: str
    state: str
    question: str
    #: Who asked, and the place the answer goes back to.
    asker: Actor
    place: Place
    #: True when the question was asked where others could see it (the answer is posted
    #: there too); False for a direct message or a private answer (only the asker sees it).
    in_public: bool
    created: float
    assignee_name: str = ""
    handled_by: str = ""
    handled_by_name: str = ""
    handled_at: float = 0.0
    answer: str = ""
    #: The learned FAQ entry the answer became ("" when it did not, or was retracted).
    learned: str = ""
    retracted_by: str = ""
    #: Where the ticket's card sits in the experts' place (the platform's reference).
    card: MessageRef | None = None

    @classmethod
    def from_hash(cls, ticket_id: str, raw: dict[str, str]) -> Ticket:
        """The ticket stored as ``raw`` (a Redis hash)."""
        asker = Actor(
            platform=raw.get("platform", ""),
            workspace=raw.get("workspace", ""),
            channel=raw.get("channel", ""),
            user=raw.get("asker", ""),
            user_name=raw.get("asker_name", ""),
        )
        card = json.loads(raw["card"]) if raw.get("card") else None
        return cls(
            id=ticket_id,
            state=raw.get("state", OPEN),
            question=raw.get("question", ""),
            asker=asker,
            place=Place(asker.platform, asker.workspace, asker.channel, raw.get("thread", "")),
            in_public=raw.get("public") == "1",
            created=float(raw.get("created") or 0),
            assignee_name=raw.get("assignee_name", ""),
            handled_by=raw.get("handled_by", ""),
            handled_by_name=raw.get("handled_by_name", ""),
            handled_at=float(raw.get("handled_at") or 0),
            answer=raw.get("answer", ""),
            learned=raw.get("learned", ""),
            retracted_by=raw.get("retracted_by", ""),
            card=card if isinstance(card, dict) else None,
        )


@dataclass(frozen=True, slots=True)
class Move:
    """What a state transition did: moved (from ``previous``), or not (``state`` is where
    the ticket already was), or there was no ticket."""

    moved: bool
    state: str
    exists: bool = True


@dataclass(frozen=True, slots=True)
class TicketCounts:
    """The report's numbers."""

    asked: int
    answered: int
    closed: int
    unanswered: int
    median_seconds: float | None

    def as_json(self) -> dict[str, Any]:
        """The counts as plain JSON-ready data."""
        return {
            "asked": self.asked,
            "answered": self.answered,
            "closed": self.closed,
            "unanswered": self.unanswered,
            "median_seconds_to_answer": self.median_seconds,
        }

    def as_text(self) -> str:
        """The counts as lines for a terminal."""
        median = "-" if self.median_seconds is None else _duration(self.median_seconds)
        return "\n".join(
            [
                "Questions for the experts:",
                f"  asked {self.asked}, answered {self.answered}, closed {self.closed}, "
                f"unanswered {self.unanswered}",
                f"  median time to answer: {median}",
            ]
        )


def _duration(seconds: float) -> str:
    """``seconds`` as ``2h 05m`` or ``4m 10s``."""
    minutes, rest = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {rest:02d}s"


class TicketStore:
    """Tickets in Redis: create, read, move exactly once, list the old open ones."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        script = importlib.resources.files("bot").joinpath("expert_tickets.lua")
        self._move = store.client.register_script(script.read_text(encoding="utf-8"))

    def _key(self, *parts: str) -> str:
        return self.store.key(*parts)

    async def create(self, asker: Actor, question: str, *, in_public: bool, thread: str) -> Ticket:
        """A new open ticket for ``question``, asked by ``asker``."""
        ticket_id = secrets.token_hex(6)
        now = time.time()
        fields = {
            "state": OPEN,
            "question": question[:MAX_TICKET_QUESTION],
            "platform": asker.platform,
            "workspace": asker.workspace,
            "channel": asker.channel,
            "thread": thread,
            "asker": asker.user,
            "asker_name": asker.user_name,
            "public": "1" if in_public else "0",
            "created": f"{now:.3f}",
        }
        key = self._key(*_ticket_parts(ticket_id))
        async with reachable("ticket_create"), self.store.client.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping=cast("dict[Any, Any]", fields))
            pipe.expire(key, TICKET_TTL_SECONDS)
            pipe.zadd(self._key(*OPEN_SET), {ticket_id: now})
            pipe.zremrangebyrank(self._key(*OPEN_SET), 0, -MAX_OPEN - 1)
            pipe.hincrby(self._key(*COUNTS), "asked", 1)
            await pipe.execute()
        return Ticket.from_hash(ticket_id, fields)

    async def get(self, ticket_id: str) -> Ticket | None:
        """The ticket, or None when there is none (unknown id, expired)."""
        if not ticket_id.isalnum() or len(ticket_id) > 40:
            return None
        async with reachable("ticket_get"):
            raw: Any = await self.store.client.hgetall(self._key(*_ticket_parts(ticket_id)))
        return Ticket.from_hash(ticket_id, raw) if raw else None

    async def set_fields(self, ticket_id: str, **fields: str) -> None:
        """Note more about a ticket that exists (its card's place, a retraction)."""
        key = self._key(*_ticket_parts(ticket_id))
        async with reachable("ticket_note"):
            if await self.store.client.exists(key):
                await self.store.client.hset(key, mapping=cast("dict[Any, Any]", fields))

    async def move(self, ticket_id: str, allowed: tuple[str, ...], to: str, **fields: str) -> Move:
        """Move the ticket from one of ``allowed`` to ``to``, setting ``fields``, once."""
        pairs: list[str] = []
        for name, value in fields.items():
            pairs += [name, value]
        keys = [
            self._key(*_ticket_parts(ticket_id)),
            self._key(*OPEN_SET),
            self._key(*COUNTS),
            self._key(*TIMES),
        ]
        args: list[str | int] = [
            ",".join(allowed),
            to,
            ticket_id,
            f"{time.time():.3f}",
            MAX_TIMES,
            *pairs,
        ]
        async with reachable("ticket_move"):
            result: Any = await self._move(keys=keys, args=args)
        status, state = int(result[0]), str(result[1])
        if status < 0:
            return Move(False, "", exists=False)
        return Move(status == 1, to if status == 1 else state)

    async def open_since(self, before: float, limit: int = 50) -> list[Ticket]:
        """Open (or assigned) tickets asked before ``before``, oldest first."""
        async with reachable("ticket_open"):
            ids: Any = await self.store.client.zrangebyscore(
                self._key(*OPEN_SET), "-inf", before, start=0, num=limit
            )
        found = [await self.get(ticket_id) for ticket_id in ids]
        return [t for t in found if t is not None and t.state in (OPEN, ASSIGNED)]

    async def counts(self) -> TicketCounts:
        """Asked, answered, closed, still unanswered, and the median time to answer."""
        async with reachable("ticket_counts"):
            raw: Any = await self.store.client.hgetall(self._key(*COUNTS))
            unanswered = int(await self.store.client.zcard(self._key(*OPEN_SET)))
            times: Any = await self.store.client.lrange(self._key(*TIMES), 0, -1)
        median = statistics.median(float(t) for t in times) if times else None
        return TicketCounts(
            asked=int(raw.get("asked", 0)),
            answered=int(raw.get("answered", 0)),
            closed=int(raw.get("closed", 0)),
            unanswered=unanswered,
            median_seconds=median,
        )
