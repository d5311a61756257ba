"""Requests not signed by Slack get 401, malformed ones 400, and neither changes anything."""

from __future__ import annotations

import json
import time

import pytest

from bot.store import StateStore
from tests.slack.conftest import FORM, SlackBot, signed_headers


async def _nothing_changed(bot: SlackBot, store: StateStore) -> None:
    await bot.finish()
    keys = [key async for key in store.client.scan_iter(match=f"{store.prefix}:*")]
    assert keys == []
    assert bot.slack.calls == []  # not even auth.test


def _stale() -> str:
    return str(int(time.time()) - 301)


@pytest.mark.parametrize(
    "tamper",
    [
        "unsigned",
        "no signature",
        "no timestamp",
        "wrong secret",
        "other body",
        "stale",
        "future",
        "timestamp not a number",
        "timestamp with sign",
        "timestamp in other digits",
        "timestamp float",
        "signature not ascii",
    ],
)
async def test_unverified_requests_get_401_and_change_nothing(
    bot: SlackBot, store: StateStore, tamper: str
) -> None:
    body = bot.slash_body("start")
    headers = signed_headers(body, FORM)
    if tamper == "unsigned":
        headers = {"Content-Type": FORM}
    elif tamper == "no signature":
        del headers["X-Slack-Signature"]
    elif tamper == "no timestamp":
        del headers["X-Slack-Request-Timestamp"]
    elif tamper == "wrong secret":
        headers = signed_headers(body, FORM, secret="not-the-secret")
    elif tamper == "other body":
        body = bot.slash_body("ask something else")
    elif tamper == "stale":
        headers = signed_headers(body, FORM, timestamp=_stale())
    elif tamper == "future":
        headers = signed_headers(body, FORM, timestamp=str(int(time.time()) + 400))
    elif tamper == "timestamp not a number":
        headers = signed_headers(body, FORM, timestamp="yesterday")
    elif tamper == "timestamp with sign":
        headers = signed_headers(body, FORM, timestamp="+" + str(int(time.time())))
    elif tamper == "timestamp in other digits":
        headers["X-Slack-Request-Timestamp"] = "١٢٣٤٥"
    elif tamper == "timestamp float":
        headers = signed_headers(body, FORM, timestamp=f"{time.time():.3f}")
    elif tamper == "signature not ascii":
        headers["X-Slack-Signature"] = "v0=é" + headers["X-Slack-Signature"][4:]
    response = await bot.client.post("/slack/events", data=body, headers=headers)
    assert response.status == 401
    await _nothing_changed(bot, store)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"payload=not-json", FORM),
        (b"payload=%5B1%2C2%5D", FORM),
        (b"payload=%7B%22type%22%3A", FORM),
        (b"\xff\xfe\x00bad", FORM),
        (b"command=%2Fai-choice&text", FORM),
        (b"", FORM),
        (b"[1, 2]", "application/json"),
        (b"{not json", "application/json"),
        (b"hello", "text/plain"),
    ],
)
async def test_malformed_bodies_get_400_and_change_nothing(
    bot: SlackBot, store: StateStore, body: bytes, content_type: str
) -> None:
    response = await bot.post(body, content_type)
    assert response.status == 400
    await _nothing_changed(bot, store)


async def test_unsigned_event_changes_nothing(bot: SlackBot, store: StateStore) -> None:
    payload = {
        "type": "event_callback",
        "team_id": "T0001",
        "event_id": "Ev0FORGED01",
        "event": {
            "type": "message",
            "channel_type": "im",
            "user": "U1",
            "channel": "D1",
            "text": "start",
            "ts": "1.2",
        },
    }
    response = await bot.client.post(
        "/slack/events", data=json.dumps(payload), headers={"Content-Type": "application/json"}
    )
    assert response.status == 401
    await _nothing_changed(bot, store)
