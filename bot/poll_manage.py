"""Managing polls after they are started: a person's list, stopping a schedule, editing
and deleting a poll. Platform-neutral; every word from ``content/poll_manage.yaml``.

* ``polls``: the person's scheduled polls and open polls here (newest first, at most
  :data:`LIST_SHOWN` of each), with Stop / Close / Delete buttons, privately.
* Stop: the schedule's creator takes it off; polls already posted stay.
* Edit (the creator or a workspace admin): the question and every option's label; the
  options keep their places, so every vote stays with its option. An option with votes
  can be renamed, never emptied; options are not added or removed here.
* Delete (the creator or a workspace admin): the message goes (the outbound port) and
  every key of the poll with it.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.events import Actor
from bot.poll_command import format_time, zone
from bot.poll_menu import QUESTION_FIELD, edit_form, option_field
from bot.poll_schedule import Recurrence
from bot.replies import (
    Action,
    Choice,
    ChoiceStyle,
    Reply,
    ReplyKind,
    Section,
    Tone,
    Visibility,
)
from bot.text_normalise import clean_poll_text, same_text_key

if TYPE_CHECKING:
    from bot.polls import PollService

log = logging.getLogger("bot.polls")

#: How many schedules, and how many open polls, ``polls`` lists (the newest).
LIST_SHOWN = 10


class PollManager:
    """The list, Stop, Edit and Delete, on top of one :class:`~bot.polls.PollService`."""

    def __init__(self, service: PollService) -> None:
        self.service = service
        self.manage = service.content.poll_manage
        self.messages = service.content.poll_manage.messages

    # --- the list ---------------------------------------------------------------------

    async def listing(self, actor: Actor) -> Reply:
        """The person's scheduled and open polls here, with buttons; privately."""
        service, messages = self.service, self.messages
        if actor.shared_place:  # the list names polls of private chats and channels too
            return Reply(
                kind=ReplyKind.POLL_LIST, header=messages.list_header, text=messages.list_elsewhere
            )
        schedules = service.scheduler.schedules
        members = await schedules.mine(actor)
        series_ids = [m[2:] for m in members if m.startswith("s:")]
        poll_ids = [m[2:] for m in members if m.startswith("p:")]
        lines: list[str] = []
        buttons: list[Choice] = []
        shown_series: list[str] = []
        for record in await schedules.records(series_ids):
            if record is None or len(shown_series) >= LIST_SHOWN:
                continue
            occurrence = await schedules.next_occurrence(str(record["id"]))
            if occurrence is None:
                continue
            number = len(shown_series) + 1
            tz = zone(str(record.get("time_zone") or ""))
            when = format_time(occurrence, tz)
            rule = Recurrence.from_json(record.get("rule"))
            question = str(record.get("question") or "")
            if rule is None:
                lines.append(
                    messages.list_once_line.format(number=number, question=question, when=when)
                )
            else:
                line = messages.list_series_line.format(
                    number=number, question=question, rule=rule.describe(self.manage), when=when
                )
                lines.append(line)
            buttons.append(
                Choice(messages.stop_button.format(number=number), Action.POLL_STOP, record["id"])
            )
            shown_series.append(str(record["id"]))
        sections: list[Section] = []
        if lines:
            sections.append(Section(messages.list_series_title, tuple(lines)))
        open_lines: list[str] = []
        for poll_id in poll_ids:
            if len(open_lines) >= LIST_SHOWN:
                break
            meta = await service.polls.meta(poll_id)
            if meta is None:
                continue
            tally = await service.polls.tally(poll_id, len(meta["options"]), with_voters=False)
            if tally.closed:
                continue
            number = len(open_lines) + 1
            polls_messages = service.messages
            voters = (
                polls_messages.voters if tally.voters == 1 else polls_messages.voters_plural
            ).format(count=tally.voters)
            open_lines.append(
                messages.list_open_line.format(
                    number=number, question=meta["question"], voters=voters
                )
            )
            buttons.append(
                Choice(messages.close_button.format(number=number), Action.POLL_CLOSE, poll_id)
            )
            buttons.append(
                Choice(
                    messages.delete_button.format(number=number),
                    Action.POLL_DELETE,
                    poll_id,
                    ChoiceStyle.DANGER,
                )
            )
        if open_lines:
            sections.append(Section(messages.list_open_title, tuple(open_lines)))
        if not sections:
            return Reply(
                kind=ReplyKind.POLL_LIST, header=messages.list_header, text=messages.list_empty
            )
        return Reply(
            kind=ReplyKind.POLL_LIST,
            header=messages.list_header,
            sections=tuple(sections),
            choices=tuple(buttons),
            context=messages.list_bound.format(max=LIST_SHOWN),
            visibility=Visibility.PRIVATE,
        )

    # --- stop -------------------------------------------------------------------------

    async def stop(self, actor: Actor, schedule_id: str) -> list[Reply]:
        """Stop a schedule: its creator only; what was posted stays."""
        schedules = self.service.scheduler.schedules
        record = await schedules.record(schedule_id) if _is_id(schedule_id) else None
        if record is None or (record.get("platform"), record.get("workspace")) != (
            actor.platform,
            actor.workspace,
        ):
            return [self._note(ReplyKind.POLL_MISSING, self.messages.schedule_missing)]
        if (record.get("creator") or {}).get("user") != actor.user:
            return [self._note(ReplyKind.POLL_REFUSED, self.messages.not_allowed_stop)]
        if not await schedules.stop(schedule_id):
            return [self._note(ReplyKind.POLL_MISSING, self.messages.schedule_missing)]
        await schedules.forget(actor.platform, actor.workspace, actor.user, f"s:{schedule_id}")
        log.info("poll schedule %s stopped", schedule_id)
        text = self.messages.stopped.format(question=record.get("question", ""))
        return [self._note(ReplyKind.POLL_STOPPED, text)]

    # --- delete -----------------------------------------------------------------------

    async def _may_manage(self, actor: Actor, meta: dict[str, Any]) -> bool:
        """The poll's creator, or someone the platform says is an admin."""
        if actor.user == meta["creator"]["user"]:
            return True
        return (await self.service.people.look_up(actor)).is_admin

    async def delete(self, actor: Actor, poll_id: str) -> list[Reply]:
        """Delete a poll: its message and every key; the creator or an admin only."""
        service = self.service
        meta = await service._owned_meta(actor, poll_id)
        if meta is None:
            return [self._note(ReplyKind.POLL_MISSING, service.messages.poll_missing)]
        if not await self._may_manage(actor, meta):
            return [self._note(ReplyKind.POLL_REFUSED, self.messages.not_allowed_delete)]
        await service.polls.delete(poll_id)
        await service.reminders.deleted(poll_id)
        service.forget_definition(poll_id)
        creator = str(meta["creator"]["user"])
        await service.scheduler.schedules.forget(
            meta["platform"], meta["workspace"], creator, f"p:{poll_id}"
        )
        message = meta.get("message")
        removed = isinstance(message, dict) and await service.outbox.delete(
            meta["platform"], message
        )
        log.info("poll %s deleted (message removed: %s)", poll_id, removed)
        template = self.messages.deleted if removed else self.messages.deleted_message_kept
        return [self._note(ReplyKind.POLL_DELETED, template.format(question=meta["question"]))]

    # --- edit -------------------------------------------------------------------------

    async def open_form(self, actor: Actor, poll_id: str) -> list[Reply]:
        """The edit form for the creator or an admin (a refusal for anyone else)."""
        meta, refusal = await self._editable(actor, poll_id)
        if refusal is not None:
            return [refusal]
        assert meta is not None
        return [
            Reply(
                kind=ReplyKind.POLL_EDIT_FORM,
                header=self.messages.edit_title,
                forms=(edit_form(self.service.content, meta),),
                visibility=Visibility.PRIVATE,
                meta={"poll": poll_id},
            )
        ]

    async def _editable(
        self, actor: Actor, poll_id: str
    ) -> tuple[dict[str, Any] | None, Reply | None]:
        service, messages = self.service, self.messages
        meta = await service._owned_meta(actor, poll_id)
        if meta is None:
            return None, self._note(ReplyKind.POLL_MISSING, service.messages.poll_missing)
        if not await self._may_manage(actor, meta):
            return None, self._note(ReplyKind.POLL_REFUSED, messages.not_allowed_edit)
        if meta["team"]:
            return None, self._note(ReplyKind.POLL_ERROR, messages.edit_team_poll)
        tally = await service.polls.tally(poll_id, len(meta["options"]), with_voters=False)
        if tally.closed:
            return None, self._note(ReplyKind.POLL_CLOSED, messages.edit_closed)
        return meta, None

    async def save(self, actor: Actor, poll_id: str, inputs: dict[str, str]) -> list[Reply]:
        """Apply a filled-in edit form: new labels, every vote kept; or what to fix."""
        meta, refusal = await self._editable(actor, poll_id)
        if refusal is not None:
            return [refusal]
        assert meta is not None
        service, messages = self.service, self.messages
        polls = service.content.polls
        limits, poll_messages = polls.limits, polls.messages
        count = len(meta["options"])
        if any(k.startswith("option_") and k not in _option_fields(count) for k in inputs):
            return [self._refused(meta, messages.option_count_changed, QUESTION_FIELD)]
        question = clean_poll_text(inputs.get(QUESTION_FIELD, meta["question"])[:2000])
        if not question:
            return [self._refused(meta, messages.edit_question_empty, QUESTION_FIELD)]
        if len(question) > limits.max_question_length:
            text = poll_messages.question_too_long.format(
                length=len(question), max=limits.max_question_length
            )
            return [self._refused(meta, text, QUESTION_FIELD)]
        tally = await service.polls.tally(poll_id, count, with_voters=False)
        options: list[str] = []
        seen: set[str] = set()
        for index, old in enumerate(meta["options"]):
            name = option_field(index)
            label = clean_poll_text(inputs.get(name, old)[:200])
            if not label:
                if tally.counts[index] > 0:
                    text = messages.option_has_votes.format(number=index + 1, option=old)
                else:
                    text = messages.option_count_changed
                return [self._refused(meta, text, name)]
            if len(label) > limits.max_option_length:
                text = poll_messages.option_too_long.format(
                    number=index + 1, length=len(label), max=limits.max_option_length
                )
                return [self._refused(meta, text, name)]
            if same_text_key(label) in seen:
                text = poll_messages.duplicate_option.format(option=label)
                return [self._refused(meta, text, name)]
            seen.add(same_text_key(label))
            options.append(label)
        if question == meta["question"] and options == list(meta["options"]):
            return [self._note(ReplyKind.POLL_EDITED, messages.edit_unchanged)]
        if not await service.polls.rename(poll_id, question, options):
            return [self._note(ReplyKind.POLL_MISSING, service.messages.poll_missing)]
        service.forget_definition(poll_id)
        service.refresher.schedule(poll_id, force=True)
        log.info("poll %s edited", poll_id)
        return [self._note(ReplyKind.POLL_EDITED, messages.edited, {"poll": poll_id})]

    def _refused(self, meta: dict[str, Any], text: str, field: str) -> Reply:
        """A save refused: what to fix, and the form again with it beside ``field`` (shown
        in a dialog, which stays open)."""
        form = edit_form(self.service.content, meta, {field: text})
        return replace(self._note(ReplyKind.POLL_ERROR, text, {"poll": meta["id"]}), forms=(form,))

    @staticmethod
    def _note(kind: ReplyKind, text: str, meta: dict[str, str] | None = None) -> Reply:
        tone = {
            ReplyKind.POLL_STOPPED: Tone.SUCCESS,
            ReplyKind.POLL_DELETED: Tone.SUCCESS,
            ReplyKind.POLL_EDITED: Tone.SUCCESS,
            ReplyKind.POLL_REFUSED: Tone.ERROR,
            ReplyKind.POLL_ERROR: Tone.ERROR,
        }.get(kind, Tone.WARNING)
        return Reply(
            kind=kind, text=text, visibility=Visibility.PRIVATE, meta=meta or {}, tone=tone
        )


def _option_fields(count: int) -> set[str]:
    return {option_field(index) for index in range(count)}


def _is_id(value: str) -> bool:
    return 0 < len(value) <= 32 and all(c in "0123456789abcdef" for c in value)
