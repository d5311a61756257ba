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

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import ActivityHandler, InvokeResponse, MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes, Attachment, ConversationAccount

from adapters.teams.activities import actor_of, event_of_message, press_from_data
from adapters.teams.cards import (
    CARD_CONTENT_TYPE,
    Card,
    execute_action,
    render_card,
    with_refresh,
)
from adapters.teams.connector_retry import DEFAULT_RETRY, RetryPolicy, with_retries
from adapters.teams.personal_chats import (
    find_personal_chat,
    remember_personal_chat,
    without_share,
)
from adapters.teams.private_cards import (
    is_poll_note,
    is_private_poll_reply,
    needs_poll_card,
    pressed_poll,
    private_card,
)
from adapters.teams.references import keep_reference, poll_message_reference, save_reference
from bot.conversation import Conversation
from bot.events import ButtonPress, Installed
from bot.replies import Action, Placement, Reply, Tone, Visibility
from bot.store import StateStore, StoreUnavailable

log = logging.getLogger(__name__)

#: The invoke response type that shows a short message instead of replacing the card.
MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"
ERROR_CONTENT_TYPE = "application/vnd.microsoft.error"

#: How long a vote's banner waits for the shared card's update: checks x step seconds.
SETTLE_CHECKS = 20
SETTLE_STEP_SECONDS = 0.05

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


#: The action a poll card's refresh runs: each viewer's own view of the poll.
VIEW_ACTION = Action.POLL_VIEW


def poll_card(reply: Reply) -> Card:
    """``reply`` as a card; a poll's shared card refreshes to each of ``reply.viewers``' own
    view (their vote marked, or their questionnaire step) through Universal Actions."""
    card = render_card(reply)
    poll_id = reply.meta.get("poll")
    if poll_id and reply.viewers:  # only a poll's shared message lists viewers
        card = with_refresh(card, execute_action(VIEW_ACTION, poll_id), list(reply.viewers))
    return card


