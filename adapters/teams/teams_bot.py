"""The botbuilder bot: hands each activity's event to the core and delivers its replies.

- Typed text (personal chat, or an @mention in a channel or group chat) → ``Message``;
  replies go into the same thread.
- ``Action.Execute`` → ``adaptiveCard/action`` invoke → ``ButtonPress``; a REPLACE reply
  is the updated card in the invoke response, NEW replies are posted as new messages.
- ``Action.Submit`` (the fallback on older hosts) → message with ``value`` →
  ``ButtonPress``; a REPLACE reply updates the card's message (``reply_to_id``) in place.
- Added to a team, group chat or personal chat → the core's menu as a welcome, and the
  conversation reference saved for proactive posts; every later activity there keeps it.
- Polls: a new poll card is posted into the thread and its place handed to the core
  (``attach_message``) so the poll publisher can update it. What a poll button answers is
  for the presser alone: in the invoke response (:mod:`adapters.teams.private_cards`), and
  never posted to a channel or group chat from the Action.Submit fallback.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import ActivityHandler, InvokeResponse, MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes, Attachment

from adapters.teams.activities import actor_of, event_of_message, press_from_data
from adapters.teams.cards import CARD_CONTENT_TYPE, render_card
from adapters.teams.connector_retry import DEFAULT_RETRY, RetryPolicy, with_retries
from adapters.teams.private_cards import (
    is_private_poll_reply,
    needs_poll_card,
    pressed_poll,
    private_card,
)
from adapters.teams.references import keep_reference, poll_message_reference, save_reference
from bot.conversation import Conversation
from bot.events import ButtonPress, Installed
from bot.replies import Placement, Reply, Visibility
from bot.store import StateStore, StoreUnavailable

log = logging.getLogger(__name__)

#: The invoke response type that shows a short message instead of replacing the card.
MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"
ERROR_CONTENT_TYPE = "application/vnd.microsoft.error"

#: A conversation is welcomed at most once in this many seconds (Teams sends both a
#: conversationUpdate and an installationUpdate when the app is added).
WELCOME_TTL = 3600


class CardAttachment(Attachment):  # type: ignore[misc]
    """An Adaptive Card attachment whose card is shared, not copied, by ``deepcopy``.

    botbuilder deep-copies every outgoing activity (``TurnContext.send_activities``); the
    card is a fresh dict per reply that nothing changes afterwards, so walking it again
    only costs time.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> CardAttachment:
        return CardAttachment(
            content_type=self.content_type,
            content=self.content,
            content_url=self.content_url,
            name=self.name,
            thumbnail_url=self.thumbnail_url,
        )


def card_activity(reply: Reply) -> Activity:
    """A message activity carrying ``reply`` as an Adaptive Card."""
    attachment = CardAttachment(content_type=CARD_CONTENT_TYPE, content=render_card(reply))
    activity: Activity = MessageFactory.attachment(attachment)
    activity.summary = reply.header or reply.text[:80]
    return activity


async def _as_new_posts(
    _turn_context: TurnContext,
    activities: list[Activity],
    next_send: Callable[[], Awaitable[Any]],
) -> Any:
    """Send hook: post to the conversation itself (no replyToId) instead of replying."""
    for activity in activities:
        activity.reply_to_id = None
    return await next_send()


