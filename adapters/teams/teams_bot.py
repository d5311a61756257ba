"""The botbuilder bot: hands each activity's event to the core and decides where each
reply goes (sending is :mod:`adapters.teams.delivery`).

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
import dataclasses
import logging
from typing import Any

from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes, ConversationAccount

from adapters.teams.activities import actor_of, event_of_message, press_from_data, team_id
from adapters.teams.cards import (
    CARD_CONTENT_TYPE,
    render_card,
)
from adapters.teams.connector_retry import DEFAULT_RETRY, RetryPolicy, with_retries
from adapters.teams.delivery import (
    ERROR_CONTENT_TYPE,
    MESSAGE_CONTENT_TYPE,
    VIEW_ACTION,
    TeamsDelivery,
    as_new_posts,
    card_activity,
    for_conversation,
    message_response,
)
from adapters.teams.personal_chats import (
    find_personal_chat,
    remember_personal_chat,
)
from adapters.teams.private_cards import (
    is_poll_note,
    is_private_poll_reply,
    needs_poll_card,
    pressed_poll,
    private_card,
)
from adapters.teams.references import (
    is_installer,
    keep_reference,
    save_conversation_reference,
    save_installer,
    save_reference,
)
from adapters.teams.refreshes import Refreshes
from bot.conversation import Conversation
from bot.events import ButtonPress, Installed, Message
from bot.replies import Placement, Reply, Tone, Visibility
from bot.store import StateStore, StoreUnavailable

log = logging.getLogger(__name__)

#: How long a vote's banner waits for the shared card's update: checks x step seconds.
SETTLE_CHECKS = 20
SETTLE_STEP_SECONDS = 0.05

#: A conversation is welcomed at most once in this many seconds (Teams sends both a
#: conversationUpdate and an installationUpdate when the app is added).
WELCOME_TTL = 3600


class TeamsBot(ActivityHandler):  # type: ignore[misc]
    """Routes Teams activities to :class:`bot.conversation.Conversation`."""

    def __init__(
        self, conversation: Conversation, store: StateStore, retry: RetryPolicy = DEFAULT_RETRY
    ) -> None:
        super().__init__()
        self.conversation = conversation
        self.store = store
        self.retry = retry
        self.delivery = TeamsDelivery(conversation.polls, retry)
        #: Long-lived keys refreshed lately, so each message does not rewrite them.
        self.refreshes = Refreshes()

    # --- activities -----------------------------------------------------------------

    async def on_turn(self, turn_context: TurnContext) -> None:
        """Every activity: keep the conversation's reference alive, then route it."""
        with contextlib.suppress(StoreUnavailable):  # logged; the turn says the rest
            await keep_reference(self.store, turn_context.activity, self.refreshes)
        await super().on_turn(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        """Typed text or an Action.Submit press."""
        activity = turn_context.activity
        event = event_of_message(activity)
        if event is None:
            return
        await self.remember_personal_chat(activity)
        if isinstance(event, Message):
            # Where the core may post later (a scheduled poll, the experts' channel): the
            # conversation written in.
            with contextlib.suppress(StoreUnavailable):
                await save_conversation_reference(self.store, activity)
        event = await self.with_installer_rights(activity, event)
        replies = await self.conversation.handle(event)
        conversation_type = activity.conversation.conversation_type if activity.conversation else ""
        if isinstance(event, ButtonPress) and conversation_type != "personal":
            # Action.Submit has no private answer outside a personal chat: a poll press
            # shows in the shared card (updated by the publisher) and nowhere else.
            replies = [r for r in replies if not is_private_poll_reply(event, r)]
        pressed_on = activity.reply_to_id if activity.value is not None else None
        await self.delivery.deliver(turn_context, replies, pressed_on)

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
        press = press_from_data(data, actor_of(activity), activity)
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
                await self.delivery.send(turn_context, reply)
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
                current = await self.conversation.polls.current(poll_id, press.actor)
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

    async def with_installer_rights(
        self, activity: Activity, event: ButtonPress | Message
    ) -> ButtonPress | Message:
        """A message typed in a team channel: the person who added the bot to the team
        counts as its admin, the one the bot can tell (owners are known only to Microsoft
        Graph). The channel itself was remembered with every message written in it."""
        if not isinstance(event, Message) or not team_id(activity):
            return event
        try:
            installer = await is_installer(self.store, activity, event.actor.user)
        except StoreUnavailable:
            return event
        if not installer:
            return event
        return Message(dataclasses.replace(event.actor, is_admin=True), event.text)

    async def remember_personal_chat(self, activity: Activity) -> None:
        """Remember a person's personal chat with the bot (where an export goes)."""
        try:
            await remember_personal_chat(self.store, activity, self.refreshes)
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
            await self.delivery.send(turn_context, export)
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
            await save_installer(self.store, activity)
            await remember_personal_chat(self.store, activity)
            first = await self.store.claim_once(
                "teams", "welcome", activity.conversation.id, ttl=WELCOME_TTL
            )
        except StoreUnavailable:
            log.error("teams: could not save the conversation reference (redis unreachable)")
            first = True
        if first:
            # A post of its own in the conversation, not a reply to the update activity.
            turn_context.on_send_activities(as_new_posts)
            for reply in await self.conversation.handle(Installed(actor_of(activity))):
                await self.delivery.send(turn_context, reply)

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
