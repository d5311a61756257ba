"""What an operator sees in `ai-choice serve`'s logs: one JSON object per line, request
ids on request lines, and never a secret or the text people typed."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import aiohttp
import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

from tests.net import free_port
from tests.slack.conftest import BOT_TOKEN, SIGNING_SECRET, load_payload, signed_headers
from tests.slack.slack_stand_in import SlackStandIn

QUESTION = "is open source better for privacy zebra-quartz-1729"


@pytest.fixture
async def slack_api() -> AsyncIterator[str]:
    stand_in = SlackStandIn()
    server = TestServer(stand_in.app)
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


async def wait_ready(http: aiohttp.ClientSession, port: int) -> None:
    """Poll /readyz without blocking the loop the Slack stand-in runs on."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2)
    raise AssertionError("serve never became ready")


async def test_logs_are_json_with_request_ids_and_no_secrets_or_message_text(
    redis_url: str, slack_api: str, redis_client: aioredis.Redis
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env.update(
        HOST="127.0.0.1",
        PORT=str(port),
        REDIS_URL=redis_url,
        AI_CHOICE_KEY_PREFIX=f"test-logs-{port}",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_URL=f"{slack_api}/api/",
        MICROSOFT_APP_PASSWORD="teams-password-should-not-leak",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/slack/events"
    form_type = "application/x-www-form-urlencoded"
    try:
        async with aiohttp.ClientSession() as http:
            await wait_ready(http, port)
            form = load_payload("slash_command")
            form.update(text=f"ask {QUESTION}", response_url=f"{slack_api}/response/slash")
            body = urlencode(form).encode()
            async with http.post(url, data=body, headers=signed_headers(body, form_type)) as r:
                assert r.status == 200
                assert "privacy" in await r.text()  # Slack did get an answer
            forged = {
                "Content-Type": form_type,
                "X-Slack-Request-Timestamp": str(int(time.time())),
                "X-Slack-Signature": "v0=forged",
            }
            async with http.post(url, data=body, headers=forged) as r:
                assert r.status == 401
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=20)
        async for key in redis_client.scan_iter(match=f"test-logs-{port}:*"):
            await redis_client.delete(key)
    assert server.returncode == 0
    lines = [json.loads(line) for line in stderr.splitlines() if line.strip()]
    assert lines and all({"ts", "level", "logger", "msg"} <= set(line) for line in lines)
    rejected = [line for line in lines if "rejected" in line["msg"]]
    assert rejected and all(line.get("request_id") for line in rejected)
    for secret in (SIGNING_SECRET, BOT_TOKEN, "teams-password-should-not-leak", "zebra-quartz"):
        assert secret not in stderr
