"""Conversation references: what the bot must remember to post into a conversation later.

Saved when the bot is added to a team, a group chat or a personal chat, under
``teams:conversation:<conversation id>``, as plain JSON, so proactive updates (poll
results, reminders) can reach the conversation without a new incoming activity. A
reference lives as long as the install is in use: it expires :data:`REFERENCE_TTL_SECONDS`
after the conversation's last activity (every activity starts the time again, at most once
per :data:`adapters.teams.refreshes.WINDOW_SECONDS` per process).
"""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, ConversationReference

from adapters.teams.activities import team_id, tenant_id
from adapters.teams.refreshes import Refreshes
from bot.store import StateStore

NAMESPACE = ("teams", "conversation")
#: A conversation the bot has heard nothing from for this long is forgotten.
REFERENCE_TTL_SECONDS = 90 * 24 * 3600


def reference_of(activity: Activity) -> dict[str, Any]:
    """The JSON reference for the conversation ``activity`` happened in."""
    conversation = activity.conversation
    bot = activity.recipient
    return {
        "service_url": activity.service_url,
        "channel_id": activity.channel_id or "msteams",
        "conversation_id": conversation.id,
        "conversation_type": conversation.conversation_type or "",
        "tenant_id": tenant_id(activity),
        "team_id": team_id(activity),
        "bot_id": bot.id if bot else "",
        "bot_name": (bot.name or "") if bot else "",
    }


def poll_message_reference(activity: Activity, activity_id: str) -> dict[str, Any]:
    """Where a poll card was posted: its conversation's reference and the card's activity id."""
    return {**reference_of(activity), "activity_id": activity_id}


async def save_reference(store: StateStore, activity: Activity) -> dict[str, Any]:
    """Remember the conversation of ``activity``; returns what was stored."""
    reference = reference_of(activity)
    await store.put_json(
        *NAMESPACE, reference["conversation_id"], value=reference, ttl=REFERENCE_TTL_SECONDS
    )
    return reference


async def save_conversation_reference(store: StateStore, activity: Activity) -> None:
    """Remember the conversation a person wrote to the bot in, without its thread (a
    channel's own id), so what the core posts there later (a scheduled poll) reaches it."""
    reference = reference_of(activity)
    root = str(reference["conversation_id"] or "").split(";", 1)[0]
    if root:
        value = {**reference, "conversation_id": root}
        await store.put_json(*NAMESPACE, root, value=value, ttl=REFERENCE_TTL_SECONDS)


def remembered_ids(activity: Activity) -> list[str]:
    """The saved references an activity keeps alive: its conversation (a channel thread's
    id without ``;messageid=``) and, in a team, the team's own (its General channel's id,
    under which the install was saved)."""
    conversation = activity.conversation
    own = (conversation.id or "").split(";", 1)[0] if conversation else ""
    return list(dict.fromkeys(i for i in (own, team_id(activity)) if i))


async def keep_reference(
    store: StateStore, activity: Activity, refreshes: Refreshes | None = None
) -> None:
    """Start the time of the conversations ``activity`` touches again (those never saved
    stay unsaved); with ``refreshes``, not again within its window."""
    for conversation_id in remembered_ids(activity):
        key = ("reference", conversation_id)
        if refreshes is not None and not refreshes.due(key):
            continue
        touched = await store.touch(*NAMESPACE, conversation_id, ttl=REFERENCE_TTL_SECONDS)
        if refreshes is not None and touched:  # one not saved yet is tried again next time
            refreshes.done(key)


#: Who added the bot to a team (``teams:installer:<team id>``): the one person the bot can
#: tell may choose the team's experts' channel (team owners are known only to Graph).
INSTALLER = ("teams", "installer")


async def save_installer(store: StateStore, activity: Activity) -> None:
    """Remember who added the bot to the team ``activity`` happened in."""
    team = team_id(activity)
    sender = activity.from_property
    user = (sender.aad_object_id or sender.id or "") if sender else ""
    if team and user:
        await store.put_json(*INSTALLER, team, value={"user": user}, ttl=REFERENCE_TTL_SECONDS)


async def is_installer(store: StateStore, activity: Activity, user: str) -> bool:
    """True when ``user`` added the bot to the team ``activity`` happened in."""
    team = team_id(activity)
    saved = await store.get_json(*INSTALLER, team) if team and user else None
    return isinstance(saved, dict) and saved.get("user") == user


async def load_reference(store: StateStore, conversation_id: str) -> ConversationReference | None:
    """The botbuilder reference for a remembered conversation, for ``continue_conversation``."""
    saved = await store.get_json(*NAMESPACE, conversation_id)
    if not isinstance(saved, dict):
        return None
    return ConversationReference(
        service_url=saved["service_url"],
        channel_id=saved["channel_id"],
        conversation=ConversationAccount(
            id=saved["conversation_id"],
            conversation_type=saved.get("conversation_type") or None,
            tenant_id=saved.get("tenant_id") or None,
        ),
        bot=ChannelAccount(id=saved["bot_id"], name=saved.get("bot_name") or None),
    )
