"""Reminding those who haven't voted: the creator's Remind button and ``--remind-in``.

A burst of reminders goes to every member of the poll's conversation who hasn't voted,
skipping bots and the creator, each as a private note (:meth:`bot.outbound.Outbox.notify`);
those the platform cannot reach privately are named in one message in the poll's thread
(:meth:`bot.roster.Roster.mention`), except in anonymous polls, where nobody may learn who
hasn't voted. Members come from the platform's roster port (:mod:`bot.roster`).

Exactly once, across replicas and restarts:

* each person is recorded in ``poll:{id}:reminded`` *before* their reminder is sent (one
  Lua call that also checks they haven't voted meanwhile), and nobody is reminded about
  one poll twice within ``repeat_hours``; a server that stops halfway reminds nobody twice;
* one server at a time sends a poll's burst: it holds a lease in ``poll-reminder-runs``
  (score: when the lease ends), renewed as it goes; when a server stops mid-burst its lease
  lapses and the next sweep (on any replica) resumes the burst where it stopped;
* a timed reminder waits in ``poll-reminders`` (score: when it is due) and is claimed by
  removing it, as deadlines are (:class:`bot.poll_refresh.DeadlineSweeper`).

Reminders are paced (``send_interval_seconds`` in content; chat platforms allow about one message
a second) and a throttled send waits out ``Retry-After`` in the front end's client. In an
anonymous poll, who has voted is known only as keyed hashes: members are hashed the same
way and compared, and the records of who was reminded hold those hashes too.
"""

from __future__ import annotations

import asyncio
import importlib.resources
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.background import BackgroundWork, finished_within
from bot.content import Content
from bot.events import Actor
from bot.outbound import Outbox, Place
from bot.poll_store import POLL_TTL_SECONDS
from bot.replies import Reply, ReplyKind, Tone, Visibility
from bot.roster import Member, Rosters
from bot.store import StateStore, StoreUnavailable, reachable

log = logging.getLogger("bot.polls")

#: Timed reminders (``--remind-in``): poll id -> when it is due (epoch seconds).
REMINDERS = ("poll-reminders",)
#: Bursts being sent: poll id -> when the sending server's lease ends.
REMINDER_RUNS = ("poll-reminder-runs",)
#: How long a sending server holds a burst without renewing its lease.
LEASE_SECONDS = 60.0
#: A burst's running counts outlive it by this much at most.
JOB_TTL_SECONDS = 7 * 24 * 3600
#: What recording a person before their reminder can answer.
RECORDED, RECENTLY_REMINDED, HAS_VOTED, POLL_CLOSED = 1, 0, 2, 3


