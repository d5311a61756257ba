"""Scheduled and recurring polls: keeping them, and posting each occurrence exactly once.

A ``poll`` command with ``--post-at``, ``--post-in`` or ``--repeat ... --at`` is checked in
full (the poll and its timing, :mod:`bot.poll_schedule`) and stored; nothing is posted
then. Every server sweeps the due schedules (:meth:`PollScheduler.sweep`, once a second in
``serve``); moving a schedule on to its next occurrence in Redis is the claim, so each
occurrence is posted by exactly one server. A recurring poll closes the one it posted
before (its results stay). A server that was down at an occurrence posts it on its first
sweep, once, saying it is late; the occurrences missed meanwhile are skipped, never
posted in a burst.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.background import sweep_forever
from bot.events import Actor
from bot.outbound import Place
from bot.poll_command import PollSpec, format_time, zone
from bot.poll_schedule import Recurrence, Timing, late_time
from bot.poll_schedule_store import MAX_SCHEDULES_PER_PERSON, ScheduleStore

if TYPE_CHECKING:
    from bot.polls import PollService

log = logging.getLogger("bot.polls")

#: An occurrence posted more than this many seconds after its time says it is late.
LATE_AFTER_SECONDS = 120


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One posting of a schedule: which schedule, and the note a late one carries."""

    schedule_id: str
    #: When it is posted (epoch seconds): what ``--closes-in`` counts from.
    now: float
    late_note: str = ""