class TeamsBot(ActivityHandler):  # type: ignore[misc]
    """Routes Teams activities to :class:`bot.conversation.Conversation`."""

    def __init__(
        self, conversation: Conversation, store: StateStore, retry: RetryPolicy = DEFAULT_RETRY
    ) -> None:
        super().__init__()
        self.conversation = conversation
        self.store = store
        self.retry = retry

    # --- delivery -------------------------------------------------------------------

    async def send(self, turn_context: TurnContext, reply: Reply) -> str | None:
        """Post ``reply`` as a new message (a thread reply where the activity was one);
        the new message's activity id."""
        sent = await with_retries(
            lambda: turn_context.send_activity(card_activity(reply)),
            self.retry,
            what="send card",
        )
        return getattr(sent, "id", None)

    async def post_poll(self, turn_context: TurnContext, reply: Reply) -> None:
        """Post a new poll card and tell the core where it is, so it can be kept current."""
        activity_id = await self.send(turn_context, reply)
        if not activity_id:
            log.error("teams: poll %s posted without an activity id", reply.new_poll)
            return
        reference = poll_message_reference(turn_context.activity, activity_id)
        try:
            await self.conversation.polls.attach_message(reply.new_poll, reference)
        except StoreUnavailable:
            # The votes still count; only this card stays as first posted.
            log.error("teams: poll %s card not attached (redis unreachable)", reply.new_poll)

    async def replace(self, turn_context: TurnContext, message_id: str, reply: Reply) -> None:
        """Update the card message ``message_id`` in place with ``reply``."""

        async def update() -> object:
            activity = card_activity(reply)
            activity.id = message_id
            return await turn_context.update_activity(activity)

        await with_retries(update, self.retry, what="update card")

    async def deliver(
        self, turn_context: TurnContext, replies: list[Reply], card_message_id: str | None
    ) -> None:
        """Send each reply: REPLACE updates ``card_message_id`` when there is one, else new."""
        for reply in replies:
            if reply.placement is Placement.REPLACE and card_message_id:
                await self.replace(turn_context, card_message_id, reply)
            elif reply.new_poll:
                await self.post_poll(turn_context, reply)
            else:
                await self.send(turn_context, reply)

    # --- activities -----------------------------------------------------------------

    async def on_turn(self, turn_context: TurnContext) -> None:
        """Every activity: keep the conversation's reference alive, then route it."""
        with contextlib.suppress(StoreUnavailable):  # logged; the turn says the rest
            await keep_reference(self.store, turn_context.activity)
        await super().on_turn(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        """Typed text or an Action.Submit press."""
        activity = turn_context.activity
        event = event_of_message(activity)
        if event is None:
            return
        replies = await self.conversation.handle(event)
        conversation_type = activity.conversation.conversation_type if activity.conversation else ""
        if isinstance(event, ButtonPress) and conversation_type != "personal":
            # Action.Submit has no private answer outside a personal chat: a poll press
            # shows in the shared card (updated by the publisher) and nowhere else.
            replies = [r for r in replies if not is_private_poll_reply(event, r)]
        pressed_on = activity.reply_to_id if activity.value is not None else None
        await self.deliver(turn_context, replies, pressed_on)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """``adaptiveCard/action`` is ours; every other invoke goes to botbuilder's default."""
        if turn_context.activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(turn_context)
        return InvokeResponse(status=200, body=await self.card_action(turn_context))

    async def card_action(self, turn_context: TurnContext) -> dict[str, Any]:
        """An Action.Execute press → the Universal Actions response body.

        A REPLACE reply is the updated card (it replaces the pressed one); NEW replies
        are posted as new messages, and with nothing to replace a short note is shown.
        """
        activity = turn_context.activity
        action = activity.value.get("action") if isinstance(activity.value, dict) else None
        data = action.get("data") if isinstance(action, dict) else None
        press = press_from_data(data, actor_of(activity))
        if press is None:
            return {
                "statusCode": 400,
                "type": ERROR_CONTENT_TYPE,
                "value": {"code": "BadRequest", "message": "not an AI Choice action"},
            }
        replies = await self.conversation.handle(press)
        if any(is_private_poll_reply(press, reply) for reply in replies):
            return await self.private_answer(press, replies)
        in_place = next((r for r in replies if r.placement is Placement.REPLACE), None)
        if in_place is None and len(replies) == 1 and is_private_note(replies[0]):
            # "Thanks for the feedback": shown to the presser only, never posted to the channel.
            return {"statusCode": 200, "type": MESSAGE_CONTENT_TYPE, "value": replies[0].text}
        for reply in replies:
            if reply is not in_place:
                await self.send(turn_context, reply)
        if in_place is not None:
            return {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": render_card(in_place)}
        first = replies[0] if replies else None
        note = (first.header or first.text) if first else ""
        return {"statusCode": 200, "type": MESSAGE_CONTENT_TYPE, "value": note}

    async def private_answer(self, press: ButtonPress, replies: list[Reply]) -> dict[str, Any]:
        """A poll press's replies as one card for the presser (see private_cards)."""
        poll: Reply | None = None
        poll_id = pressed_poll(press)
        if poll_id and needs_poll_card(replies):
            try:
                current = await self.conversation.polls.current(poll_id)
            except StoreUnavailable:
                current = None
            poll = current[1] if current else None
        card = private_card(replies, poll)
        if card is None:
            note = replies[0].text if replies else ""
            return {"statusCode": 200, "type": MESSAGE_CONTENT_TYPE, "value": note}
        return {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": card}

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        """The bot was added to a team, a group chat or a personal chat: welcome, remember."""
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        if any(member.id == bot_id for member in activity.members_added or []):
            await self.welcome(turn_context)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        """The app was installed into a conversation: welcome, remember."""
        await self.welcome(turn_context)

    async def welcome(self, turn_context: TurnContext) -> None:
        """Save the conversation reference and post the core's menu, once per conversation."""
        activity = turn_context.activity
        try:
            await save_reference(self.store, activity)
            first = await self.store.claim_once(
                "teams", "welcome", activity.conversation.id, ttl=WELCOME_TTL
            )
        except StoreUnavailable:
            log.error("teams: could not save the conversation reference (redis unreachable)")
            first = True
        if first:
            # A post of its own in the conversation, not a reply to the update activity.
            turn_context.on_send_activities(_as_new_posts)
            for reply in await self.conversation.handle(Installed(actor_of(activity))):
                await self.send(turn_context, reply)

    async def on_turn_error(self, turn_context: TurnContext, error: Exception) -> None:
        """Log a failed turn; an invoke still gets an answer, nobody sees a traceback."""
        activity = turn_context.activity
        log.error(
            "teams: turn failed for %s activity %s: %s",
            activity.type if activity else "?",
            activity.id if activity else "?",
            type(error).__name__,
            exc_info=error,
        )
        if activity is not None and activity.type == ActivityTypes.invoke:
            body = {
                "statusCode": 500,
                "type": ERROR_CONTENT_TYPE,
                "value": {
                    "code": "InternalError",
                    "message": self.conversation.content.strings.internal_error,
                },
            }
            await turn_context.send_activity(
                Activity(
                    type=ActivityTypes.invoke_response,
                    value=InvokeResponse(status=200, body=body),
                )
            )


def is_private_note(reply: Reply) -> bool:
    """A private line of text and nothing else: the invoke response can show it alone."""
    return (
        reply.visibility is Visibility.PRIVATE
        and reply.placement is Placement.NEW
        and bool(reply.text)
        and not (reply.header or reply.facts or reply.sections or reply.table or reply.bars)
        and not (reply.choices or reply.controls or reply.attachment)
    )