def _script(name: str) -> str:
    return importlib.resources.files("bot").joinpath(name).read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one burst did, counted across the servers that sent it."""

    reminded: int
    unreachable: int
    #: False when the platform would not say who is in the conversation.
    listed: bool = True


class ReminderStore:
    """The reminders' Redis keys: timed reminders, burst leases, who was reminded when."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        client = store.client
        self._record = client.register_script(_script("poll_remind_person.lua"))
        self._lease = client.register_script(_script("poll_remind_run.lua"))

    def _key(self, poll_id: str, part: str) -> str:
        return self.store.key("poll", "{" + poll_id + "}", part)

    @property
    def _timed(self) -> str:
        return self.store.key(*REMINDERS)

    @property
    def _runs(self) -> str:
        return self.store.key(*REMINDER_RUNS)

    async def schedule(self, poll_id: str, when: float) -> None:
        """Remind the poll's non-voters at ``when``."""
        async with reachable("reminder schedule"):
            await self.store.client.zadd(self._timed, {poll_id: when})

    async def due(self, now: float, limit: int = 100) -> list[str]:
        """Timed reminders that are due and that no server has claimed yet."""
        async with reachable("reminders due"):
            found = await self.store.client.zrangebyscore(
                self._timed, "-inf", now, start=0, num=limit
            )
        return [str(poll_id) for poll_id in found]

    async def claim_timed(self, poll_id: str) -> bool:
        """Take a due timed reminder; only one server ever gets True."""
        async with reachable("reminder claim"):
            return bool(await self.store.client.zrem(self._timed, poll_id))

    async def drop_timed(self, poll_id: str) -> None:
        """Forget a poll's timed reminder (the poll closed)."""
        async with reachable("reminder drop"):
            await self.store.client.zrem(self._timed, poll_id)

    async def lease(self, poll_id: str, now: float, *, resume: bool) -> bool:
        """Hold the sending of the poll's burst for :data:`LEASE_SECONDS`: a new burst
        (unless one is being sent), or one whose sender stopped (``resume``)."""
        mode = "resume" if resume else "start"
        args: list[str | float] = [poll_id, now, now + LEASE_SECONDS, mode]
        async with reachable("reminder lease"):
            return bool(await self._lease(keys=[self._runs], args=args))

    async def renew(self, poll_id: str, now: float) -> None:
        """Keep holding the burst (only while it is still listed)."""
        async with reachable("reminder lease"):
            await self.store.client.zadd(self._runs, {poll_id: now + LEASE_SECONDS}, xx=True)

    async def lapsed(self, now: float, limit: int = 100) -> list[str]:
        """Bursts whose sender's lease has run out (it stopped halfway)."""
        async with reachable("reminder leases"):
            found = await self.store.client.zrangebyscore(
                self._runs, "-inf", now, start=0, num=limit
            )
        return [str(poll_id) for poll_id in found]

    async def begin(self, poll_id: str, now: float) -> None:
        """Start a burst's counts afresh."""
        key = self._key(poll_id, "remind-job")
        async with reachable("reminder job"), self.store.client.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            pipe.hset(key, mapping={"started": now, "reminded": 0, "unreachable": 0})
            pipe.expire(key, JOB_TTL_SECONDS)
            await pipe.execute()

    async def unreached(self, poll_id: str, amount: int = 1) -> None:
        """Count people as not reached after all (no private note got to them)."""
        await self._move(poll_id, "reminded", "unreachable", amount)

    async def reached(self, poll_id: str, amount: int) -> None:
        """Count people not reached privately as reminded (named in the thread)."""
        await self._move(poll_id, "unreachable", "reminded", amount)

    async def _move(self, poll_id: str, source: str, target: str, amount: int) -> None:
        key = self._key(poll_id, "remind-job")
        async with (
            reachable("reminder count"),
            self.store.client.pipeline(transaction=True) as pipe,
        ):
            pipe.hincrby(key, source, -amount)
            pipe.hincrby(key, target, amount)
            pipe.expire(key, JOB_TTL_SECONDS)
            await pipe.execute()

    async def finish(self, poll_id: str) -> Outcome:
        """End the burst: its counts, and its lease and counts gone."""
        key = self._key(poll_id, "remind-job")
        async with reachable("reminder finish"):
            counts = await self.store.client.hgetall(key)
            await self.store.client.zrem(self._runs, poll_id)
            await self.store.client.delete(key)
        return Outcome(int(counts.get("reminded", 0)), int(counts.get("unreachable", 0)))

    async def voters(self, poll_id: str) -> set[str]:
        """The voter keys of everyone who has voted (keyed hashes when anonymous)."""
        async with reachable("poll voters"):
            return {str(v) for v in await self.store.client.hkeys(self._key(poll_id, "votes"))}

    async def record(self, poll_id: str, voter: str, now: float, repeat_seconds: float) -> int:
        """Record ``voter`` as reminded now, before the reminder goes, and count them in
        the burst: :data:`RECORDED`, else :data:`RECENTLY_REMINDED`, :data:`HAS_VOTED` or
        :data:`POLL_CLOSED` (send nothing)."""
        parts = ("reminded", "votes", "remind-job", "state")
        keys = [self._key(poll_id, part) for part in parts]
        args: list[str | float] = [voter, now, repeat_seconds, POLL_TTL_SECONDS, JOB_TTL_SECONDS]
        async with reachable("reminder record"):
            return int(await self._record(keys=keys, args=args))


