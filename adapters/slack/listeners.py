"""The Bolt listeners: acknowledge, translate to a neutral event, ask the core, deliver.

Where each reply goes:

* slash command: the first reply rides in the acknowledgement, ephemeral (the person
  asked privately, so FAQ answers and the comparison stay private too); any further
  replies go to ``response_url``, also ephemeral.
* button press: acknowledged at once; a ``REPLACE`` reply updates the pressed message
  through ``response_url``; a private ``NEW`` one is an ephemeral through ``response_url``;
  a shared one is a ``chat.postMessage`` in the channel (and thread). A shared reply to a
  press on an ephemeral message stays ephemeral unless it is a share (``Reply.shares``),
  so clicking a related question under a private answer does not post to the channel.
  App Home has no ``response_url``, so replies to presses there go to the app's DM.
* mention: acknowledged at once; replies in the thread under the mention, shared ones as
  messages, private ones (the questionnaire) as ephemerals for the person.
* direct message: replies in the DM.
* App Home opened: the core's answer to ``HomeOpened``, published with ``views.publish``.
* a reply that asks for text (``Reply.form``, e.g. a poll's "Add an option") opens a modal
  with ``views.open``; its submission is answered in the modal when refused (errors under
  the box), else by ephemerals in the channel it was opened from (:mod:`adapters.slack.forms`).
* a new poll (``Reply.new_poll`` set, from the slash command, a mention or a DM) is posted
  to the channel with ``chat.postMessage``, never in the acknowledgement, and attached to
  the poll so the core can ``chat.update`` it (:mod:`adapters.slack.polls`); when Slack
  refuses, the person sees the reply's ``not_posted`` privately. A reply with a file
  (a poll's CSV) is uploaded to the person's DM, with the reply's ``delivered_note`` where
  they are.

Bolt dispatches by its own matchers (registered in :mod:`adapters.slack.app`): one
listener per kind of request, and per core action for buttons. Events are handled once
per ``event_id`` (Slack retries and redelivers); own and other bots' messages and
channel messages without a mention match no listener but the one that acknowledges them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from adapters.slack.blocks import fallback_text, render_blocks
from adapters.slack.delivery import SlackDelivery
from adapters.slack.forms import (
    errors_response,
    form_view,
    press_from_submission,
    submission_thread,
)
from adapters.slack.inbound import (
    command_from_slash,
    home_opened,
    is_from_a_bot,
    message_from_event,
    press_from_action,
    thread_of,
)
from adapters.slack.polls import SlackPollPoster
from bot.background import BackgroundWork, finished_within
from bot.conversation import Conversation
from bot.events import ButtonPress, Event
from bot.replies import Action, Placement, Reply, Visibility
from bot.store import StateStore, StoreUnavailable

log = logging.getLogger(__name__)

#: How long a slash command may wait for the core before acknowledging empty-handed
#: (Slack allows three seconds; the replies then follow through ``response_url``).
ACK_BUDGET_SECONDS = 2.5
#: How long an ``event_id`` is remembered to drop Slack's retries and redeliveries.
EVENT_DEDUPE_TTL = 3600

Ack = Callable[..., Awaitable[Any]]
PressListener = Callable[..., Awaitable[None]]


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True)
class PressOrigin:
    """Where a button press came from: enough to answer it in the right place."""

    response_url: str
    channel: str
    user: str
    thread_ts: str
    ephemeral: bool
    #: Lets the answer open a modal (valid for three seconds after the press).
    trigger_id: str = ""

    @classmethod
    def of(cls, payload: Mapping[str, Any]) -> PressOrigin:
        """Read the origin out of a ``block_actions`` payload."""
        container = _dict(payload.get("container"))
        message = _dict(payload.get("message"))
        return cls(
            response_url=_str(payload.get("response_url")),
            channel=_str(_dict(payload.get("channel")).get("id"))
            or _str(container.get("channel_id")),
            user=_str(_dict(payload.get("user")).get("id")),
            thread_ts=_str(container.get("thread_ts")) or _str(message.get("thread_ts")),
            ephemeral=bool(container.get("is_ephemeral")),
            trigger_id=_str(payload.get("trigger_id")),
        )


class SlackListeners:
    """The listeners registered on the Bolt app, and the delivery rules behind them."""

    def __init__(
        self,
        conversation: Conversation,
        store: StateStore,
        delivery: SlackDelivery,
        background: BackgroundWork,
    ) -> None:
        self.conversation = conversation
        self.store = store
        self.delivery = delivery
        self.background = background
        self.poll_poster = SlackPollPoster(delivery, conversation.polls)

    async def _handle(self, event: Event) -> list[Reply]:
        """The core's replies to ``event``."""
        return await self.conversation.handle(event)

    async def _post_poll(self, channel: str, reply: Reply, response_url: str) -> None:
        """A new poll goes to the channel for everyone; if Slack refuses, say so privately."""
        if await self.poll_poster.post(channel, reply):
            return
        if response_url and reply.not_posted is not None:
            await self.delivery.respond(response_url, reply.not_posted, replace=False)

    # --- slash command -----------------------------------------------------------------

    async def on_command(self, ack: Ack, command: dict[str, Any]) -> None:
        """``/ai-choice ...``: answer in the acknowledgement when the core is quick."""
        event = command_from_slash(command)
        response_url = _str(command.get("response_url"))
        work = self.background.spawn(self._handle(event), "slash command")
        if not await finished_within(work, ACK_BUDGET_SECONDS):
            await ack()
            self.background.spawn(
                self._respond_later(event.actor.channel, response_url, work), "slow slash command"
            )
            return
        replies = work.result()
        for poll in [r for r in replies if r.new_poll]:
            self.background.spawn(
                self._post_poll(event.actor.channel, poll, response_url), "poll message"
            )
        replies = [r for r in replies if not r.new_poll]
        if not replies:
            await ack()
            return
        first, *rest = replies
        await ack(blocks=render_blocks(first), text=fallback_text(first), response_type="ephemeral")
        if rest and response_url:
            self.background.spawn(self._respond_all(response_url, rest), "slash follow-up")

    async def _respond_later(
        self, channel: str, response_url: str, work: asyncio.Task[list[Reply]]
    ) -> None:
        for reply in await work:
            if reply.new_poll:
                await self._post_poll(channel, reply, response_url)
            elif response_url:
                await self.delivery.respond(response_url, reply, replace=False)

    async def _respond_all(self, response_url: str, replies: list[Reply]) -> None:
        for reply in replies:
            await self.delivery.respond(response_url, reply, replace=False)

    # --- buttons -----------------------------------------------------------------------

    def press_listener(self, core_action: Action) -> PressListener:
        """The listener for presses on ``core_action``'s buttons (Bolt matched the id)."""

        # Bolt passes listener arguments by name: ``action`` is the pressed element.
        async def on_press(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
            await ack()
            self.background.spawn(self._answer_press(body, action, core_action), core_action)

        return on_press

    async def on_unknown_press(
        self, ack: Ack, body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        """A button whose action the core no longer has (an older message): acknowledged,
        and answered by the core, which says it no longer knows it."""
        await ack()
        self.background.spawn(self._answer_press(body, action, None), "unknown button press")

    async def _answer_press(
        self, payload: dict[str, Any], action: Mapping[str, Any], core_action: Action | None
    ) -> None:
        origin = PressOrigin.of(payload)
        for reply in await self._handle(press_from_action(payload, action, core_action)):
            await self._deliver_press_reply(origin, reply)

    async def _deliver_press_reply(self, origin: PressOrigin, reply: Reply) -> None:
        if reply.form is not None and origin.trigger_id:
            view = form_view(reply.form, origin.channel, origin.thread_ts)
            if not await self.delivery.open_view(origin.trigger_id, view):
                await self.delivery.apologise(origin.response_url)
            return
        if reply.attachment is not None:
            await self._deliver_file(origin, reply)
            return
        if not origin.response_url:  # App Home: no message to update, answer in the DM
            await self.delivery.post(origin.user, reply)
            return
        public = reply.visibility is Visibility.SHARED and (not origin.ephemeral or reply.shares)
        if public and origin.channel:
            if not await self.delivery.post(origin.channel, reply, origin.thread_ts):
                await self.delivery.apologise(origin.response_url)
            return
        replace = reply.placement is Placement.REPLACE
        if not await self.delivery.respond(origin.response_url, reply, replace=replace):
            await self.delivery.apologise(origin.response_url)

    async def _deliver_file(self, origin: PressOrigin, reply: Reply) -> None:
        """A file (a poll's CSV) goes to the person's DM; a private note says where it went."""
        assert reply.attachment is not None
        sent = await self.delivery.send_file_to_dm(origin.user, reply.attachment, reply.text)
        if not origin.response_url:
            return
        if not sent:
            await self.delivery.apologise(origin.response_url)
            return
        if reply.delivered_note is not None:
            await self.delivery.respond(origin.response_url, reply.delivered_note, replace=False)

    # --- modals ------------------------------------------------------------------------

    async def on_form_submission(self, ack: Ack, body: dict[str, Any]) -> None:
        """Our modal was submitted: a refusal keeps it open with the reason under the box;
        otherwise it closes and the core's notes go to the channel, for the person only."""
        press = press_from_submission(body)
        if press is None:
            await ack()
            return
        work = self.background.spawn(self._handle(press), "form submission")
        thread = submission_thread(body)
        if not await finished_within(work, ACK_BUDGET_SECONDS):
            await ack()  # the modal closes; what the core says follows as ephemerals
            self.background.spawn(self._form_notes(press, thread, work), "slow form submission")
            return
        replies = work.result()
        refusal = next((r for r in replies if r.form is not None), None)
        if refusal is not None and refusal.form is not None:
            await ack(**errors_response(refusal.form.error or refusal.text))
            return
        await ack()
        await self._form_notes(press, thread, work)

    async def _form_notes(
        self, press: ButtonPress, thread: str, work: asyncio.Task[list[Reply]]
    ) -> None:
        """The core's answers to a submitted modal, for the person only, where it was opened
        (in their DM with the bot when that place is unknown)."""
        channel, user = press.actor.channel, press.actor.user
        for reply in await work:
            if channel:
                await self.delivery.post_ephemeral(channel, user, reply, thread)
            else:
                await self.delivery.post(user, reply)

    # --- events ------------------------------------------------------------------------

    async def is_from_a_person(self, event: dict[str, Any], context: Mapping[str, Any]) -> bool:
        """Bolt matcher: a message event a person sent (no bot, ours or other, no edit)."""
        return not is_from_a_bot(event, _str(context.get("bot_user_id")) or None)

    async def is_direct_from_a_person(
        self, event: dict[str, Any], context: Mapping[str, Any]
    ) -> bool:
        """Bolt matcher: a direct message from a person. Channel messages count only when
        they mention us, and those come as ``app_mention``."""
        return event.get("channel_type") == "im" and await self.is_from_a_person(event, context)

    async def is_home_tab(self, event: dict[str, Any]) -> bool:
        """Bolt matcher: App Home opened on its Home tab (not the Messages tab)."""
        return bool(event.get("tab", "home") == "home")

    async def on_mention(self, ack: Ack, body: dict[str, Any], context: Mapping[str, Any]) -> None:
        """``app_mention`` from a person: answered once, in the thread under it."""
        await ack()
        bot_user_id = _str(context.get("bot_user_id")) or None
        self.background.spawn(self._answer_mention(body, bot_user_id), "app_mention event")

    async def on_direct_message(
        self, ack: Ack, body: dict[str, Any], context: Mapping[str, Any]
    ) -> None:
        """A direct message from a person: answered once, in the DM."""
        await ack()
        bot_user_id = _str(context.get("bot_user_id")) or None
        self.background.spawn(self._answer_direct(body, bot_user_id), "message event")

    async def on_home_opened(self, ack: Ack, body: dict[str, Any]) -> None:
        """App Home's Home tab opened: publish the core's view of it."""
        await ack()
        self.background.spawn(self._publish_home(body), "app_home_opened event")

    async def on_other_event(self, ack: Ack) -> None:
        """Any other event Slack sends (channel chatter, bots, edits): acknowledged, so
        Slack does not retry it, and nothing is said."""
        await ack()

    async def _first_delivery(self, body: Mapping[str, Any]) -> bool:
        """True unless this event id was handled already (a retry or a redelivery)."""
        event_id = _str(body.get("event_id"))
        if not event_id:
            return True
        try:
            first = await self.store.claim_once(
                "slack", "event", _str(body.get("team_id")), event_id, ttl=EVENT_DEDUPE_TTL
            )
        except StoreUnavailable:
            return True  # better a rare double answer than none while Redis is away
        if not first:
            log.info("slack event %s already handled; dropping the redelivery", event_id)
        return first

    async def _answer_mention(self, body: Mapping[str, Any], bot_user_id: str | None) -> None:
        if not await self._first_delivery(body):
            return
        event = _dict(body.get("event"))
        message = message_from_event(event, _str(body.get("team_id")), bot_user_id)
        channel, user, thread = message.actor.channel, message.actor.user, thread_of(event)
        for reply in await self._handle(message):
            if reply.new_poll:
                posted = await self.poll_poster.post(channel, reply)
                if not posted and reply.not_posted is not None:
                    await self.delivery.post_ephemeral(channel, user, reply.not_posted, thread)
            elif reply.visibility is Visibility.SHARED:
                await self.delivery.post(channel, reply, thread)
            else:
                await self.delivery.post_ephemeral(channel, user, reply, thread)

    async def _answer_direct(self, body: Mapping[str, Any], bot_user_id: str | None) -> None:
        if not await self._first_delivery(body):
            return
        event = _dict(body.get("event"))
        message = message_from_event(event, _str(body.get("team_id")), bot_user_id)
        for reply in await self._handle(message):
            if reply.new_poll:
                await self.poll_poster.post(message.actor.channel, reply)
            else:
                await self.delivery.post(message.actor.channel, reply, _str(event.get("thread_ts")))

    async def _publish_home(self, body: Mapping[str, Any]) -> None:
        if not await self._first_delivery(body):
            return
        opened = home_opened(_dict(body.get("event")), _str(body.get("team_id")))
        if not opened.actor.user:
            return
        replies = await self._handle(opened)
        if replies:
            await self.delivery.publish_home(opened.actor.user, replies[0])
