"""Fixtures for driving the real Slack front end over HTTP with signed requests.

``slack`` is the stand-in for Slack's Web API and ``response_url``; ``bot`` is our web
app (``bot.server.build_app`` with the Slack mount) on a local test server, with helpers
that send what Slack sends: form-encoded slash commands, ``payload=`` interactions and
JSON events, each signed the way slack_sdk's ``SignatureVerifier`` checks.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.signature import SignatureVerifier

from adapters.slack.front_end import SlackFrontEnd
from adapters.slack.settings import SlackSettings
from bot.conversation import Conversation
from bot.store import StateStore
from tests.apps import web_app
from tests.slack.block_kit import block_kit_problems
from tests.slack.slack_stand_in import PAYLOADS, SlackStandIn

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"
FORM = "application/x-www-form-urlencoded"


def load_payload(name: str) -> dict[str, Any]:
    """A recorded example payload from ``tests/slack/payloads/``."""
    value: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text())
    return value


def signed_headers(
    body: bytes, content_type: str, secret: str = SIGNING_SECRET, timestamp: str | None = None
) -> dict[str, str]:
    """The headers Slack sends with ``body``: content type, timestamp and signature."""
    ts = timestamp if timestamp is not None else str(int(time.time()))
    base = b"v0:" + ts.encode() + b":" + body
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    try:
        same = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body.decode())
    except UnicodeDecodeError:  # slack_sdk cannot sign bytes that are not UTF-8
        same = signature
    assert same == signature
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
    }


class SlackBot:
    """Our web app under test, and the requests Slack would send it."""

    def __init__(self, client: TestClient[Any, Any], slack: SlackStandIn) -> None:
        self.client = client
        self.slack = slack

    async def post(
        self, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> ClientResponse:
        """POST ``body`` to /slack/events, signed (unless ``headers`` says otherwise)."""
        sent = signed_headers(body, content_type)
        sent.update(headers or {})
        return await self.client.post("/slack/events", data=body, headers=sent)

    def slash_body(self, text: str, **fields: str) -> bytes:
        """A ``/ai-choice`` slash command body, form-encoded as Slack sends it."""
        form = load_payload("slash_command")
        form.update(text=text, response_url=self.slack.response_url("slash"), **fields)
        return urlencode(form).encode()

    async def slash(self, text: str = "", **fields: str) -> dict[str, Any]:
        """Run ``/ai-choice text``; the acknowledgement's JSON body (asserting 200)."""
        response = await self.post(self.slash_body(text, **fields), FORM)
        assert response.status == 200, await response.text()
        raw = await response.text()
        ack: dict[str, Any] = json.loads(raw) if raw else {}
        if "blocks" in ack:
            assert not block_kit_problems(ack["blocks"]), block_kit_problems(ack["blocks"])
        return ack

    async def finish(self) -> None:
        """Shut the app down the way ``serve`` does, letting background replies finish."""
        await self.client.close()

    def press_payload(
        self, button: dict[str, Any], response_url: str = "press", **changes: Any
    ) -> dict[str, Any]:
        """A ``block_actions`` interaction payload for ``button`` (a rendered button)."""
        payload = load_payload("block_actions")
        action = payload["actions"][0]
        action.update(
            action_id=button["action_id"],
            value=button.get("value", ""),
            text=copy.deepcopy(button["text"]),
        )
        payload["response_url"] = self.slack.response_url(response_url)
        payload.update(changes)
        return payload

    async def interact(self, payload: dict[str, Any]) -> ClientResponse:
        """Send an interaction payload as Slack does: form field ``payload`` holding JSON."""
        return await self.post(urlencode({"payload": json.dumps(payload)}).encode(), FORM)

    async def press(
        self, button: dict[str, Any], response_url: str = "press", **changes: Any
    ) -> ClientResponse:
        """Press ``button``; the HTTP response (the acknowledgement)."""
        response = await self.interact(self.press_payload(button, response_url, **changes))
        assert response.status == 200, await response.text()
        return response

    async def event(self, payload: dict[str, Any], **headers: str) -> ClientResponse:
        """Deliver an Events API callback as JSON."""
        body = json.dumps(payload).encode()
        return await self.post(body, "application/json", headers=headers)


def mention(text: str, event_id: str = "Ev0MENTION01", **event: Any) -> dict[str, Any]:
    """An ``app_mention`` callback saying ``text``."""
    payload = load_payload("event_app_mention")
    payload["event_id"] = event_id
    payload["event"].update(text=text, **event)
    return payload


def direct(text: str, event_id: str = "Ev0DIRECT001", **event: Any) -> dict[str, Any]:
    """A ``message.im`` callback saying ``text``."""
    payload = load_payload("event_message_im")
    payload["event_id"] = event_id
    payload["event"].update(text=text, **event)
    return payload


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every button in a message's blocks, in order."""
    return [
        element
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["type"] == "button"
    ]


def button(blocks: list[dict[str, Any]], action: str, index: int = 0) -> dict[str, Any]:
    """The ``index``-th button whose core action is ``action``."""
    found = [b for b in buttons(blocks) if b["action_id"].rpartition("|")[0] == action]
    assert found, f"no {action} button in {blocks}"
    return found[index]


def header(blocks: list[dict[str, Any]]) -> str:
    """The header block's text ('' when there is none)."""
    return next((b["text"]["text"] for b in blocks if b["type"] == "header"), "")


def shown_text(blocks: list[dict[str, Any]]) -> str:
    """All text a person would read in ``blocks``, joined by newlines."""
    parts: list[str] = []
    for block in blocks:
        if "text" in block:
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            text = element.get("text")
            parts.append(text["text"] if isinstance(text, dict) else str(text or ""))
    return "\n".join(parts)


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    """The Slack stand-in, listening on a local port."""
    stand_in = SlackStandIn()
    server = TestServer(stand_in.app)
    await server.start_server()
    stand_in.url = str(server.make_url("")).rstrip("/")
    try:
        yield stand_in
    finally:
        await server.close()
    assert not stand_in.invalid, stand_in.invalid


@pytest.fixture
def slack_settings(slack: SlackStandIn) -> SlackSettings:
    """Slack over HTTP, its Web API pointed at the stand-in."""
    return SlackSettings(
        signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN, api_url=f"{slack.url}/api/"
    )


@pytest.fixture
async def bot(
    conversation: Conversation,
    store: StateStore,
    slack_settings: SlackSettings,
    slack: SlackStandIn,
) -> AsyncIterator[SlackBot]:
    """Our real web app with the Slack front end, on a local test server."""
    app = web_app(conversation, store, SlackFrontEnd(slack_settings))
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    try:
        yield SlackBot(client, slack)
    finally:
        await client.close()
