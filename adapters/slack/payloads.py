"""Reading the body of a (verified) Slack request, strictly, into one dict.

Slack sends three shapes to the one URL: slash commands as form fields, interactions as
a form field ``payload`` holding JSON, and Events API callbacks as JSON. Anything else
(bad UTF-8, bad form encoding, ``payload=`` that is not a JSON object) is a
:class:`MalformedRequest`, which the route answers with 400 instead of a 500.

The dict is handed to Bolt as it is, so Bolt never parses the body itself: its own body
parser mistakes a slash command whose text contains the word "payload" for an
interaction and drops it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"


class MalformedRequest(ValueError):
    """The body is not one of the shapes Slack sends."""


#: Parts Bolt reads into without checking their type: a wrong type there would crash it.
_OBJECTS = ("event", "view", "container", "message", "state")
_OBJECTS_OR_IDS = ("team", "user", "channel", "enterprise")
_LISTS_OF_OBJECTS = ("actions", "authorizations")


#: The kinds of request Slack sends, as counted in metrics (anything else is ``other``).
REQUEST_KINDS = frozenset(
    {"command", "block_actions", "view_submission", "event_callback", "url_verification"}
)


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