class PollReminders:
    """Sends the reminders of every poll on this server; one instance per process."""

    def __init__(
        self,
        content: Content,
        store: StateStore,
        outbox: Outbox,
        rosters: Rosters,
        voter_of: Callable[[dict[str, Any], Actor], str],
        clock: Callable[[], float] = time.time,
    ) -> None:
        settings = content.polls.reminders
        self.messages = content.polls.messages
        self.store = ReminderStore(store)
        self.outbox = outbox
        self.rosters = rosters
        self.voter_of = voter_of
        self.clock = clock
        #: Seconds between two reminders of a burst (tests set 0).
        self.send_interval = settings.send_interval_seconds
        self.repeat_seconds = settings.repeat_hours * 3600
        #: How long a Remind press waits for the count before saying it comes later.
        self.answer_within = settings.answer_within_seconds
        self.mentions_per_message = settings.mentions_per_message
        self._bursts = BackgroundWork("reminders")
        #: Polls whose Remind press is still waiting to answer with the count itself.
        self._answering: set[str] = set()
        #: When this server last sent a reminder (the event loop's clock), for the pace.
        self._sent_at = float("-inf")

    # --- starting -------------------------------------------------------------------

    async def remind_now(self, meta: dict[str, Any]) -> tuple[ReplyKind, str]:
        """Start a burst for the poll (its creator pressed Remind); what to tell them: the
        count when the burst ends in time, else that a note with it follows."""
        poll_id = meta["id"]
        if self.rosters.get(meta["platform"]) is None:
            return ReplyKind.POLL_ERROR, self.messages.remind_unavailable
        if not await self.store.lease(poll_id, self.clock(), resume=False):
            return ReplyKind.POLL_REMINDING, self.messages.reminders_running
        await self.store.begin(poll_id, self.clock())
        self._answering.add(poll_id)
        burst = self._bursts.spawn(self._burst(poll_id), f"reminders of poll {poll_id}")
        try:
            if await finished_within(burst, self.answer_within) and not burst.cancelled():
                outcome = burst.result()
                if outcome is not None:
                    return ReplyKind.POLL_REMINDED, self.summary(outcome)
        finally:
            # From here on the burst tells the creator itself (nothing awaits in between).
            self._answering.discard(poll_id)
        return ReplyKind.POLL_REMINDING, self.messages.reminding

    async def schedule(self, poll_id: str, when: float) -> None:
        """Remind the poll's non-voters at ``when`` (``--remind-in``)."""
        await self.store.schedule(poll_id, when)

    async def forget(self, poll_id: str) -> None:
        """The poll closed: its timed reminder, if any, will not come."""
        await self.store.drop_timed(poll_id)

    async def sweep(self, now: float | None = None) -> list[str]:
        """Start every due timed reminder and resume every burst whose sender stopped;
        each exactly once across servers. The polls started or resumed here."""
        now = self.clock() if now is None else now
        started = []
        for poll_id in await self.store.due(now):
            if not await self.store.claim_timed(poll_id):
                continue  # another server got it
            if await self.store.lease(poll_id, now, resume=False):
                await self.store.begin(poll_id, now)
                started.append(poll_id)
        for poll_id in await self.store.lapsed(now):
            if await self.store.lease(poll_id, now, resume=True):
                log.info("poll %s: resuming reminders a stopped server left", poll_id)
                started.append(poll_id)
        for poll_id in started:
            self._bursts.spawn(self._burst(poll_id), f"reminders of poll {poll_id}")
        return started

    async def run_sweeper(self, every: float = 1.0) -> None:
        """Sweep timed and stopped reminders forever (a background task of ``serve``)."""
        while True:
            try:
                await self.sweep()
            except StoreUnavailable:
                pass  # already logged; try again next round
            except Exception:
                log.exception("reminder sweep failed")
            await asyncio.sleep(every)

    async def drain(self) -> None:
        """Wait for every burst on this server to finish (tests)."""
        await self._bursts.drain()

    async def stop(self) -> None:
        """Stop this server's bursts now (shutdown): their leases lapse and another
        server, or this one after its restart, resumes each where it stopped."""
        await self._bursts.drain(timeout=0)

    # --- one burst ------------------------------------------------------------------

    def summary(self, outcome: Outcome) -> str:
        """What the creator reads once a burst is done."""
        messages = self.messages
        if not outcome.listed:
            return messages.roster_unavailable
        if outcome.reminded == 0 and outcome.unreachable == 0:
            return messages.reminded_none.format(hours=self.repeat_seconds // 3600)
        text = (
            messages.reminded_one
            if outcome.reminded == 1
            else messages.reminded_many.format(count=f"{outcome.reminded:,}")
        )
        if outcome.unreachable:
            unreachable = messages.reminded_unreachable.format(count=f"{outcome.unreachable:,}")
            text = f"{text} {unreachable}"
        return text

    async def _burst(self, poll_id: str) -> Outcome | None:
        """Remind the poll's non-voters (this server holds the lease); None when the
        store went away (the lease lapses and a later sweep resumes)."""
        try:
            return await self._send_burst(poll_id)
        except StoreUnavailable:
            return None

    async def _send_burst(self, poll_id: str) -> Outcome:
        meta = await _poll(self.store.store, poll_id)
        roster = self.rosters.get(meta["platform"]) if meta else None
        message = meta.get("message") if meta else None
        if meta is None or roster is None or not isinstance(message, dict):
            return await self.store.finish(poll_id)
        if await _is_closed(self.store.store, poll_id):
            return await self.store.finish(poll_id)
        place = Place(meta["platform"], meta["workspace"], meta["channel"])
        voted = await self.store.voters(poll_id)
        creator = meta["creator"]["user"]
        renewed = self.clock()
        waiting: list[Member] = []
        listed = 0
        async for page in roster.members(place, message):
            listed += len(page)
            waiting += [
                member
                for member in page
                if member.user
                and not member.is_bot
                and member.user != creator
                and self.voter_of(meta, self._actor(meta, member)) not in voted
            ]
            renewed = await self._keep_lease(poll_id, renewed)
        if not listed:  # a conversation holds at least its creator: the platform refused
            log.warning("poll %s: nobody reminded, the members could not be listed", poll_id)
            await self.store.finish(poll_id)
            return await self._done(meta, Outcome(0, 0, listed=False))
        reminder = self._reminder(meta)
        unreached: list[Member] = []
        for member in waiting:
            if not await roster.is_person(meta["workspace"], member):
                continue
            person = self._actor(meta, member)
            voter = self.voter_of(meta, person)
            await self._pace()  # before the record, so it is made just before the send
            status = await self.store.record(poll_id, voter, self.clock(), self.repeat_seconds)
            if status == POLL_CLOSED:
                log.info("poll %s closed during its reminders: the rest are not sent", poll_id)
                break
            if status != RECORDED:
                continue
            sent = await self.outbox.notify(person, reminder)
            self._sent_at = asyncio.get_running_loop().time()
            if not sent:
                await self.store.unreached(poll_id)
                unreached.append(member)
            renewed = await self._keep_lease(poll_id, renewed)
        if unreached and not meta["anonymous"]:
            await self._mention(poll_id, meta, message, unreached)
        outcome = await self.store.finish(poll_id)
        log.info(
            "poll %s: %d reminded, %d unreachable", poll_id, outcome.reminded, outcome.unreachable
        )
        return await self._done(meta, outcome)

    async def _done(self, meta: dict[str, Any], outcome: Outcome) -> Outcome:
        """Tell the creator how it went, unless their press is still waiting to say so."""
        if meta["id"] not in self._answering:
            await self._tell_creator(meta, outcome)
        return outcome

    async def _mention(
        self, poll_id: str, meta: dict[str, Any], message: dict[str, Any], people: list[Member]
    ) -> None:
        """Name those no private note reached in the poll's thread, a few per message."""
        roster = self.rosters.get(meta["platform"])
        if roster is None:
            return
        reply = Reply(
            kind=ReplyKind.POLL_REMINDER,
            text=self.messages.reminder_mention.format(
                creator=meta["creator"]["name"], question=meta["question"]
            ),
            visibility=Visibility.SHARED,
        )
        size = self.mentions_per_message
        for start in range(0, len(people), size):
            chunk = people[start : start + size]
            await self._pace()
            mentioned = await roster.mention(message, chunk, reply)
            self._sent_at = asyncio.get_running_loop().time()
            if mentioned:
                await self.store.reached(poll_id, len(chunk))

    async def _pace(self) -> None:
        """Wait until ``send_interval`` has passed since this server's last reminder."""
        wait = self._sent_at + self.send_interval - asyncio.get_running_loop().time()
        if wait > 0:
            await asyncio.sleep(wait)

    async def _keep_lease(self, poll_id: str, renewed: float) -> float:
        """Renew the lease when a third of it has gone; when it was last renewed."""
        now = self.clock()
        if now - renewed < LEASE_SECONDS / 3:
            return renewed
        await self.store.renew(poll_id, now)
        return now

    async def _tell_creator(self, meta: dict[str, Any], outcome: Outcome) -> None:
        creator = meta["creator"]
        person = Actor(meta["platform"], meta["workspace"], "", creator["user"], creator["name"])
        text = f"{self.messages.reminded_about.format(question=meta['question'])} "
        note = Reply(
            kind=ReplyKind.POLL_REMINDED,
            text=text + self.summary(outcome),
            tone=Tone.SUCCESS,
        )
        if not await self.outbox.notify(person, note):
            log.info("poll %s: the creator could not be told how the reminders went", meta["id"])

    def _reminder(self, meta: dict[str, Any]) -> Reply:
        """The private note each non-voter gets."""
        text = self.messages.reminder.format(
            creator=meta["creator"]["name"], question=meta["question"]
        )
        return Reply(kind=ReplyKind.POLL_REMINDER, text=text, tone=Tone.INFO)

    @staticmethod
    def _actor(meta: dict[str, Any], member: Member) -> Actor:
        return Actor(meta["platform"], meta["workspace"], "", member.user, member.name)


async def _poll(store: StateStore, poll_id: str) -> dict[str, Any] | None:
    value = await store.get_json("poll", "{" + poll_id + "}", "meta")
    return value if isinstance(value, dict) else None


async def _is_closed(store: StateStore, poll_id: str) -> bool:
    async with reachable("poll state"):
        closed = await store.client.hget(store.key("poll", "{" + poll_id + "}", "state"), "closed")
    return closed == "1"
