"""Teams activities → the core's neutral events: who is acting, what they typed or pressed.

A translation table and nothing more: it never decides what to say.
"""

from __future__ import annotations

import html
import re
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from adapters.teams.cards import ACTION_KEY, VALUE_KEY
from bot.events import Actor, ButtonPress, Message

PLATFORM = "teams"

#: The conversation types where every reply is seen by everyone in the conversation.
SHARED_CONVERSATIONS = ("channel", "groupChat")

_LEFTOVER_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)


def _get(data: Any, *path: str) -> Any:
    """``data[path[0]][path[1]]...`` for plain dicts, None where a step is missing."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def tenant_id(activity: Activity) -> str:
    """The Microsoft 365 tenant the activity comes from ('' when the channel gives none)."""
    from_channel_data = _get(activity.channel_data, "tenant", "id")
    if isinstance(from_channel_data, str) and from_channel_data:
        return from_channel_data
    conversation = activity.conversation
    if conversation is None:
        return ""
    extra = getattr(conversation, "additional_properties", None) or {}
    return str(conversation.tenant_id or extra.get("tenantId") or "")


def team_id(activity: Activity) -> str:
    """The team a channel conversation belongs to ('' in personal and group chats)."""
    value = _get(activity.channel_data, "team", "id")
    return value if isinstance(value, str) else ""


def actor_of(activity: Activity) -> Actor:
    """Who acted, and where: tenant (or team), conversation and Entra object id (or from.id)."""
    sender = activity.from_property
    user = (sender.aad_object_id or sender.id or "") if sender else ""
    return Actor(
        platform=PLATFORM,
        workspace=tenant_id(activity) or team_id(activity),
        channel=activity.conversation.id if activity.conversation else "",
        user=user,
        user_name=(sender.name or "") if sender else "",
        # Team owners are not told apart: the Bot Framework's member info has no owner role
        # (only Microsoft Graph knows), so is_admin stays False (docs/teams.md).
        time_zone=time_zone(activity),
        locale=str(activity.locale or ""),
        # Channels and group chats have no private replies (docs/teams.md).
        shared_place=bool(activity.conversation)
        and activity.conversation.conversation_type in SHARED_CONVERSATIONS,
    )


def time_zone(activity: Activity) -> str:
    """The sender's IANA time zone: the activity's ``localTimezone``, else its clientInfo."""
    if activity.local_timezone:
        return str(activity.local_timezone)
    for entity in activity.entities or []:
        properties = entity.additional_properties or {}
        if entity.type == "clientInfo" and isinstance(properties.get("timezone"), str):
            return str(properties["timezone"])
    return ""


def message_text(activity: Activity) -> str:
    """What the person typed, with the @mention of the bot taken out."""
    if not activity.text:
        return ""
    if activity.recipient is not None and activity.entities:
        TurnContext.remove_recipient_mention(activity)
    text = _LEFTOVER_MENTION.sub(" ", activity.text or "")
    return " ".join(html.unescape(text).replace("\xa0", " ").split())


#: The most inputs, and the longest text per input, a card action hands the core: more
#: than any form has and any field may hold (so the core can still say it is too long),
#: never all of a forged one.
MAX_INPUTS = 20
MAX_INPUT_TEXT = 2000


def press_from_data(
    data: Any, actor: Actor, activity: Activity | None = None
) -> ButtonPress | None:
    """The button press a card action's ``data`` encodes, or None when it is not ours.

    Teams puts what was typed into the card's inputs (``Input.Text``, and ``Input.Toggle``
    with the values the card gave it) beside the action's own data, by input id: those
    become the press's ``inputs``. The ``activity`` says whether the card sat where others
    see it (a channel or group chat) and in which thread.
    """
    action = _get(data, ACTION_KEY)
    if not isinstance(action, str) or not action:
        return None
    value = _get(data, VALUE_KEY)
    inputs = {
        str(key)[:64]: text[:MAX_INPUT_TEXT]
        for key, text in list(data.items())[: MAX_INPUTS + 2]
        if key not in (ACTION_KEY, VALUE_KEY) and isinstance(text, str)
    }
    conversation = activity.conversation if activity is not None else None
    in_public = conversation is not None and conversation.conversation_type in (
        "channel",
        "groupChat",
    )
    return ButtonPress(
        actor,
        action,
        value if isinstance(value, str) else "",
        inputs,
        in_public=in_public,
        thread=(conversation.id or "") if in_public and conversation is not None else "",
    )


def event_of_message(activity: Activity) -> ButtonPress | Message | None:
    """A message activity as an event: an Action.Submit press, or typed text.

    A bare @mention becomes an empty Message (the core answers with its menu); a message
    with no text at all (a file, a reaction card) is None.
    """
    actor = actor_of(activity)
    press = press_from_data(activity.value, actor, activity)
    if press is not None:
        return press
    if not activity.text:
        return None
    return Message(actor, message_text(activity))
