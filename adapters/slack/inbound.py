"""Requests coming in from Slack: verified, read once, handed to Bolt, translated.

Everything Slack sends on its way to the core passes through here, in this order:

1. **Verified** (:func:`is_signed_by_slack`): the signing-secret HMAC over
   ``v0:{timestamp}:{raw body}`` and a timestamp within five minutes
   (https://docs.slack.dev/authentication/verifying-requests-from-slack/). A missing,
   malformed or replayed request is a plain ``False`` and a 401, never an exception; nothing
   logs the body or the signature.
2. **Read** strictly into one dict (:func:`read_body`): slash commands are form fields,
   interactions a form field ``payload`` holding JSON, Events API callbacks JSON. Anything
   else is a :class:`MalformedRequest` and a 400, so Bolt and the core never see it. The
   request's kind is reported to the server for its metrics from this one parse.
3. **Handed to Bolt** as that dict (:class:`SlackRequests`), which dispatches it by its own
   matchers to :mod:`adapters.slack.listeners`. Bolt never parses the body itself: its
   parser mistakes a slash command whose text contains the word "payload" for an
   interaction. The one exception is our own slash command, the busiest request: it goes
   straight to its listener (:mod:`adapters.slack.commands`), which is everything Bolt
   would have done for it, without Bolt's per-request middleware and matcher machinery.
4. **Translated** into the core's neutral events (:func:`command_from_slash`,
   :func:`press_from_action`, :func:`message_from_event`, :func:`home_opened`): pure
   functions over the dicts Slack sends, called by the listeners.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack.commands import DirectCommands
from bot.events import Actor, ButtonPress, Command, HomeOpened, Message
from bot.front_ends import MALFORMED, REQUEST_KIND

log = logging.getLogger(__name__)

PLATFORM = "slack"

# --- 1. verification -------------------------------------------------------------------

#: How far a request's timestamp may be from our clock (Slack's recommendation).
MAX_AGE_SECONDS = 5 * 60
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
SIGNATURE_HEADER = "X-Slack-Signature"


def signature_for(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Slack-Signature`` Slack sends for ``body`` at ``timestamp``."""
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def is_signed_by_slack(
    secret: str, headers: Mapping[str, str], body: bytes, now: float | None = None
) -> bool:
    """True when ``body`` carries a valid, fresh Slack signature."""
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    signature = headers.get(SIGNATURE_HEADER, "")
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    if not signature.isascii():
        return False
    return hmac.compare_digest(signature_for(secret, timestamp, body), signature)


# --- 2. reading ------------------------------------------------------------------------

FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"


class MalformedRequest(ValueError):
    """The body is not one of the shapes Slack sends."""


#: Parts Bolt reads into without checking their type: a wrong type there would crash it.
_OBJECTS = ("event", "view", "container", "message", "state")
_OBJECTS_OR_IDS = ("team", "user", "channel", "enterprise")
_LISTS_OF_OBJECTS = ("actions", "authorizations")


def request_kind(payload: Mapping[str, Any]) -> str:
    """What a body :func:`read_body` returned is: ``command`` or its ``type``."""
    return "command" if "command" in payload else str(payload.get("type", ""))


