"""Team polls' lifecycle: start, vote, close by hand, export; platform-neutral.

What a poll looks like is :mod:`bot.poll_render` (pure); keeping its shared message
current and closing it at its deadline is :mod:`bot.poll_refresh`; its Redis keys are
:mod:`bot.poll_store`. Front ends render the replies; a poll's message is updated through
the platform's outbound port (:mod:`bot.outbound`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.content import Content
from bot.events import Actor
from bot.metrics import VOTES
from bot.outbound import Outbox
from bot.people import Directory
from bot.poll_command import PollInputError, parse_poll
from bot.poll_options import OptionsInputError, clean_new_option, with_option
from bot.poll_rate import PollQuota, PollRateLimit
from bot.poll_refresh import DeadlineSweeper, PollRefresher
from bot.poll_reminders import PollReminders
from bot.poll_render import PollRenderer
from bot.poll_store import (
    VOTE_ADDED,
    VOTE_CLOSED,
    VOTE_FULL,
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
    ChoiceStyle,
    Placement,
    Reply,
    ReplyKind,
    Tone,
    Visibility,
)
from bot.roster import Rosters
from bot.scoring import Recommendation
from bot.store import StateStore

log = logging.getLogger(__name__)

#: A poll id as :meth:`PollService.start` makes them (12 hex digits), with room to spare.
_POLL_ID = re.compile(r"[0-9a-f]{1,32}")
#: An option's index on a vote button: the poll's options number at most ten.
_OPTION_INDEX = re.compile(r"[0-9]{1,3}")
#: How many people a poll's message is shown to as a view of their own (Teams' limit).
MAX_VIEWERS = 60
#: How each kind of short note stands out (front ends colour them).
_NOTE_TONES: dict[ReplyKind, Tone] = {
    ReplyKind.POLL_VOTED: Tone.SUCCESS,
    ReplyKind.POLL_YOUR_VOTE: Tone.SUCCESS,
    ReplyKind.POLL_CLOSED_BY_YOU: Tone.SUCCESS,
    ReplyKind.POLL_EXPORT: Tone.SUCCESS,
    ReplyKind.POLL_QUIZ: Tone.INFO,
    ReplyKind.POLL_REFUSED: Tone.ERROR,
    ReplyKind.POLL_ERROR: Tone.ERROR,
    ReplyKind.POLL_CLOSED: Tone.WARNING,
    ReplyKind.POLL_MISSING: Tone.WARNING,
    ReplyKind.POLL_OPTION_ADDED: Tone.SUCCESS,
    ReplyKind.POLL_ADD_FORM: Tone.INFO,
    ReplyKind.POLL_REMINDED: Tone.SUCCESS,
    ReplyKind.POLL_REMINDING: Tone.INFO,
}
#: How many polls' fixed parts each process keeps in memory.
_DEFINITIONS_CACHED = 1024
_VOTE_RESULTS = {
    VOTE_NEW: "new",
    VOTE_MOVED: "moved",
    VOTE_WITHDRAWN: "withdrawn",
    VOTE_UNCHANGED: "unchanged",
    VOTE_CLOSED: "closed",
    VOTE_NO_POLL: "missing",
    VOTE_ADDED: "new",
    VOTE_FULL: "full",
}


def owned_by(meta: dict[str, Any], actor: Actor) -> bool:
    """True when ``actor`` is on the platform and in the workspace (tenant) that started
    the poll: a poll is only ever seen, voted on and managed where it was started."""
    return (meta.get("platform"), meta.get("workspace")) == (actor.platform, actor.workspace)


class PollService:
    """Runs every poll; one instance per server process."""

    def __init__(
        self,
        content: Content,
        store: StateStore,
        questionnaire: Questionnaire,
        *,
        secret: bytes | None = None,
        people: Directory | None = None,
        outbox: Outbox | None = None,
        rosters: Rosters | None = None,
        refresh_window: float = 2.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.content = content
        self.polls = PollStore(store)
        self.rate_limit = PollRateLimit(store)
        self.questionnaire = questionnaire
        self.messages = content.polls.messages
        self.clock = clock
        self._secret = secret
        self.people = people or Directory()
        self._definitions: dict[str, dict[str, Any]] = {}
        self.renderer = PollRenderer(content)
        self.outbox = outbox or Outbox()
        self.refresher = PollRefresher(self.polls, self.renderer, self.outbox, refresh_window)
        # The sweeper reads this service's clock, so a test (or a caller) that sets it moves both.
        self.sweeper = DeadlineSweeper(self.polls, self.refresher, lambda: self.clock())
        #: Reminders to those who haven't voted (their roster ports, pacing, records).
        self.reminders = PollReminders(
            content, store, self.outbox, rosters or Rosters(), self._voter, lambda: self.clock()
        )

    # --- wiring (the refresher and the sweeper do the work) ---------------------------

    @property
    def refresh_window(self) -> float:
        """Seconds between two updates of one poll's message."""
        return self.refresher.refresh_window

    @refresh_window.setter
    def refresh_window(self, seconds: float) -> None:
        self.refresher.refresh_window = seconds

    async def attach_message(self, poll_id: str, reference: dict[str, Any]) -> None:
        """Remember where the poll's shared message is, so it can be updated later."""
        await self.refresher.attach_message(poll_id, reference)

    async def add_viewer(self, poll_id: str, viewer: str) -> None:
        """Remember someone to whom the front end shows the poll's message as their own view
        (the newest :data:`MAX_VIEWERS`); each update of the message carries them as
        :attr:`Reply.viewers`."""
        await self.polls.add_viewer(poll_id, viewer, MAX_VIEWERS)

    async def is_anonymous(self, poll_id: str) -> bool:
        """True for an anonymous poll (nothing may tell who took part); False when unknown."""
        meta = await self._definition(poll_id)
        return bool(meta and meta["anonymous"])

    async def drain(self) -> None:
        """Wait for every pending message update (tests, graceful shutdown)."""
        await self.refresher.drain()

    async def current(self, poll_id: str) -> tuple[dict[str, Any], Reply] | None:
        """The poll and its message as it should look now."""
        return await self.refresher.current(poll_id)

    def render(self, meta: dict[str, Any], tally: Tally) -> Reply:
        """The poll's shared message for this tally."""
        return self.renderer.render(meta, tally)

    async def sweep(self, now: float | None = None) -> list[str]:
        """Close every poll whose deadline has passed; each exactly once across servers."""
        return await self.sweeper.sweep(now)

    async def run_sweeper(self, every: float = 1.0) -> None:
        """Sweep deadlines forever (a background task of ``serve``)."""
        await self.sweeper.run_sweeper(every)

    # --- starting ---------------------------------------------------------------------

    async def start(self, actor: Actor, text: str) -> list[Reply]:
        """Create a poll from a ``poll`` command; a private note on bad input."""
        polls = self.content.polls
        now = self.clock()
        person = await self.people.look_up(actor)  # the deadline's time zone, the name shown
        try:
            spec = parse_poll(text, polls, now, person.time_zone)
        except PollInputError as problem:
            return [self._private(ReplyKind.POLL_ERROR, f"{problem}\n\n{self.messages.usage}")]
        poll_id = secrets.token_hex(6)
        quota = await self.rate_limit.admit(actor, poll_id, now)
        if quota is not PollQuota.ADMITTED:
            log.info("poll refused on %s: %s rate limit", actor.platform, quota.name.lower())
            return [self._private(ReplyKind.POLL_ERROR, self._rate_limited(quota))]
        team = spec.question is None
        meta: dict[str, Any] = {
            "id": poll_id,
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
            "multi": spec.multi,
            "allow_add": spec.allow_add,
            "deadline": spec.deadline,
            "time_zone": spec.time_zone,
            "creator": {
                "user": actor.user,
                "name": person.display_name or actor.user_name or actor.user,
            },
            "created": now,
            "message": None,
        }
        await self.polls.create(meta["id"], meta, spec.deadline)
        if spec.remind_at is not None:
            await self.reminders.schedule(poll_id, spec.remind_at)
        log.info(
            "poll %s started on %s (%d options)", meta["id"], actor.platform, len(spec.options)
        )
        # The front end posts the new poll where it was started and tells the core where.
        not_posted = self._private(ReplyKind.POLL_ERROR, self.messages.post_failed)
        shown = self.render(meta, Tally.empty(len(spec.options)))
        return [replace(shown, new_poll=poll_id, not_posted=not_posted)]

    def _rate_limited(self, quota: PollQuota) -> str:
        limit = self.rate_limit
        text, count = (
            (self.messages.rate_limited_person, limit.per_person)
            if quota is PollQuota.PERSON
            else (self.messages.rate_limited_channel, limit.per_channel)
        )
        return text.format(count=count, minutes=limit.window_seconds // 60)

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
        meta = await self._definition(poll_id)
        if meta is None or not owned_by(meta, actor):
            return [self._private(ReplyKind.POLL_MISSING, self.messages.poll_missing)]
        # ASCII digits only, and few: int() refuses "²" (which isdigit() accepts) and
        # spends time on thousands of digits; a forged value is no error of ours.
        if _OPTION_INDEX.fullmatch(index_text) and meta.get("allow_add"):
            meta = await self._with_added_options(meta, int(index_text))
        if not _OPTION_INDEX.fullmatch(index_text) or int(index_text) >= len(meta["options"]):
            log.info("vote refused: poll %s has no option %r", poll_id, index_text[:8])
            return [self._private(ReplyKind.POLL_MISSING, self.messages.option_missing)]
        option = int(index_text)
        if option == meta.get("quiz_option"):
            return await self._start_questionnaire(actor, meta)
        if meta.get("multi", 1) > 1:
            return [await self._pick(actor, meta, option)]
        return [await self._cast(actor, meta, option, toggle=True)]

    async def _with_added_options(self, meta: dict[str, Any], option: int) -> dict[str, Any]:
        """``meta``, read again when the option pressed is newer than this process's copy
        (someone added it through another server)."""
        if option < len(meta["options"]) or option >= self.content.polls.limits.max_options:
            return meta  # known already, or more than any poll can have: no read
        self._definitions.pop(meta["id"], None)
        return await self._definition(meta["id"]) or meta

    async def _pick(self, actor: Actor, meta: dict[str, Any], option: int) -> Reply:
        """A press on a multiple-choice poll: add the pick, take it back, or (at the limit)
        say to take one back first; one Redis round trip."""
        limit = int(meta["multi"])
        name = "" if meta["anonymous"] else (actor.user_name or actor.user)
        outcome = await self.polls.pick(
            meta["id"], self._voter(meta, actor), option, limit=limit, name=name
        )
        VOTES.labels(_VOTE_RESULTS.get(outcome.status, "other")).inc()
        if outcome.status == VOTE_CLOSED:
            return self._private(ReplyKind.POLL_CLOSED, self.messages.poll_closed_no_vote)
        if outcome.status == VOTE_NO_POLL:
            return self._private(ReplyKind.POLL_MISSING, self.messages.poll_missing)
        words, labels = self.content.polls.option_messages, meta["options"]
        if outcome.status == VOTE_FULL:
            picked = words.picks_separator.join(f'"{labels[i]}"' for i in outcome.picks)
            text = words.limit_reached.format(limit=limit, picked=picked)
            return self._private(ReplyKind.POLL_REFUSED, text, meta={"poll": meta["id"]})
        self.refresher.schedule(meta["id"])
        wording = words.unpicked if outcome.status == VOTE_WITHDRAWN else words.picked
        text = wording.format(option=labels[option], count=len(outcome.picks), limit=limit)
        return self._private(
            ReplyKind.POLL_VOTED, text, meta={"poll": meta["id"], "status": str(outcome.status)}
        )

    # --- options added by voters ------------------------------------------------------

    async def add_option(self, actor: Actor, poll_id: str, text: str) -> list[Reply]:
        """A voter's new option (``--allow-add`` polls): checked like the poll's own options,
        added for everyone at the next update of its message. Nothing typed yet: the form."""
        words = self.content.polls.option_messages
        meta = await self._owned_meta(actor, poll_id)
        if meta is None:
            return [self._private(ReplyKind.POLL_MISSING, self.messages.poll_missing)]
        if not meta.get("allow_add"):
            return [self._private(ReplyKind.POLL_REFUSED, words.add_not_allowed)]
        tally = await self.polls.tally(poll_id, len(meta["options"]), with_voters=False)
        if tally.closed:
            closed = self._private(ReplyKind.POLL_CLOSED, words.add_closed, {"poll": poll_id})
            if not text.strip():
                return [closed]  # a press on an old message: nothing to ask for
            return [replace(closed, form=self.renderer.add_form(meta, words.add_closed))]
        if not text.strip():
            prompt = self._private(ReplyKind.POLL_ADD_FORM, words.add_prompt, {"poll": poll_id})
            return [replace(prompt, form=self.renderer.add_form(meta))]
        polls = self.content.polls
        added_by = "" if meta["anonymous"] else (actor.user_name or actor.user)
        try:
            option = clean_new_option(text, meta["options"], polls)
            changed = await self.polls.add_option(
                poll_id, lambda current: with_option(current, option, polls, added_by)
            )
        except OptionsInputError as problem:
            refusal = self._private(ReplyKind.POLL_ERROR, str(problem), {"poll": poll_id})
            return [replace(refusal, form=self.renderer.add_form(meta, str(problem)))]
        if poll_id in self._definitions:
            self._definitions[poll_id] = changed
        log.info("poll %s: an option was added (%d now)", poll_id, len(changed["options"]))
        self.refresher.schedule(poll_id)
        return [
            self._private(
                ReplyKind.POLL_OPTION_ADDED, words.added.format(option=option), {"poll": poll_id}
            )
        ]

    async def _definition(self, poll_id: str) -> dict[str, Any] | None:
        """The poll's fixed parts (question, options, flags), cached in this process: a vote
        then costs one Redis round trip. Whether it is closed lives in Redis alone."""
        if not _POLL_ID.fullmatch(poll_id):
            return None  # not one of ours: no Redis key is built from it
        meta = self._definitions.get(poll_id)
        if meta is None:
            meta = await self.polls.meta(poll_id)
            if meta is None:
                return None
            if len(self._definitions) >= _DEFINITIONS_CACHED:
                self._definitions.pop(next(iter(self._definitions)))
            self._definitions[poll_id] = meta
        return meta

    async def _owned_meta(self, actor: Actor, poll_id: str) -> dict[str, Any] | None:
        """The poll's current definition, or None when there is no such poll where
        ``actor`` is (another platform or workspace started it)."""
        meta = await self.polls.meta(poll_id) if _POLL_ID.fullmatch(poll_id) else None
        return meta if meta is not None and owned_by(meta, actor) else None

    async def _cast(self, actor: Actor, meta: dict[str, Any], option: int, toggle: bool) -> Reply:
        name = "" if meta["anonymous"] else (actor.user_name or actor.user)
        outcome = await self.polls.vote(
            meta["id"], self._voter(meta, actor), option, toggle=toggle, name=name
        )
        labels = meta["options"]
        messages = self.messages
        VOTES.labels(_VOTE_RESULTS.get(outcome.status, "other")).inc()
        if outcome.status == VOTE_CLOSED:
            return self._private(ReplyKind.POLL_CLOSED, messages.poll_closed_no_vote)
        if outcome.status == VOTE_NO_POLL:
            return self._private(ReplyKind.POLL_MISSING, messages.poll_missing)
        self.refresher.schedule(meta["id"])
        if outcome.status == VOTE_WITHDRAWN:
            text = messages.withdrawn.format(option=labels[option])
        elif outcome.status == VOTE_MOVED and outcome.previous is not None:
            text = messages.moved.format(previous=labels[outcome.previous], option=labels[option])
        else:
            text = messages.voted.format(option=labels[option])
        return self._private(
            ReplyKind.POLL_VOTED, text, meta={"poll": meta["id"], "status": str(outcome.status)}
        )

    async def _start_questionnaire(self, actor: Actor, meta: dict[str, Any]) -> list[Reply]:
        tally = await self.polls.tally(meta["id"], len(meta["options"]), with_voters=False)
        if tally.closed:
            return [self._private(ReplyKind.POLL_CLOSED, self.messages.poll_closed_no_vote)]
        first = await self.questionnaire.start(actor, Placement.NEW, poll=meta["id"])
        return [self._private(ReplyKind.POLL_QUIZ, self.messages.quiz_for_poll), first]

    async def cast_from_questionnaire(
        self, actor: Actor, poll_id: str, result: Recommendation
    ) -> Reply:
        """Make a finished questionnaire's outcome the voter's vote, and keep their priorities."""
        meta = await self._definition(poll_id)
        if meta is None or not owned_by(meta, actor):
            return self._private(ReplyKind.POLL_MISSING, self.messages.poll_missing)
        option = meta["outcomes"].index(result.outcome)
        priorities = {c.dimension_id: abs(c.points) for c in result.contributions if c.points}
        reply = await self._cast(actor, meta, option, toggle=False)
        if reply.kind != "poll.voted":
            return reply
        await self.polls.save_profile(poll_id, self._voter(meta, actor), priorities)
        if meta["anonymous"]:
            # The vote is cast: the questionnaire state must not keep this person beside
            # the poll (a changed answer no longer moves the vote; pressing an option does).
            await self.questionnaire.forget_poll(actor)
        text = self.messages.quiz_vote_cast.format(option=meta["options"][option])
        return self._private(ReplyKind.POLL_VOTED, text, meta={"poll": poll_id})

    # --- closing and export -----------------------------------------------------------

    async def _refusal(self, actor: Actor, meta: dict[str, Any], *, closing: bool) -> str | None:
        """None when ``actor`` may manage the poll (its creator, or an admin the platform
        names); else why not, for a close or an export. The platform is asked at most once."""
        if actor.platform == meta["platform"] and actor.user == meta["creator"]["user"]:
            return None
        person = await self.people.look_up(actor)
        if person.is_admin:
            return None
        if not closing:
            return self.messages.not_allowed_export
        if person.admins_known:
            return self.messages.not_allowed_close_or_admin
        return self.messages.not_allowed_close

    async def close(self, actor: Actor, poll_id: str) -> list[Reply]:
        """Close a poll by hand: its creator or an admin only."""
        meta = await self._owned_meta(actor, poll_id)
        if meta is None:
            return [self._private(ReplyKind.POLL_MISSING, self.messages.poll_missing)]
        refusal = await self._refusal(actor, meta, closing=True)
        if refusal is not None:
            return [self._private(ReplyKind.POLL_REFUSED, refusal)]
        if await self.polls.close(poll_id, self.clock(), actor.user) == 0:
            return [self._private(ReplyKind.POLL_CLOSED, self.messages.already_closed)]
        log.info("poll %s closed by hand", poll_id)
        await self.reminders.forget(poll_id)
        self.refresher.schedule(poll_id, force=True)
        return [self._private(ReplyKind.POLL_CLOSED_BY_YOU, self.messages.closed_by_you)]

    async def export(self, actor: Actor, poll_id: str) -> list[Reply]:
        """The results as CSV, privately to the creator (no voter names when anonymous)."""
        meta = await self._owned_meta(actor, poll_id)
        if meta is None:
            return [self._private(ReplyKind.POLL_MISSING, self.messages.poll_missing)]
        refusal = await self._refusal(actor, meta, closing=False)
        if refusal is not None:
            return [self._private(ReplyKind.POLL_REFUSED, refusal)]
        named = not meta["anonymous"]
        tally = await self.polls.tally(poll_id, len(meta["options"]), with_voters=named)
        return [
            Reply(
                kind=ReplyKind.POLL_EXPORT,
                text=self.messages.export_ready.format(question=meta["question"]),
                attachment=Attachment(f"poll-{poll_id}.csv", self.renderer.export_csv(meta, tally)),
                meta={"poll": poll_id},
                delivered_note=self._private(ReplyKind.POLL_EXPORT, self.messages.export_sent),
            )
        ]

    async def remind(self, actor: Actor, poll_id: str) -> list[Reply]:
        """Remind everyone in the poll's conversation who hasn't voted: its creator only;
        they alone see how many were reminded."""
        meta = await self._owned_meta(actor, poll_id)
        if meta is None:
            return [self._private(ReplyKind.POLL_MISSING, self.messages.poll_missing)]
        if actor.user != meta["creator"]["user"]:
            return [self._private(ReplyKind.POLL_REFUSED, self.messages.not_allowed_remind)]
        tally = await self.polls.tally(poll_id, len(meta["options"]), with_voters=False)
        if tally.closed:
            return [self._private(ReplyKind.POLL_CLOSED, self.messages.remind_closed)]
        kind, text = await self.reminders.remind_now(meta)
        return [self._private(kind, text)]

    # --- one person's view -------------------------------------------------------------

    async def view(self, actor: Actor, poll_id: str) -> list[Reply]:
        """What ``actor`` alone sees on the poll's message: the step they are at in the
        poll's questionnaire, else the poll with their own vote marked ("You voted: ...")."""
        step = await self.questionnaire.poll_step(actor, poll_id)
        if step is not None:
            return [step]
        current = await self.current(poll_id)
        if current is None:
            return [self._private(ReplyKind.POLL_MISSING, self.messages.poll_missing)]
        meta, reply = current
        own = replace(reply, kind=ReplyKind.POLL_OWN_VIEW, visibility=Visibility.PRIVATE)
        picks = await self.polls.picks_of(poll_id, self._voter(meta, actor))
        labels = meta["options"]
        if not picks or any(option >= len(labels) for option in picks):
            return [own]
        mine = {f"{poll_id}:{option}" for option in picks}
        choices = tuple(
            replace(c, style=ChoiceStyle.PRIMARY) if c.value in mine else c for c in own.choices
        )
        if len(picks) == 1:
            text = self.messages.your_vote.format(option=labels[picks[0]])
        else:
            words = self.content.polls.option_messages
            text = words.your_picks.format(
                options=words.picks_separator.join(labels[option] for option in picks)
            )
        note = self._private(ReplyKind.POLL_YOUR_VOTE, text, meta={"poll": poll_id})
        return [note, replace(own, choices=choices)]

    # --- helpers ----------------------------------------------------------------------

    @staticmethod
    def _private(kind: ReplyKind, text: str, meta: dict[str, str] | None = None) -> Reply:
        """A short private note, with the tone front ends show it in."""
        return Reply(
            kind=kind,
            text=text,
            visibility=Visibility.PRIVATE,
            meta=meta or {},
            tone=_NOTE_TONES.get(kind, Tone.INFO),
        )
