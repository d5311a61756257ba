"""Personal chats with the bot: which one is whose, and what a card drops there.

A person's personal (1:1) chat is remembered under ``teams:personal:<tenant>:<user>`` when
the bot is installed there or the person writes to it, so a poll export asked for in a
channel can be sent to them privately. The entry expires after :data:`PERSONAL_CHAT_TTL`
unless they write again (re-saved at most once per
:data:`adapters.teams.refreshes.WINDOW_SECONDS` per process while it stays the same).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from botbuilder.schema import Activity

from adapters.teams.activities import actor_of
from adapters.teams.refreshes import Refreshes
from bot.replies import Reply
from bot.store import StateStore

#: A personal chat nobody has written in for this long is looked up afresh.
PERSONAL_CHAT_TTL = 90 * 24 * 3600
#: The core's action of the "Share to channel" button.
SHARE_ACTION = "quiz.share"


async def remember_personal_chat(
    store: StateStore, activity: Activity, refreshes: Refreshes | None = None
) -> None:
    """Save where ``activity``'s sender's personal chat is, when it happened in one; with
    ``refreshes``, the same place is not saved again within its window."""
    conversation = activity.conversation
    if conversation is None or conversation.conversation_type != "personal":
        return
    actor = actor_of(activity)
    if not actor.user:
        return
    key = ("personal", actor.workspace, actor.user)
    place = (conversation.id, activity.service_url)
    if refreshes is not None and not refreshes.due(key, place):
        return
    value = {"conversation_id": conversation.id, "service_url": activity.service_url}
    await store.put_json(
        "teams", "personal", actor.workspace, actor.user, value=value, ttl=PERSONAL_CHAT_TTL
    )
    if refreshes is not None:
        refreshes.done(key, place)


async def find_personal_chat(store: StateStore, workspace: str, user: str) -> dict[str, Any] | None:
    """The saved personal chat of ``user`` (conversation id and service URL), or None."""
    value = await store.get_json("teams", "personal", workspace, user)
    return value if isinstance(value, dict) and value.get("conversation_id") else None


def without_share(reply: Reply) -> Reply:
    """``reply`` without its "Share to channel" button."""
    controls = tuple(c for c in reply.controls if c.action != SHARE_ACTION)
    choices = tuple(c for c in reply.choices if c.action != SHARE_ACTION)
    if controls == reply.controls and choices == reply.choices:
        return reply
    return dataclasses.replace(reply, controls=controls, choices=choices)