def _check_shape(value: dict[str, Any]) -> dict[str, Any]:
    """Refuse bodies whose well-known parts have the wrong type (found by fuzzing)."""
    if "type" in value and not isinstance(value["type"], str):
        raise MalformedRequest("type is not a string")
    for name in _OBJECTS:
        if name in value and not isinstance(value[name], dict):
            raise MalformedRequest(f"{name} is not an object")
    for name in _OBJECTS_OR_IDS:
        if name in value and not isinstance(value[name], dict | str | None):
            raise MalformedRequest(f"{name} is neither an object nor an id")
    for name in _LISTS_OF_OBJECTS:
        items = value.get(name, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise MalformedRequest(f"{name} is not a list of objects")
    event = value.get("event")
    if isinstance(event, dict):
        _check_shape({k: v for k, v in event.items() if k != "message"})
    return value


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep
        raise MalformedRequest("body is not JSON") from exc
    if not isinstance(value, dict):
        raise MalformedRequest("JSON body is not an object")
    return _check_shape(value)


def read_body(body: bytes, content_type: str) -> dict[str, Any]:
    """The request as one dict: the form fields, the interaction payload, or the event."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedRequest("body is not UTF-8") from exc
    if not text.strip():
        raise MalformedRequest("empty body")
    if content_type == JSON_TYPE or (content_type != FORM and text.lstrip().startswith("{")):
        return _json_object(text)
    if content_type != FORM:
        raise MalformedRequest(f"unexpected content type {content_type[:40]!r}")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True)
    except ValueError as exc:
        raise MalformedRequest("bad form encoding") from exc
    fields: dict[str, Any] = {}
    for name, value in pairs:
        fields.setdefault(name, value)
    if "payload" in fields:
        if "command" in fields:  # Slack never sends both; which one would we believe?
            raise MalformedRequest("both a command and a payload")
        return _json_object(fields["payload"])
    return fields


# --- 3. the route ----------------------------------------------------------------------


class SlackRequests:
    """``POST /slack/events``: verify, read, report the kind, let Bolt dispatch."""

    def __init__(
        self, signing_secret: str, bolt: AsyncApp, commands: DirectCommands | None = None
    ) -> None:
        self._signing_secret = signing_secret
        self._bolt = bolt
        self._commands = commands

    async def handle_http(self, request: web.Request) -> web.Response:
        """Answer one request from Slack with Bolt's acknowledgement (or a 401/400)."""
        body = await request.read()
        if not is_signed_by_slack(self._signing_secret, request.headers, body):
            log.info("slack request rejected: missing, stale or wrong signature")
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            payload = read_body(body, request.content_type)
        except MalformedRequest as exc:
            REQUEST_KIND.set(MALFORMED)
            log.info("slack request rejected: %s", exc)
            return web.json_response({"error": "malformed request"}, status=400)
        kind = request_kind(payload)
        REQUEST_KIND.set(kind)
        direct = self._commands
        if kind == "command" and direct is not None and direct.takes(payload, request.headers):
            return await direct.answer(payload)
        headers: dict[str, str | Sequence[str]] = {
            name.lower(): value for name, value in request.headers.items()
        }
        # Bolt takes an already parsed body only in its Socket Mode shape (a dict). That
        # mode changes nothing else here: it only skips Bolt's signature verification,
        # which is off anyway (done above, on the raw bytes).
        bolt_request = AsyncBoltRequest(
            body=payload, query=request.query_string, headers=headers, mode="socket_mode"
        )
        response = await self._bolt.async_dispatch(bolt_request)
        answer: web.Response = await to_aiohttp_response(response)
        return answer


# --- 4. translation --------------------------------------------------------------------

#: ``<#C123>`` or ``<#C123|name>``: a channel as Slack encodes it; the core gets ``#C123``.
_CHANNEL_LINK = re.compile(r"<#([A-Z0-9]+)(?:\|[^>]*)?>")
#: ``<@U123>`` or ``<@U123|name>``: a user mention as Slack encodes it in message text.
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _id(value: Any) -> str:
    """An id given either as a string or as ``{"id": ...}``."""
    if isinstance(value, Mapping):
        return _text(value.get("id"))
    return _text(value)


def unescape_slack(text: str) -> str:
    """Text Slack sent us (it escapes ``&``, ``<``, ``>``) back to the plain text the core reads."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


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
    words = unescape_slack(_CHANNEL_LINK.sub(r"#\1", _text(form.get("text")))).split(None, 1)
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


def press_from_action(
    payload: Mapping[str, Any], action: Mapping[str, Any], core_action: str | None = None
) -> ButtonPress:
    """One element of a ``block_actions`` payload → ``ButtonPress(core action, value)``.

    ``core_action`` is the action whose matcher Bolt dispatched the press by; an
    ``action_id`` no matcher knew (a button from an older version) goes to the core as
    it came, and the core answers that it no longer knows it.
    """
    actor = actor_from_interaction(payload)
    container = payload.get("container") or {}
    container = container if isinstance(container, Mapping) else {}
    message = payload.get("message") or {}
    message = message if isinstance(message, Mapping) else {}
    # Seen by others: a channel message (not a DM, not an ephemeral only the presser saw).
    in_public = (
        bool(actor.channel)
        and not actor.channel.startswith("D")
        and not container.get("is_ephemeral")
    )
    thread = (
        _text(container.get("thread_ts"))
        or _text(message.get("thread_ts"))
        or _text(container.get("message_ts"))
    )
    return ButtonPress(
        actor,
        core_action or _text(action.get("action_id")),
        _text(action.get("value")),
        in_public=in_public,
        thread=thread if in_public else "",
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


def home_opened(event: Mapping[str, Any], team_id: str) -> HomeOpened:
    """``app_home_opened`` (the Home tab) → ``HomeOpened`` for the person who opened it."""
    actor = Actor(
        platform=PLATFORM,
        workspace=team_id,
        channel=_text(event.get("channel")),
        user=_text(event.get("user")),
    )
    return HomeOpened(actor)


def thread_of(event: Mapping[str, Any]) -> str:
    """The thread a reply to ``event`` belongs in: its thread, or a new one under it."""
    return _text(event.get("thread_ts")) or _text(event.get("ts"))
