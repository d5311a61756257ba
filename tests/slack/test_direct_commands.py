"""``/ai-choice`` skips Bolt's machinery but answers exactly as Bolt would; what Bolt
treats specially (``ssl_check``, retries, other commands) still goes through Bolt."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from bot.content import Content
from bot.store import StateStore
from tests.slack.conftest import FORM, SlackBot, button, shown_text
from tests.wording import progress

#: A header only Bolt's path looks at: a command carrying it is handed to Bolt.
THROUGH_BOLT = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def _without_run_ids(ack: dict[str, Any]) -> str:
    """The acknowledgement with each run id (a button value's first part) blanked out."""
    text = json.dumps(ack, sort_keys=True)
    run = button(ack["blocks"], "quiz.answer")["value"].split(":", 1)[0]
    return text.replace(run, "RUN")


async def _ack(bot: SlackBot, text: str, headers: dict[str, str] | None = None) -> Any:
    response = await bot.post(bot.slash_body(text), FORM, headers=headers)
    assert response.status == 200, await response.text()
    raw = await response.text()
    return response.content_type, (json.loads(raw) if raw else raw)


async def test_the_direct_answer_is_the_one_bolt_gives(bot: SlackBot, content: Content) -> None:
    direct_type, direct = await _ack(bot, "")
    bolt_type, through_bolt = await _ack(bot, "", THROUGH_BOLT)
    assert direct_type == bolt_type == "application/json"
    assert progress(content, 1) in shown_text(direct["blocks"])
    assert _without_run_ids(direct) == _without_run_ids(through_bolt)


async def test_every_subcommand_answers_the_same_with_or_without_bolt(bot: SlackBot) -> None:
    for text in ("help", "compare", "menu", "ask is open source cheaper?", "frobnicate"):
        direct = await _ack(bot, text)
        assert direct == await _ack(bot, text, THROUGH_BOLT), text


async def test_an_ssl_check_is_answered_by_bolt_and_touches_nothing(
    bot: SlackBot, store: StateStore
) -> None:
    body = urlencode({"ssl_check": "1", "token": "legacy-verification-token"}).encode()
    response = await bot.post(body, FORM)
    assert response.status == 200
    assert await response.text() == ""
    # An ssl_check that also names our command is still only an ssl_check.
    response = await bot.post(bot.slash_body("", ssl_check="1"), FORM)
    assert response.status == 200
    assert await response.text() == ""
    await bot.finish()
    assert [key async for key in store.client.scan_iter(match=f"{store.prefix}:*")] == []
    assert bot.slack.messages() == []


async def test_a_command_that_is_not_ours_is_left_to_bolt(bot: SlackBot) -> None:
    response = await bot.post(bot.slash_body("", command="/someone-else"), FORM)
    # Bolt has no listener for it: its own answer for an unhandled request.
    assert response.status == 404
    assert bot.slack.messages() == []


async def test_a_command_without_its_usual_fields_is_left_to_bolt(bot: SlackBot) -> None:
    form = {"command": "/ai-choice", "text": "help", "team_id": "T0001", "user_id": "U1"}
    body = urlencode(form).encode()  # no response_url: not what Slack sends
    response = await bot.post(body, FORM)
    assert response.status == 200
    assert json.loads(await response.text())["blocks"]  # Bolt's listener still answers
