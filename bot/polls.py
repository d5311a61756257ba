"""Team polls: start, vote, live results, close by hand or at a deadline, export.

The poll logic lives here, platform-neutral; front ends render the replies and, through a
:class:`PollPublisher` they register, update a poll's shared message when its results
change. Updates are coalesced: at most one per poll per refresh window (2 s), across all
server replicas (a Redis ``SET NX PX`` claim), and the last update always shows the final
state (the holder of the window checks again when it ends).
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import hmac
import io
import logging
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Protocol

from bot.content import Content
from bot.events import Actor
from bot.metrics import VOTES
from bot.poll_command import PollInputError, format_time, parse_poll, zone
from bot.poll_store import (
    VOTE_CLOSED,
    VOTE_MOVED,
    VOTE_NEW,
    VOTE_NO_POLL,
    VOTE_UNCHANGED,
    VOTE_WITHDRAWN,
    PollStore,
    Tally,
)
from bot.questionnaire import Questionnaire
from bot.replies import (
    Attachment,
    Bar,
    Choice,
    ChoiceStyle,
    Placement,
    Reply,
    Section,
    Visibility,
)
from bot.scoring import Recommendation
from bot.store import StateStore, StoreUnavailable

log = logging.getLogger(__name__)

FILLED, EMPTY = "▇", "▁"
#: The actor extra a front end sets when its admins may close any poll (the refusal names them).
ADMINS_MANAGE_POLLS = "admins_manage_polls"
#: How many people a poll's message is shown to as a view of their own (Teams' limit).
MAX_VIEWERS = 60
#: How many polls' fixed parts each process keeps in memory.
_DEFINITIONS_CACHED = 1024
_VOTE_RESULTS = {
    VOTE_NEW: "new",
    VOTE_MOVED: "moved",
    VOTE_WITHDRAWN: "withdrawn",
    VOTE_UNCHANGED: "unchanged",
    VOTE_CLOSED: "closed",
    VOTE_NO_POLL: "missing",
}


class PollPublisher(Protocol):
    """What a front end gives the poll service to update a poll's shared message."""

    async def publish_poll(self, meta: dict[str, Any], reply: Reply) -> None:
        """Replace the poll's message (``meta['message']`` is the front end's reference)."""


def result_line(count: int, total: int, width: int, vote_one: str, vote_many: str) -> str:
    """The contract's result line: ``▇▇▇▇▁▁▁▁ 12 votes (40%)``."""
    fraction = count / total if total else 0.0
    # Round up, so any option with a vote shows at least one block; but only a unanimous
    # option fills the whole bar.
    filled = math.ceil(fraction * width)
    if count < total:
        filled = min(filled, width - 1)
    votes = (vote_one if count == 1 else vote_many).format(count=count)
    return f"{FILLED * filled}{EMPTY * (width - filled)} {votes} ({round(fraction * 100)}%)"