def card_activity(reply: Reply) -> Activity:
    """A message activity carrying ``reply`` as an Adaptive Card (see :func:`poll_card`)."""
    attachment = CardAttachment(content_type=CARD_CONTENT_TYPE, content=poll_card(reply))
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
        shown = for_conversation(turn_context, reply)
        sent = await with_retries(
            lambda: turn_context.send_activity(card_activity(shown)),
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
            activity = card_activity(for_conversation(turn_context, reply))
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
        await self.remember_personal_chat(activity)
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
        poll_id = pressed_poll(press)
        if poll_id:
            # Before the press is handled: the shared update it causes must already list
            # this person, so Teams refreshes their card to their own view.
            await self.remember_viewer(poll_id, activity)
        replies = await self.conversation.handle(press)
        if any(is_private_poll_reply(press, reply) for reply in replies):
            return await self.private_answer(turn_context, press, replies)
        in_place = next((r for r in replies if r.placement is Placement.REPLACE), None)
        if in_place is None and len(replies) == 1 and is_private_note(replies[0]):
            # "Thanks for the feedback": shown to the presser only, never posted to the channel.
            return {"statusCode": 200, "type": MESSAGE_CONTENT_TYPE, "value": replies[0].text}
        for reply in replies:
            if reply is not in_place:
                await self.send(turn_context, reply)
        if in_place is not None:
            shown = for_conversation(turn_context, in_place)
            return {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": render_card(shown)}
        first = replies[0] if replies else None
        note = (first.header or first.text) if first else ""
        return {"statusCode": 200, "type": MESSAGE_CONTENT_TYPE, "value": note}

    async def private_answer(
        self, turn_context: TurnContext, press: ButtonPress, replies: list[Reply]
    ) -> dict[str, Any]:
        """A poll press's replies, for the presser alone.

        A confirmation or refusal is a banner (a message-type response): the card stays as
        it is, and the shared update shows the vote. An export goes to the personal chat.
        A view (the refresh, or the questionnaire) is the card itself (see private_cards).
        """
        replies = [for_conversation(turn_context, reply) for reply in replies]
        export = next((r for r in replies if r.attachment is not None), None)
        if export is not None:
            return message_response(await self.send_export(turn_context, export))
        voted = next(
            (r.meta["poll"] for r in replies if r.tone is Tone.SUCCESS and "poll" in r.meta), None
        )
        if voted:
            # The banner, or the questionnaire's result, must come after the shared
            # update the vote causes, or that update takes it away again.
            await self.card_updated(voted)
        if press.action != VIEW_ACTION and replies and all(is_poll_note(r) for r in replies):
            return message_response("\n".join(r.text for r in replies))
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

    async def remember_viewer(self, poll_id: str, activity: Activity) -> None:
        """Add the presser's Teams user id to the poll card's refresh list (newest 60).

        Not for an anonymous poll: the list travels in the card, so it would tell who voted.
        """
        user_id = activity.from_property.id if activity.from_property else ""
        if not user_id:
            return
        try:
            if not await self.conversation.polls.is_anonymous(poll_id):
                await self.conversation.polls.add_viewer(poll_id, user_id)
        except StoreUnavailable:
            log.error("teams: poll %s viewer not saved (redis unreachable)", poll_id)

    async def card_updated(self, poll_id: str) -> None:
        """Wait (briefly) until the shared card shows the vote just cast.

        Updating a card takes away the banner under it (and, where user-specific views are
        not run, the private card shown in its place), so the answer must come after the
        update; when the update is held back (many votes at once) it comes anyway.
        """
        polls = self.conversation.polls.polls
        for _ in range(SETTLE_CHECKS):
            try:
                version, rendered = await polls.render_lag(poll_id)
            except StoreUnavailable:
                return
            if version <= rendered:
                return
            await asyncio.sleep(SETTLE_STEP_SECONDS)

    async def remember_personal_chat(self, activity: Activity) -> None:
        """Remember a person's personal chat with the bot (where an export goes)."""
        try:
            await remember_personal_chat(self.store, activity)
        except StoreUnavailable:
            log.error("teams: personal chat not saved (redis unreachable)")

    async def send_export(self, turn_context: TurnContext, export: Reply) -> str:
        """Post the CSV card in the presser's personal chat; the banner saying where it went.

        From a personal chat it is posted right there; from a channel or group chat it goes
        to the person's personal chat with the bot through the same connector; with no
        personal chat known, the banner says how to open one. The poll card never changes.
        """
        messages = self.conversation.polls.messages
        activity = turn_context.activity
        conversation = activity.conversation
        if conversation is not None and conversation.conversation_type == "personal":
            await self.send(turn_context, export)
            return messages.export_here
        actor = actor_of(activity)
        try:
            chat = await find_personal_chat(self.store, actor.workspace, actor.user)
        except StoreUnavailable:
            chat = None
        connector = turn_context.turn_state.get(turn_context.adapter.BOT_CONNECTOR_CLIENT_KEY)
        if chat is None or connector is None or chat.get("service_url") != activity.service_url:
            return messages.export_needs_personal_chat
        outgoing = card_activity(export)
        outgoing.conversation = ConversationAccount(id=chat["conversation_id"])
        outgoing.from_property = activity.recipient
        outgoing.channel_id = activity.channel_id
        outgoing.service_url = activity.service_url
        try:
            await with_retries(
                lambda: connector.conversations.send_to_conversation(
                    chat["conversation_id"], outgoing
                ),
                self.retry,
                what="send export",
            )
        except Exception as error:
            log.error("teams: export not sent to the personal chat: %s", type(error).__name__)
            return messages.export_needs_personal_chat
        return messages.export_sent_personal

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
            await remember_personal_chat(self.store, activity)
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


def message_response(text: str) -> dict[str, Any]:
    """The invoke response Teams shows as a short banner under the pressed card."""
    return {"statusCode": 200, "type": MESSAGE_CONTENT_TYPE, "value": text}


def for_conversation(turn_context: TurnContext, reply: Reply) -> Reply:
    """``reply`` as it fits the conversation: no "Share to channel" in a personal chat,
    where sharing would only repost it into the same chat."""
    conversation = turn_context.activity.conversation if turn_context.activity else None
    if conversation is not None and conversation.conversation_type == "personal":
        return without_share(reply)
    return reply


def is_private_note(reply: Reply) -> bool:
    """A private line of text and nothing else: the invoke response can show it alone."""
    return (
        reply.visibility is Visibility.PRIVATE
        and reply.placement is Placement.NEW
        and bool(reply.text)
        and not (reply.header or reply.facts or reply.sections or reply.table or reply.bars)
        and not (reply.choices or reply.controls or reply.attachment)
    )
