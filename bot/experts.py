"""Ask an expert: questions the FAQ could not answer go to the workspace's experts, and
their answers come back to the person who asked (and, if they say so, teach the FAQ).

The experts' place is a channel a workspace admin chooses (``experts here`` in it, or
``experts #channel``); its members are the experts, checked through the platform's
membership port (:mod:`bot.membership`) each time one of them presses a button. Tickets
and their exactly-once lifecycle are :mod:`bot.expert_tickets`; learned entries
:mod:`bot.faq_learned`. Everything is said through the outbound port: the ticket's card
is posted to the experts' place and kept current, the answer is posted where the question
was asked (a thread everyone there saw) or sent to the asker alone.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
import time

from bot.content import Content
from bot.events import Actor, ButtonPress
from bot.expert_tickets import ANSWERED, ASSIGNED, CLOSED, OPEN, Ticket, TicketStore
from bot.faq import FaqDesk
from bot.faq_learned import LEARNED_PREFIX, Found, LearnedIndex, LearnedStore
from bot.faq_text import normalise
from bot.membership import is_member
from bot.outbound import MessageRef, Outbox, Place
from bot.people import Directory
from bot.replies import (
    TICKED,
    Action,
    Choice,
    ChoiceStyle,
    Fact,
    Field,
    Form,
    Placement,
    Reply,
    ReplyKind,
    Section,
    Tone,
    Visibility,
    fit_label,
)
from bot.roster import Rosters
from bot.store import StateStore, StoreUnavailable

log = logging.getLogger(__name__)

#: Where a workspace's experts' place is kept; refreshed by every question sent there.
PLACE = ("experts", "place")
PLACE_TTL_SECONDS = 365 * 24 * 3600
#: The same person asking the same question again within this time is not a new ticket.
ASKED_TTL_SECONDS = 24 * 3600
#: Longest question an "Ask an expert" button carries, and longest answer kept.
MAX_ASK_CHARS = 500
MAX_ANSWER_CHARS = 900
#: The answer form's fields, by name: the answer's text, and "add to the FAQ".
ANSWER_FIELD = "answer"
LEARN_FIELD = "learn"
#: Tickets open longer than this are listed by ``experts open``.
OLD_TICKET_SECONDS = 24 * 3600
#: How many entries the "this is the same as…" picker offers.
PICKER_SIZE = 3
#: The replies "Ask an expert" is offered under.
_OFFERED_UNDER = {
    ReplyKind.FAQ_ANSWER,
    ReplyKind.FAQ_UNSURE,
    ReplyKind.FAQ_UNKNOWN,
    ReplyKind.FAQ_LEARNED,
}
#: What a channel id may look like on any platform (``C0123``, ``19:abc@thread.tacv2``).
_CHANNEL = re.compile(r"[A-Za-z0-9:@._;=-]{1,300}")


def _age(seconds: float) -> str:
    days, hours = int(seconds // 86400), int(seconds % 86400 // 3600)
    return f"{days}d {hours}h" if days else f"{hours}h"


def _handled(actor: Actor, name: str) -> dict[str, str]:
    """The fields a ticket gets when an expert answers or closes it: who, and when."""
    return {"handled_by": actor.user, "handled_by_name": name, "handled_at": f"{time.time():.3f}"}


class ExpertDesk:
    """Tickets for the experts, their card, the answer's way back, and learned entries."""

    def __init__(
        self,
        content: Content,
        store: StateStore,
        faq: FaqDesk,
        *,
        outbox: Outbox,
        people: Directory,
        rosters: Rosters,
    ) -> None:
        self.content = content
        self.words = content.experts
        self.store = store
        self.faq = faq
        self.outbox = outbox
        self.people = people
        self.rosters = rosters
        self.tickets = TicketStore(store)
        self.learned = LearnedStore(store)
        self.index = LearnedIndex(content, self.learned)

    # --- the asker's side -----------------------------------------------------------

    def offer(self, reply: Reply, question: str) -> Reply:
        """``reply`` with "Ask an expert" under it, when it is an FAQ answer or decline."""
        if reply.kind not in _OFFERED_UNDER or not normalise(question):
            return reply
        ask = Choice(self.words.ask_button, Action.EXPERT_ASK, question.strip()[:MAX_ASK_CHARS])
        return dataclasses.replace(reply, controls=(*reply.controls, ask))

    async def learned_answer(self, actor: Actor, question: str, declined: Reply) -> Reply:
        """``declined`` (the content's reply), or the learned answer that beats it."""
        if declined.kind not in (ReplyKind.FAQ_UNKNOWN, ReplyKind.FAQ_UNSURE):
            return declined
        try:
            await self.index.refresh()
        except StoreUnavailable:  # the content's answer still stands; the last build too
            log.warning("learned entries not refreshed: store unavailable")
        found = self.index.find(question, actor.platform, actor.workspace)
        if found is None:
            return declined
        return self._found_reply(found)

    def _found_reply(self, found: Found) -> Reply:
        if found.learned is None:  # a content entry an expert gave this wording to
            shown = self.faq.show(found.entry_id)
            return shown if shown is not None else Reply(kind=ReplyKind.FAQ_UNKNOWN)
        return Reply(
            kind=ReplyKind.FAQ_LEARNED,
            header=found.learned.question,
            text=found.learned.answer,
            context=self.words.learned_label,
            visibility=Visibility.SHARED,
            meta={"entry": found.entry_id, "score": f"{found.score:.3f}"},
        )

    async def place_of(self, platform: str, workspace: str) -> Place | None:
        """The experts' place of a workspace, if an admin chose one."""
        saved = await self.store.get_json(*PLACE, platform, workspace)
        if not isinstance(saved, dict):
            return None
        return Place(platform, workspace, str(saved.get("channel", "")))

    async def ask(self, press: ButtonPress) -> Reply:
        """ "Ask an expert" pressed: a ticket, its card in the experts' place, and a
        private confirmation saying who sees what."""
        actor, words = press.actor, self.words
        question = " ".join(press.value.split())[:MAX_ASK_CHARS]
        if not normalise(question):
            return self._note(words.question_missing, Tone.WARNING)
        place = await self.place_of(actor.platform, actor.workspace)
        if place is None:
            return self._note(words.no_experts, Tone.WARNING)
        digest = hashlib.sha256(normalise(question).encode()).hexdigest()[:16]
        claim = ("experts", "asked", actor.platform, actor.workspace, actor.user, digest)
        if not await self.store.claim_once(*claim, ttl=ASKED_TTL_SECONDS):
            return self._note(words.already_asked, Tone.INFO)
        person = await self.people.look_up(actor)
        asker = dataclasses.replace(actor, user_name=person.display_name or actor.user_name)
        ticket = await self.tickets.create(
            asker, question, in_public=press.in_public, thread=press.thread
        )
        card = await self.outbox.post(place, self.ticket_card(ticket))
        if card is None:
            await self.tickets.move(ticket.id, (OPEN,), CLOSED)
            await self.store.delete(*claim)
            return self._note(words.delivery_failed, Tone.ERROR)
        await self.tickets.set_fields(ticket.id, card=_json(card))
        await self.store.put_json(
            *PLACE,
            actor.platform,
            actor.workspace,
            value={"channel": place.channel, "card": card},
            ttl=PLACE_TTL_SECONDS,
        )
        return self._note(words.asked if press.in_public else words.asked_private, Tone.SUCCESS)

    # --- the experts' side ----------------------------------------------------------

    async def press(self, press: ButtonPress) -> list[Reply]:
        """An expert's button on a ticket's card (or the answer form sent back)."""
        action = Action.parse(press.action)
        ticket_id, _, entry_id = press.value.partition(":")
        ticket = await self.tickets.get(ticket_id)
        if ticket is None:
            return [self._note(self.words.ticket_missing, Tone.WARNING)]
        if not await self._is_expert(press.actor, ticket):
            return [self._note(self.words.not_an_expert, Tone.WARNING)]
        match action:
            case Action.EXPERT_ANSWER:
                return [
                    self._form(ticket) if ticket.state in (OPEN, ASSIGNED) else self._done(ticket)
                ]
            case Action.EXPERT_SUBMIT:
                inputs = press.inputs
                learn = inputs.get(LEARN_FIELD) == TICKED
                return [
                    await self._answer(press.actor, ticket, inputs.get(ANSWER_FIELD, ""), learn)
                ]
            case Action.EXPERT_ASSIGN:
                return [await self._assign(press.actor, ticket)]
            case Action.EXPERT_CLOSE:
                return [await self._close(press.actor, ticket)]
            case Action.EXPERT_SAME:
                return [self._picker(ticket)]
            case Action.EXPERT_PHRASING:
                return [await self._same_as(press.actor, ticket, entry_id)]
            case Action.EXPERT_RETRACT:
                return [await self._retract(press.actor, ticket)]
        return [self._note(self.content.strings.unknown_action, Tone.WARNING)]

    async def _is_expert(self, actor: Actor, ticket: Ticket) -> bool:
        place = await self.place_of(ticket.asker.platform, ticket.asker.workspace)
        card = ticket.card or await self._last_card(place)
        return place is not None and await is_member(self.rosters, place, actor, card)

    async def _last_card(self, place: Place | None) -> MessageRef | None:
        """The latest ticket card posted in the experts' place (how a platform finds it)."""
        if place is None:
            return None
        saved = await self.store.get_json(*PLACE, place.platform, place.workspace)
        card = saved.get("card") if isinstance(saved, dict) else None
        return card if isinstance(card, dict) else None

    async def _name(self, actor: Actor) -> str:
        person = await self.people.look_up(actor)
        return person.display_name or actor.user_name or actor.user

    def _form(self, ticket: Ticket) -> Reply:
        """The answer form: a modal on one platform, the card in place on another."""
        words = self.words
        submit = Choice(words.form_submit, Action.EXPERT_SUBMIT, ticket.id, ChoiceStyle.PRIMARY)
        answer = Field(
            ANSWER_FIELD,
            words.form_answer_label,
            max_length=MAX_ANSWER_CHARS,
            placeholder=words.form_answer_placeholder,
            multiline=True,
        )
        learn = Field(LEARN_FIELD, words.form_learn_label, optional=True, toggle=True)
        form = Form(words.form_title, (answer, learn), submit, opened_by=Action.EXPERT_ANSWER)
        return Reply(
            kind=ReplyKind.EXPERT_FORM,
            header=words.form_title,
            text=ticket.question,
            forms=(form,),
            controls=(submit,),
            placement=Placement.REPLACE,
        )

    async def _answer(self, actor: Actor, ticket: Ticket, typed: str, learn: bool) -> Reply:
        words = self.words
        answer = typed.strip()
        if not answer:
            return self._note(words.answer_empty, Tone.WARNING)
        if len(answer) > MAX_ANSWER_CHARS:
            return self._note(
                words.answer_too_long.format(max=f"{MAX_ANSWER_CHARS:,}"), Tone.WARNING
            )
        name = await self._name(actor)
        moved = await self.tickets.move(
            ticket.id, (OPEN, ASSIGNED), ANSWERED, **_handled(actor, name), answer=answer
        )
        if not moved.moved:
            return self._done(ticket, moved.state)
        if learn:
            entry = await self.learned.add(
                ticket.question,
                answer,
                expert=actor.user,
                expert_name=name,
                platform=ticket.asker.platform,
                workspace=ticket.asker.workspace,
                ticket=ticket.id,
            )
            await self.tickets.set_fields(ticket.id, learned=entry.id)
        await self._deliver(ticket, self._answer_reply(ticket, answer, name))
        await self._refresh_card(ticket.id)
        return self._note(words.answered_note, Tone.SUCCESS)

    def _answer_reply(self, ticket: Ticket, answer: str, name: str) -> Reply:
        words = self.words
        return Reply(
            kind=ReplyKind.EXPERT_ANSWER,
            header=words.answer_header,
            text=answer,
            sections=(Section(words.answer_question_title, (ticket.question,)),),
            context=words.answer_by.format(name=name),
            visibility=Visibility.SHARED if ticket.in_public else Visibility.PRIVATE,
        )

    async def _deliver(self, ticket: Ticket, reply: Reply) -> None:
        """The answer to where the question was asked: its thread when others saw it,
        the asker alone otherwise."""
        delivered = ticket.in_public and await self.outbox.post(ticket.place, reply) is not None
        if not delivered:  # asked privately, or the channel is out of reach: the asker alone
            private = dataclasses.replace(reply, visibility=Visibility.PRIVATE)
            delivered = await self.outbox.notify(ticket.asker, private)
        if not delivered:
            log.warning("experts: ticket %s answered but the answer was not delivered", ticket.id)

    async def _refresh_card(self, ticket_id: str) -> None:
        ticket = await self.tickets.get(ticket_id)
        if ticket is not None and ticket.card is not None:
            await self.outbox.update(ticket.asker.platform, ticket.card, self.ticket_card(ticket))

    async def _assign(self, actor: Actor, ticket: Ticket) -> Reply:
        name = await self._name(actor)
        moved = await self.tickets.move(
            ticket.id, (OPEN,), ASSIGNED, assignee=actor.user, assignee_name=name
        )
        if not moved.moved:
            return self._done(ticket, moved.state)
        await self._refresh_card(ticket.id)
        return self._note(self.words.assigned_note, Tone.SUCCESS)

    async def _close(self, actor: Actor, ticket: Ticket) -> Reply:
        name = await self._name(actor)
        moved = await self.tickets.move(
            ticket.id, (OPEN, ASSIGNED), CLOSED, **_handled(actor, name)
        )
        if not moved.moved:
            return self._done(ticket, moved.state)
        await self._refresh_card(ticket.id)
        return self._note(self.words.closed_note, Tone.SUCCESS)

    def _picker(self, ticket: Ticket) -> Reply:
        if ticket.state not in (OPEN, ASSIGNED):
            return self._done(ticket)
        ranked = self.faq.matcher.scores(ticket.question)[:PICKER_SIZE]
        if not ranked:
            return self._note(self.words.same_none, Tone.INFO)
        return Reply(
            kind=ReplyKind.EXPERT_NOTE,
            text=self.words.same_title,
            choices=tuple(
                Choice(fit_label(entry.question), Action.EXPERT_PHRASING, f"{ticket.id}:{entry.id}")
                for entry, _ in ranked
            ),
        )

    async def _same_as(self, actor: Actor, ticket: Ticket, entry_id: str) -> Reply:
        entry = next((e for e in self.content.faq.entries if e.id == entry_id), None)
        if entry is None or entry_id.startswith(LEARNED_PREFIX):
            return self._note(self.content.strings.unknown_action, Tone.WARNING)
        name = await self._name(actor)
        moved = await self.tickets.move(
            ticket.id,
            (OPEN, ASSIGNED),
            ANSWERED,
            handled_by=actor.user,
            handled_by_name=name,
            handled_at=f"{time.time():.3f}",
            answer=entry.answer,
        )
        if not moved.moved:
            return self._done(ticket, moved.state)
        await self.learned.add_phrasing(
            entry.id, ticket.question, ticket.asker.platform, ticket.asker.workspace
        )
        shown = self.faq.answer_reply(entry)
        visibility = Visibility.SHARED if ticket.in_public else Visibility.PRIVATE
        await self._deliver(
            ticket,
            dataclasses.replace(
                shown,
                controls=(),
                context=self.words.answer_by.format(name=name),
                visibility=visibility,
            ),
        )
        await self._refresh_card(ticket.id)
        return self._note(self.words.phrasing_added.format(question=entry.question), Tone.SUCCESS)

    async def _retract(self, actor: Actor, ticket: Ticket) -> Reply:
        if not ticket.learned:
            return self._done(ticket)
        await self.learned.remove(ticket.learned)
        await self.tickets.set_fields(ticket.id, learned="", retracted_by=await self._name(actor))
        await self._refresh_card(ticket.id)
        return self._note(self.words.retracted_note, Tone.SUCCESS)

    # --- the card -------------------------------------------------------------------

    def ticket_card(self, ticket: Ticket) -> Reply:
        """The ticket as the experts see it, with the buttons its state allows."""
        words = self.words
        where = words.where_channel if ticket.in_public else words.where_private
        facts = [
            Fact(words.ticket_asked_by, ticket.asker.user_name or ticket.asker.user),
            Fact(words.ticket_asked_where, where),
            Fact(words.ticket_state, self._state_text(ticket)),
        ]
        sections: tuple[Section, ...] = ()
        choices: tuple[Choice, ...] = ()
        context = ""
        if ticket.state in (OPEN, ASSIGNED):
            choices = (
                Choice(words.answer_button, Action.EXPERT_ANSWER, ticket.id, ChoiceStyle.PRIMARY),
                *(
                    (Choice(words.assign_button, Action.EXPERT_ASSIGN, ticket.id),)
                    if ticket.state == OPEN
                    else ()
                ),
                Choice(words.same_button, Action.EXPERT_SAME, ticket.id),
                Choice(words.close_button, Action.EXPERT_CLOSE, ticket.id, ChoiceStyle.DANGER),
            )
        if ticket.state == ANSWERED and ticket.answer:
            sections = (Section(words.ticket_answer_title, (ticket.answer,)),)
        if ticket.learned:
            context = words.ticket_learned
            choices = (Choice(words.retract_button, Action.EXPERT_RETRACT, ticket.id),)
        elif ticket.retracted_by:
            context = words.ticket_retracted.format(name=ticket.retracted_by)
        return Reply(
            kind=ReplyKind.EXPERT_TICKET,
            header=words.ticket_header,
            text=ticket.question,
            facts=tuple(facts),
            sections=sections,
            choices=choices,
            context=context,
            visibility=Visibility.SHARED,
            meta={"ticket": ticket.id, "state": ticket.state},
        )

    def _state_text(self, ticket: Ticket) -> str:
        words = self.words
        if ticket.state == ASSIGNED:
            return words.state_assigned.format(name=ticket.assignee_name)
        if ticket.state == ANSWERED:
            return words.state_answered.format(name=ticket.handled_by_name)
        if ticket.state == CLOSED:
            return words.state_closed.format(name=ticket.handled_by_name)
        return words.state_open

    def _done(self, ticket: Ticket, state: str = "") -> Reply:
        """The note for a press on a ticket that has moved on already."""
        current = dataclasses.replace(ticket, state=state) if state else ticket
        return self._note(
            self.words.already_handled.format(state=self._state_text(current).lower()), Tone.INFO
        )

    @staticmethod
    def _note(text: str, tone: Tone) -> Reply:
        return Reply(kind=ReplyKind.EXPERT_NOTE, text=text, tone=tone)

    # --- the command ----------------------------------------------------------------

    async def command(self, actor: Actor, text: str) -> Reply:
        """``experts here`` / ``experts #<channel id>`` (admins), ``experts open`` (experts)."""
        words = self.words
        argument = text.strip().split(None, 1)[0].lower() if text.strip() else ""
        if argument == "open":
            return await self._open_list(actor)
        if argument != "here" and not argument.startswith("#"):
            return Reply(kind=ReplyKind.EXPERT_SETUP, text=words.setup_usage)
        channel = actor.channel if argument == "here" else text.strip().split(None, 1)[0][1:]
        if not _CHANNEL.fullmatch(channel):
            return Reply(
                kind=ReplyKind.EXPERT_SETUP, text=words.setup_needs_channel, tone=Tone.WARNING
            )
        if not (actor.is_admin or (await self.people.look_up(actor)).is_admin):
            return Reply(kind=ReplyKind.EXPERT_SETUP, text=words.setup_not_admin, tone=Tone.WARNING)
        await self.store.put_json(
            *PLACE,
            actor.platform,
            actor.workspace,
            value={"channel": channel},
            ttl=PLACE_TTL_SECONDS,
        )
        return Reply(kind=ReplyKind.EXPERT_SETUP, text=words.setup_done, tone=Tone.SUCCESS)

    async def _open_list(self, actor: Actor) -> Reply:
        words = self.words
        place = await self.place_of(actor.platform, actor.workspace)
        if place is None:
            return Reply(kind=ReplyKind.EXPERT_OPEN, text=words.no_experts)
        if not await is_member(self.rosters, place, actor, await self._last_card(place)):
            return Reply(kind=ReplyKind.EXPERT_OPEN, text=words.not_an_expert, tone=Tone.WARNING)
        now = time.time()
        tickets = [
            t
            for t in await self.tickets.open_since(now - OLD_TICKET_SECONDS, limit=200)
            if (t.asker.platform, t.asker.workspace) == (actor.platform, actor.workspace)
        ][:20]
        if not tickets:
            return Reply(kind=ReplyKind.EXPERT_OPEN, header=words.open_header, text=words.open_none)
        lines = tuple(
            words.open_line.format(
                age=_age(now - t.created),
                question=t.question,
                name=t.asker.user_name or t.asker.user,
            )
            for t in tickets
        )
        return Reply(
            kind=ReplyKind.EXPERT_OPEN,
            header=words.open_header,
            sections=(Section("", lines),),
            choices=tuple(
                Choice(fit_label(t.question), Action.EXPERT_ANSWER, t.id) for t in tickets[:5]
            ),
        )


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))
