"""Teams delivery: the neutral replies of one turn as Adaptive Card messages.

How a reply becomes an activity (:func:`card_activity`, with a poll card's refresh for the
people who see it as their own), how it is sent in the turn (a new post, a thread reply, an
in-place update of the pressed card, a new poll posted and handed to the core) and the
invoke responses Teams shows as banners. The activity handling that decides which reply
goes where lives in :mod:`adapters.teams.teams_bot`; proactive sends outside a turn in
:mod:`adapters.teams.outbound`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Activity, Attachment

from adapters.teams.cards import CARD_CONTENT_TYPE, Card, execute_action, render_card, with_refresh
from adapters.teams.connector_retry import DEFAULT_RETRY, RetryPolicy, with_retries
from adapters.teams.personal_chats import without_share
from adapters.teams.references import poll_message_reference
from bot.polls import PollService
from bot.replies import Action, Placement, Reply
from bot.store import StoreUnavailable

log = logging.getLogger(__name__)

#: The invoke response type that shows a short message instead of replacing the card.
MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"
ERROR_CONTENT_TYPE = "application/vnd.microsoft.error"


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


async def as_new_posts(
    _turn_context: TurnContext,
    activities: list[Activity],
    next_send: Callable[[], Awaitable[Any]],
) -> Any:
    """Send hook: post to the conversation itself (no replyToId) instead of replying."""
    for activity in activities:
        activity.reply_to_id = None
    return await next_send()


class TeamsDelivery:
    """Sends one turn's replies as cards, retrying throttled connector calls."""

    def __init__(self, polls: PollService, retry: RetryPolicy = DEFAULT_RETRY) -> None:
        self.polls = polls
        self.retry = retry

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
            await self.polls.attach_message(reply.new_poll, reference)
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
