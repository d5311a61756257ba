"""The request path's plumbing: request kinds in /metrics (reported by the front end after
it verified and parsed the request), the ack budget's wait, the shared HTTP session."""

from __future__ import annotations

import asyncio
import re

import pytest

from adapters.slack.delivery import SlackDelivery, web_client
from bot.background import finished_within
from tests.slack.conftest import BOT_TOKEN, FORM, SlackBot, load_payload


async def metric(bot: SlackBot, name: str, **labels: str) -> float:
    text = await (await bot.client.get("/metrics")).text()
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_slack_request_kinds_are_counted(bot: SlackBot) -> None:
    kinds = ("command", "block_actions", "malformed", "unverified")
    before = {k: await metric(bot, "aic_requests_total", platform="slack", kind=k) for k in kinds}
    await bot.slash("")
    payload = load_payload("block_actions")
    payload["actions"][0].update(action_id="help.show|0", value="")
    assert (await bot.interact(payload)).status == 200
    assert (await bot.post(b"payload=%5B1%5D", FORM)).status == 400
    unsigned = {"X-Slack-Signature": "v0=forged"}
    assert (await bot.post(b"command=%2Fai-choice", FORM, headers=unsigned)).status == 401
    for kind in kinds:
        after = await metric(bot, "aic_requests_total", platform="slack", kind=kind)
        assert after == before[kind] + 1, kind


async def test_finished_within_waits_for_a_quick_task() -> None:
    task = asyncio.ensure_future(asyncio.sleep(0.01, "done"))
    assert await finished_within(task, 1.0)
    assert task.result() == "done"


async def test_finished_within_gives_up_but_leaves_the_task_running() -> None:
    task = asyncio.ensure_future(asyncio.sleep(0.2, "late"))
    assert not await finished_within(task, 0.01)
    assert await task == "late"


async def test_cancelling_the_wait_does_not_cancel_the_task() -> None:
    task = asyncio.ensure_future(asyncio.sleep(0.1, "kept"))
    waiting = asyncio.ensure_future(finished_within(task, 5.0))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert await task == "kept"


async def test_web_api_and_response_url_share_one_session_until_closed() -> None:
    client = web_client(BOT_TOKEN, None)
    delivery = SlackDelivery(client, "sorry")
    session = delivery.open()
    assert session is not None and delivery.open() is session
    assert client.session is session
    await delivery.close()
    assert session.closed
    assert client.session is None
    assert delivery.open() is None  # late calls open their own, as slack_sdk does by default
