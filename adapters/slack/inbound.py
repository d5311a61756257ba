"""Slack payloads → the core's neutral events: the translation table on the way in.

Pure functions over the dicts Slack sends (slash command form fields, ``block_actions``
payloads, Events API ``event`` objects); nothing here talks to the network.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from adapters.slack.blocks import decode_action_id, unescape_slack
from bot.events import Actor, ButtonPress, Command, Message

PLATFORM = "slack"

#: ``<@U123>`` or ``<@U123|name>``: a user mention as Slack encodes it in message text.
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _id(value: Any) -> str:
    """An id given either as a string or as ``{"id": ...}``."""
    if isinstance(value, Mapping):
        return _text(value.get("id"))
    return _text(value)


def command_from_slash(form: Mapping[str, Any]) -> Command:
    """``/ai-choice [subcommand] [text]`` → ``Command(subcommand lowercased, rest)``.

    No text is ``start``; the core answers subcommands it does not know with usage.
    """
    actor = Actor(
        platform=PLATFORM,
        workspace=_text(form.get("team_id")),
        channel=_text(form.get("channel_id")),
        user=_text(form.get("user_id")),
        user_name=_text(form.get("user_name")),
    )
    words = unescape_slack(_text(form.get("text"))).split(None, 1)
    if not words:
        return Command(actor, "start")
    rest = words[1].strip() if len(words) > 1 else ""
    return Command(actor, words[0].lower(), rest)


def actor_from_interaction(payload: Mapping[str, Any]) -> Actor:
    """Who pressed a button, and where (``channel`` is empty on App Home)."""
    user = payload.get("user") or {}
    user = user if isinstance(user, Mapping) else {}
    return Actor(
        platform=PLATFORM,
        workspace=_id(payload.get("team")) or _text(user.get("team_id")),
        channel=_id(payload.get("channel")),
        user=_text(user.get("id")),
        user_name=_text(user.get("username")) or _text(user.get("name")),
    )


def press_from_action(payload: Mapping[str, Any], action: Mapping[str, Any]) -> ButtonPress:
    """One element of a ``block_actions`` payload → ``ButtonPress(core action, value)``."""
    return ButtonPress(
        actor_from_interaction(payload),
        decode_action_id(_text(action.get("action_id"))),
        _text(action.get("value")),
    )


def is_from_a_bot(event: Mapping[str, Any], bot_user_id: str | None) -> bool:
    """True for our own messages, other bots' and message edits/joins (any subtype)."""
    if event.get("bot_id") or event.get("subtype") or event.get("bot_profile"):
        return True
    return bool(bot_user_id) and event.get("user") == bot_user_id


def strip_mentions(text: str, bot_user_id: str | None) -> str:
    """Message text without the bot's mention (any leading mention when the id is unknown)."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    else:
        text = _MENTION.sub(" ", text, count=1) if text.lstrip().startswith("<@") else text
    return " ".join(unescape_slack(text).split())


def message_from_event(event: Mapping[str, Any], team_id: str, bot_user_id: str | None) -> Message:
    """An ``app_mention`` or a direct message → ``Message(text without the mention)``."""
    actor = Actor(
        platform=PLATFORM,
        workspace=team_id or _text(event.get("team")),
        channel=_text(event.get("channel")),
        user=_text(event.get("user")),
    )
    return Message(actor, strip_mentions(_text(event.get("text")), bot_user_id))


def thread_of(event: Mapping[str, Any]) -> str:
    """The thread a reply to ``event`` belongs in: its thread, or a new one under it."""
    return _text(event.get("thread_ts")) or _text(event.get("ts"))