class PollService:
    """Runs every poll; one instance per server process."""

    def __init__(
        self,
        content: Content,
        store: StateStore,
        questionnaire: Questionnaire,
        *,
        secret: bytes | None = None,
        refresh_window: float = 2.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.content = content
        self.polls = PollStore(store)
        self.questionnaire = questionnaire
        self.messages = content.polls.messages
        self.refresh_window = refresh_window
        self.clock = clock
        self.publishers: dict[str, PollPublisher] = {}
        self._secret = secret
        self._tasks: set[asyncio.Task[None]] = set()
        self._refreshing: set[str] = set()
        self._definitions: dict[str, dict[str, Any]] = {}

    # --- wiring -----------------------------------------------------------------------

    def register_publisher(self, platform: str, publisher: PollPublisher) -> None:
        """Let a front end update the messages of polls started on its platform."""
        self.publishers[platform] = publisher

    async def attach_message(self, poll_id: str, reference: dict[str, Any]) -> None:
        """Remember where the poll's shared message is, so it can be updated later."""
        await self.polls.update_meta(poll_id, {"message": reference})
        # A vote that landed while the message was being posted had nowhere to show.
        version, rendered = await self.polls.render_lag(poll_id)
        if version > max(rendered, 0):
            self._schedule_refresh(poll_id, force=True)  # its window claim found no message

    async def add_viewer(self, poll_id: str, viewer: str) -> None:
        """Remember someone to whom the front end shows the poll's message as their own view
        (the newest :data:`MAX_VIEWERS`); :meth:`PollPublisher.publish_poll` gets them as
        ``meta['viewers']``."""
        await self.polls.add_viewer(poll_id, viewer, MAX_VIEWERS)

    async def is_anonymous(self, poll_id: str) -> bool:
        """True for an anonymous poll (nothing may tell who took part); False when unknown."""
        meta = await self._definition(poll_id)
        return bool(meta and meta["anonymous"])

    async def drain(self) -> None:
        """Wait for every pending message update (tests, graceful shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # --- starting ---------------------------------------------------------------------

    async def start(self, actor: Actor, text: str) -> list[Reply]:
        """Create a poll from a ``poll`` command; a private note on bad input."""
        polls = self.content.polls
        now = self.clock()
        try:
            spec = parse_poll(text, polls, now, actor.extras.get("tz", ""))
        except PollInputError as problem:
            return [self._private("poll.error", f"{problem}\n\n{self.messages.usage}")]
        team = spec.question is None
        meta: dict[str, Any] = {
            "id": secrets.token_hex(6),
            "platform": actor.platform,
            "workspace": actor.workspace,
            "channel": actor.channel,
            "question": polls.team_poll.question if team else spec.question,
            "options": list(spec.options),
            "outcomes": [o.outcome for o in polls.team_poll.options] if team else [],
            "quiz_option": next(
                (i for i, o in enumerate(polls.team_poll.options) if o.runs_questionnaire), None
            )
            if team
            else None,
            "team": team,
            "anonymous": spec.anonymous,
            "hide_results": spec.hide_results,
            "deadline": spec.deadline,
            "time_zone": spec.time_zone,
            "creator": {"user": actor.user, "name": actor.user_name or actor.user},
            "created": now,
            "message": None,
        }
        await self.polls.create(meta["id"], meta, spec.deadline)
        log.info(
            "poll %s started on %s (%d options)", meta["id"], actor.platform, len(spec.options)
        )
        return [self.render(meta, Tally.empty(len(spec.options)))]

    # --- voting -----------------------------------------------------------------------

    def _voter(self, meta: dict[str, Any], actor: Actor) -> str:
        """The key a vote is stored under: the user id, or a keyed hash when anonymous."""
        if not meta["anonymous"]:
            return actor.user
        key = self._secret or meta["id"].encode()
        return hmac.new(key, f"{meta['id']}:{actor.user}".encode(), hashlib.sha256).hexdigest()[:32]

    async def vote(self, actor: Actor, value: str) -> list[Reply]:
        """A press on a poll option: cast, move or withdraw, confirmed privately."""
        poll_id, _, index_text = value.partition(":")
        meta = await self._definition(poll_id) if poll_id else None
        if meta is None or not index_text.isdigit() or int(index_text) >= len(meta["options"]):
            return [self._private("poll.missing", self.messages.poll_missing)]
        option = int(index_text)
        if option == meta.get("quiz_option"):
            return await self._start_questionnaire(actor, meta)
        return [await self._cast(actor, meta, option, toggle=True)]

    async def _definition(self, poll_id: str) -> dict[str, Any] | None:
        """The poll's fixed parts (question, options, flags), cached in this process: a vote
        then costs one Redis round trip. Whether it is closed lives in Redis alone."""
        meta = self._definitions.get(poll_id)
        if meta is None:
            meta = await self.polls.meta(poll_id)
            if meta is None:
                return None
            if len(self._definitions) >= _DEFINITIONS_CACHED:
                self._definitions.pop(next(iter(self._definitions)))
            self._definitions[poll_id] = meta
        return meta

    async def _cast(self, actor: Actor, meta: dict[str, Any], option: int, toggle: bool) -> Reply:
        name = "" if meta["anonymous"] else (actor.user_name or actor.user)
        outcome = await self.polls.vote(
            meta["id"], self._voter(meta, actor), option, toggle=toggle, name=name
        )
        labels = meta["options"]
        messages = self.messages
        VOTES.labels(_VOTE_RESULTS.get(outcome.status, "other")).inc()
        if outcome.status == VOTE_CLOSED:
            return self._private("poll.closed", messages.poll_closed_no_vote)
        if outcome.status == VOTE_NO_POLL:
            return self._private("poll.missing", messages.poll_missing)
        self._schedule_refresh(meta["id"])
        if outcome.status == VOTE_WITHDRAWN:
            text = messages.withdrawn.format(option=labels[option])
        elif outcome.status == VOTE_MOVED and outcome.previous is not None:
            text = messages.moved.format(previous=labels[outcome.previous], option=labels[option])
        else:
            text = messages.voted.format(option=labels[option])
        return self._private(
            "poll.voted", text, meta={"poll": meta["id"], "status": str(outcome.status)}
        )

    async def _start_questionnaire(self, actor: Actor, meta: dict[str, Any]) -> list[Reply]:
        tally = await self.polls.tally(meta["id"], len(meta["options"]), with_voters=False)
        if tally.closed:
            return [self._private("poll.closed", self.messages.poll_closed_no_vote)]
        first = await self.questionnaire.start(actor, Placement.NEW, poll=meta["id"])
        return [self._private("poll.quiz", self.messages.quiz_for_poll), first]

    async def cast_from_questionnaire(
        self, actor: Actor, poll_id: str, result: Recommendation
    ) -> Reply:
        """Make a finished questionnaire's outcome the voter's vote, and keep their priorities."""
        meta = await self._definition(poll_id)
        if meta is None:
            return self._private("poll.missing", self.messages.poll_missing)
        option = meta["outcomes"].index(result.outcome)
        priorities = {c.dimension_id: abs(c.points) for c in result.contributions if c.points}
        reply = await self._cast(actor, meta, option, toggle=False)
        if reply.kind != "poll.voted":
            return reply
        await self.polls.save_profile(poll_id, self._voter(meta, actor), priorities)
        text = self.messages.quiz_vote_cast.format(option=meta["options"][option])
        return self._private("poll.voted", text, meta={"poll": poll_id})

    # --- closing and export -----------------------------------------------------------

    def _may_manage(self, actor: Actor, meta: dict[str, Any]) -> bool:
        creator = actor.platform == meta["platform"] and actor.user == meta["creator"]["user"]
        return creator or actor.is_admin

    async def close(self, actor: Actor, poll_id: str) -> list[Reply]:
        """Close a poll by hand: its creator or an admin only."""
        meta = await self.polls.meta(poll_id)
        if meta is None:
            return [self._private("poll.missing", self.messages.poll_missing)]
        if not self._may_manage(actor, meta):
            refusal = (
                self.messages.not_allowed_close_or_admin
                if actor.extras.get(ADMINS_MANAGE_POLLS)
                else self.messages.not_allowed_close
            )
            return [self._private("poll.refused", refusal)]
        if await self.polls.close(poll_id, self.clock(), actor.user) == 0:
            return [self._private("poll.closed", self.messages.already_closed)]
        log.info("poll %s closed by hand", poll_id)
        self._schedule_refresh(poll_id, force=True)
        return [self._private("poll.closed_by_you", self.messages.closed_by_you)]

    async def export(self, actor: Actor, poll_id: str) -> list[Reply]:
        """The results as CSV, privately to the creator (no voter names when anonymous)."""
        meta = await self.polls.meta(poll_id)
        if meta is None:
            return [self._private("poll.missing", self.messages.poll_missing)]
        if not self._may_manage(actor, meta):
            return [self._private("poll.refused", self.messages.not_allowed_export)]
        options = meta["options"]
        named = not meta["anonymous"]
        tally = await self.polls.tally(poll_id, len(options), with_voters=named)
        messages = self.messages
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([messages.csv_option, messages.csv_votes, messages.csv_percent])
        for label, count in zip(options, tally.counts, strict=True):
            share = round(count * 100 / tally.voters) if tally.voters else 0
            writer.writerow([label, count, share])
        if named:
            writer.writerow([])
            writer.writerow([messages.csv_voter, messages.csv_option])
            for voter, option in sorted(
                tally.votes.items(), key=lambda item: tally.names.get(item[0], item[0])
            ):
                writer.writerow([tally.names.get(voter, voter), options[option]])
        return [
            Reply(
                kind="poll.export",
                text=messages.export_ready.format(question=meta["question"]),
                attachment=Attachment(f"poll-{poll_id}.csv", buffer.getvalue()),
                meta={"poll": poll_id},
            )
        ]

    async def sweep(self, now: float | None = None) -> list[str]:
        """Close every poll whose deadline has passed; each exactly once across servers."""
        now = self.clock() if now is None else now
        closed = []
        for poll_id in await self.polls.due(now):
            if not await self.polls.claim_deadline(poll_id):
                continue  # another server got it
            if await self.polls.close(poll_id, now, "deadline") == 1:
                log.info("poll %s closed at its deadline", poll_id)
                closed.append(poll_id)
                self._schedule_refresh(poll_id, force=True)
        return closed

    async def run_sweeper(self, every: float = 1.0) -> None:
        """Sweep deadlines forever (a background task of ``serve``); survives Redis outages."""
        while True:
            try:
                await self.sweep()
            except StoreUnavailable:
                pass  # already logged; try again next round
            except Exception:
                log.exception("deadline sweep failed")
            await asyncio.sleep(every)

    # --- one person's view -------------------------------------------------------------

    async def view(self, actor: Actor, poll_id: str) -> list[Reply]:
        """What ``actor`` alone sees on the poll's message: the step they are at in the
        poll's questionnaire, else the poll with their own vote marked ("You voted: ...")."""
        step = await self.questionnaire.poll_step(actor, poll_id)
        if step is not None:
            return [step]
        current = await self.current(poll_id)
        if current is None:
            return [self._private("poll.missing", self.messages.poll_missing)]
        meta, reply = current
        own = replace(reply, kind="poll.own_view", visibility=Visibility.PRIVATE)
        option = await self.polls.vote_of(poll_id, self._voter(meta, actor))
        if option is None or option >= len(meta["options"]):
            return [own]
        mine = f"{poll_id}:{option}"
        choices = tuple(
            replace(c, style=ChoiceStyle.PRIMARY) if c.value == mine else c for c in own.choices
        )
        text = self.messages.your_vote.format(option=meta["options"][option])
        note = self._private("poll.your_vote", text, meta={"poll": poll_id})
        return [note, replace(own, choices=choices)]

    # --- rendering --------------------------------------------------------------------

    async def current(self, poll_id: str) -> tuple[dict[str, Any], Reply] | None:
        """The poll and its message as it should look now."""
        meta = await self.polls.meta(poll_id)
        if meta is None:
            return None
        named = not meta["anonymous"]
        tally = await self.polls.tally(poll_id, len(meta["options"]), with_voters=named)
        return meta, self.render(meta, tally)

    def render(self, meta: dict[str, Any], tally: Tally) -> Reply:
        """The poll's shared message: results, priorities, recommendation, buttons."""
        polls, messages = self.content.polls, self.messages
        options: list[str] = meta["options"]
        open_now = not tally.closed
        show_results = not open_now or not meta["hide_results"]
        total = tally.voters
        bars: list[Bar] = []
        if show_results:
            voters_by_option = self._voters_by_option(meta, tally)
            for index, label in enumerate(options):
                count = tally.counts[index]
                line = result_line(
                    count, total, polls.bar_width, messages.vote_one, messages.vote_many
                )
                bars.append(Bar(label, count, line, voters_by_option.get(index, ())))
        lines = [(messages.voters if total == 1 else messages.voters_plural).format(count=total)]
        if open_now and total == 0:
            lines.append(messages.no_votes_yet)
        if open_now and meta["hide_results"]:
            lines.append(messages.hidden_results)
        sections = []
        if meta["team"] and tally.profiles:
            sections.append(self._priorities(tally.profiles))
        if meta["team"] and not open_now:
            sections.append(self._team_recommendation(meta, tally))
        tz = zone(meta.get("time_zone", ""))
        context = []
        if meta["anonymous"]:
            context.append(messages.anonymous)
        if meta["hide_results"] and open_now:
            context.append(messages.hidden)
        if not open_now and tally.closed_at is not None:
            context.append(messages.closed_at.format(when=format_time(tally.closed_at, tz)))
        elif meta.get("deadline"):
            context.append(messages.closes_at.format(when=format_time(meta["deadline"], tz)))
        context.append(messages.started_by.format(name=meta["creator"]["name"]))
        poll_id = meta["id"]
        choices = (
            tuple(Choice(label, "poll.vote", f"{poll_id}:{i}") for i, label in enumerate(options))
            if open_now
            else ()
        )
        controls = [Choice(messages.export_button, "poll.export", poll_id)]
        if open_now:
            controls.insert(
                0, Choice(messages.close_button, "poll.close", poll_id, ChoiceStyle.DANGER)
            )
        header = (
            meta["question"]
            if open_now
            else messages.closed_header.format(question=meta["question"])
        )
        return Reply(
            kind="poll",
            header=header,
            text="\n".join(lines),
            bars=tuple(bars),
            sections=tuple(sections),
            choices=choices,
            controls=tuple(controls),
            context=" · ".join(context),
            visibility=Visibility.SHARED,
            meta={
                "poll": poll_id,
                "version": str(tally.version),
                "closed": str(not open_now).lower(),
            },
        )

    def _voters_by_option(self, meta: dict[str, Any], tally: Tally) -> dict[int, tuple[str, ...]]:
        if meta["anonymous"]:
            return {}
        shown = self.content.polls.named_voters_shown
        grouped: dict[int, list[str]] = {}
        for voter, option in tally.votes.items():
            grouped.setdefault(option, []).append(tally.names.get(voter, voter))
        result = {}
        for option, names in grouped.items():
            names.sort(key=str.casefold)
            listed = names[:shown]
            if len(names) > shown:
                listed.append(self.messages.and_more.format(count=len(names) - shown))
            result[option] = tuple(listed)
        return result

    def _priorities(self, profiles: list[dict[str, float]]) -> Section:
        totals: dict[str, float] = {}
        for profile in profiles:
            for dimension, points in profile.items():
                totals[dimension] = totals.get(dimension, 0.0) + points
        order = {d.id: i for i, d in enumerate(self.content.comparison.dimensions)}
        top = sorted(
            (d for d in totals if d in order and totals[d] > 0),
            key=lambda d: (-totals[d], order[d]),
        )[: self.content.polls.top_dimensions]
        messages = self.messages
        source = (
            messages.priorities_source if len(profiles) == 1 else messages.priorities_source_plural
        )
        lines = tuple(self.content.dimension(d).name for d in top)
        return Section(messages.priorities_title, lines, note=source.format(count=len(profiles)))

    def _team_recommendation(self, meta: dict[str, Any], tally: Tally) -> Section:
        """The seed's logic for a team: a clear majority wins, a split team gets hybrid."""
        messages = self.messages
        outcomes = self.content.questionnaire.outcomes
        votes: dict[str, int] = {}
        for outcome, count in zip(meta["outcomes"], tally.counts, strict=True):
            if outcome:
                votes[outcome] = votes.get(outcome, 0) + count
        decided = sum(votes.values())
        if decided == 0:
            return Section(
                messages.recommendation_title.format(outcome="—"), (messages.recommendation_none,)
            )
        leader = max(("open", "closed", "hybrid"), key=lambda o: votes.get(o, 0))
        share = votes.get(leader, 0) / decided
        if share >= self.content.polls.majority:
            winner = leader
            why = messages.recommendation_majority.format(
                share=round(share * 100), outcome=getattr(outcomes, leader).title
            )
        else:
            winner, why = "hybrid", messages.recommendation_split
        text = getattr(outcomes, winner)
        title = messages.recommendation_title.format(outcome=text.title)
        return Section(title, (why, *text.next_steps))

    # --- message updates --------------------------------------------------------------

    def _schedule_refresh(self, poll_id: str, force: bool = False) -> None:
        # One updater per poll per process: while it runs, its end-of-window check
        # picks up every vote that arrives, so a burst costs no extra tasks.
        if poll_id in self._refreshing and not force:
            return
        self._refreshing.add(poll_id)
        task = asyncio.create_task(self._refresh(poll_id, force))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _refresh(self, poll_id: str, force: bool) -> None:
        """Update the poll's message now if this server holds the window, then once more
        at the window's end if votes arrived meanwhile."""
        published = False
        try:
            published = await self._refresh_windows(poll_id, force)
        except StoreUnavailable:
            return
        except Exception:
            log.exception("updating poll %s failed", poll_id)
        finally:
            self._refreshing.discard(poll_id)
        if published:
            # A vote that landed after the last check still found this updater running,
            # so it started none of its own: look once more now that this one is done.
            try:
                version, rendered = await self.polls.render_lag(poll_id)
            except StoreUnavailable:
                return
            if version > rendered:
                self._schedule_refresh(poll_id)

    async def _refresh_windows(self, poll_id: str, force: bool) -> bool:
        """Publish once per window while votes keep arriving; True if anything was published."""
        window_ms = max(1, int(self.refresh_window * 1000))
        published = False
        while force or await self.polls.claim_render(poll_id, window_ms):
            force = False
            if not await self._publish(poll_id):
                return published
            published = True
            await asyncio.sleep(self.refresh_window)
            version, rendered = await self.polls.render_lag(poll_id)
            if version <= rendered:
                break
        return published

    async def _publish(self, poll_id: str) -> bool:
        current = await self.current(poll_id)
        if current is None:
            return False
        meta, reply = current
        publisher = self.publishers.get(meta["platform"])
        if publisher is None or not meta.get("message"):
            return False
        await publisher.publish_poll({**meta, "viewers": await self.polls.viewers(poll_id)}, reply)
        await self.polls.mark_rendered(poll_id, int(reply.meta["version"]))
        return True

    # --- helpers ----------------------------------------------------------------------

    @staticmethod
    def _private(kind: str, text: str, meta: dict[str, str] | None = None) -> Reply:
        return Reply(kind=kind, text=text, visibility=Visibility.PRIVATE, meta=meta or {})