class PollScheduler:
    """Stores schedules and posts their occurrences (every replica sweeps; one posts)."""

    def __init__(self, service: PollService, clock: Callable[[], float] = time.time) -> None:
        self.service = service
        self.schedules = ScheduleStore(service.polls.store)
        self.clock = clock
        self.manage = service.content.poll_manage

    # --- scheduling -------------------------------------------------------------------

    async def schedule(
        self, actor: Actor, text: str, spec: PollSpec, timing: Timing, creator_name: str
    ) -> str:
        """Store a checked poll command to post later; what the creator is told (or why
        not: :class:`ScheduleRefused`)."""
        messages = self.manage.messages
        now = self.clock()
        mine = [m[2:] for m in await self.schedules.mine(actor) if m.startswith("s:")]
        live = [r for r in await self.schedules.records(mine) if r is not None]
        if len(live) >= MAX_SCHEDULES_PER_PERSON:
            raise ScheduleRefused(messages.too_many_series.format(count=len(live)))
        schedule_id = secrets.token_hex(6)
        question = spec.question or self.service.content.polls.team_poll.question
        record: dict[str, Any] = {
            "id": schedule_id,
            "platform": actor.platform,
            "workspace": actor.workspace,
            "channel": actor.channel,
            "creator": {"user": actor.user, "name": creator_name},
            "time_zone": spec.time_zone,
            "text": text,
            "question": question,
            "rule": timing.recurrence.as_json() if timing.recurrence else None,
            "created": now,
            "last_poll": None,
        }
        await self.schedules.save(record, timing.first)
        await self.schedules.remember(actor, f"s:{schedule_id}", now)
        tz = zone(spec.time_zone)
        when = format_time(timing.first, tz)
        log.info("poll schedule %s stored on %s", schedule_id, actor.platform)
        if timing.recurrence is None:
            return messages.scheduled_once.format(question=question, when=when)
        rule = timing.recurrence.describe(self.manage)
        return messages.scheduled_series.format(question=question, rule=rule, when=when)

    # --- posting ----------------------------------------------------------------------

    async def sweep(self, now: float | None = None) -> list[str]:
        """Post every due occurrence this server wins; the ids of the polls it posted."""
        now = self.clock() if now is None else now
        posted = []
        for schedule_id, occurrence in await self.schedules.due(now):
            record = await self.schedules.record(schedule_id)
            if record is None:  # stopped meanwhile, or long expired
                await self.schedules.claim(schedule_id, occurrence, None)
                continue
            recurrence = Recurrence.from_json(record.get("rule"))
            tz = zone(str(record.get("time_zone") or ""))
            # The next one after now, not after the one due: missed ones are skipped.
            following = recurrence.next_after(now, tz) if recurrence else None
            if not await self.schedules.claim(schedule_id, occurrence, following):
                continue  # another server posts this one
            creator = str((record.get("creator") or {}).get("user") or "")
            if (await self.service.people.look_up(_creator_of(record))).departed:
                # Nobody could stop it any more (only its creator may): it ends here.
                log.info("poll schedule %s stopped: its creator's account is gone", schedule_id)
                await self.schedules.stop(schedule_id)
                await self.schedules.forget(
                    str(record["platform"]), str(record["workspace"]), creator, f"s:{schedule_id}"
                )
                continue
            # A server that was down posts once, for the latest occurrence it missed.
            while recurrence and (later := recurrence.next_after(occurrence, tz)) <= now:
                occurrence = later
            late = ""
            if now - occurrence > LATE_AFTER_SECONDS:
                late = self.manage.messages.posted_late.format(time=late_time(occurrence, now, tz))
            poll_id = await self._post(record, Occurrence(schedule_id, now, late), now)
            if following is None:
                await self.schedules.stop(schedule_id)  # a one-off: done
                await self.schedules.forget(
                    str(record["platform"]), str(record["workspace"]), creator, f"s:{schedule_id}"
                )
            else:
                await self.schedules.keep_series(
                    str(record["platform"]), str(record["workspace"]), creator
                )
                record["last_poll"] = poll_id or record.get("last_poll")
                await self.schedules.rewrite(record, following, now)
            if poll_id:
                posted.append(poll_id)
        return posted

    async def _post(self, record: dict[str, Any], occurrence: Occurrence, now: float) -> str:
        """Close the series' previous poll, post the new one; its id ('' when not posted)."""
        service = self.service
        actor = _creator_of(record)
        previous = record.get("last_poll")
        closed = isinstance(previous, str) and bool(previous)
        if closed and await service.polls.close(str(previous), now, "schedule") == 1:
            await service.reminders.forget(str(previous))  # its timed reminder won't come
            service.refresher.schedule(str(previous), force=True)
        replies = await service.start(actor, str(record["text"]), occurrence=occurrence)
        poll = next((r for r in replies if r.new_poll), None)
        if poll is None:
            log.warning("poll schedule %s: its poll could not be made", occurrence.schedule_id)
            return ""
        place = Place(actor.platform, actor.workspace, actor.channel)
        reference = await service.outbox.post(place, poll)
        if reference is None:
            log.warning("poll schedule %s: the poll could not be posted", occurrence.schedule_id)
            await service.polls.delete(poll.new_poll)  # nobody can see or vote on it
            await service.reminders.deleted(poll.new_poll)
            if poll.not_posted is not None:  # tell the creator privately, where possible
                await service.outbox.notify(actor, poll.not_posted)
            return ""
        await service.attach_message(poll.new_poll, reference)
        log.info("poll schedule %s posted poll %s", occurrence.schedule_id, poll.new_poll)
        return poll.new_poll

    async def run(self, every: float = 1.0) -> None:
        """Sweep schedules forever (a background task of ``serve``); survives outages."""
        await sweep_forever(self.sweep, every, "poll schedule sweep", log)


def _creator_of(record: dict[str, Any]) -> Actor:
    """The schedule's creator, where they set it up: who each of its polls is started as."""
    creator = record.get("creator") or {}
    return Actor(
        platform=str(record["platform"]),
        workspace=str(record["workspace"]),
        channel=str(record["channel"]),
        user=str(creator.get("user") or ""),
        user_name=str(creator.get("name") or ""),
        time_zone=str(record.get("time_zone") or ""),
    )


class ScheduleRefused(ValueError):
    """A schedule that may not be stored; ``str(error)`` says why, for the person."""
