"""Mounting: off without settings, HTTP route or Socket Mode with them, and the manifest."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer

from adapters.slack.app import SLASH_COMMAND
from adapters.slack.front_end import SlackFrontEnd
from adapters.slack.settings import SlackSettings
from bot.conversation import Conversation
from bot.front_ends import discover
from bot.store import StateStore
from tests.apps import web_app
from tests.slack.conftest import load_payload
from tests.wording import progress

OFF_LINE = "Slack is off (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN)"


def _routes(app: Any) -> set[str]:
    return {resource.canonical for resource in app.router.resources()}


async def test_slack_is_off_without_settings(
    conversation: Conversation, store: StateStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for partial in (
        SlackSettings(),
        SlackSettings(signing_secret="s"),
        SlackSettings(bot_token="t"),
    ):
        caplog.clear()
        app = web_app(conversation, store, SlackFrontEnd(partial))
        lines = [r for r in caplog.records if "Slack" in r.getMessage()]
        assert [(r.levelno, r.getMessage()) for r in lines] == [(logging.INFO, OFF_LINE)]
        assert "/slack/events" not in _routes(app)
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    try:
        response = await client.post("/slack/events", data=b"command=%2Fai-choice")
        assert response.status in (404, 405)
    finally:
        await client.close()


def test_the_registered_front_ends_serve_slack_when_its_variables_are_set(
    conversation: Conversation, store: StateStore, slack_settings: SlackSettings
) -> None:
    env = {
        "SLACK_SIGNING_SECRET": str(slack_settings.signing_secret),
        "SLACK_BOT_TOKEN": str(slack_settings.bot_token),
        "SLACK_API_URL": str(slack_settings.api_url),
    }
    assert "/slack/events" in _routes(web_app(conversation, store, *discover(env)))
    assert "/slack/events" not in _routes(web_app(conversation, store, *discover({})))


def test_socket_mode_replaces_the_route(
    conversation: Conversation, store: StateStore, slack_settings: SlackSettings
) -> None:
    settings = dataclasses.replace(slack_settings, app_token="xapp-1-A0APPID0001-0000-test")
    front_end = SlackFrontEnd(settings)
    app = web_app(conversation, store, front_end)
    assert "/slack/events" not in _routes(app)
    assert front_end.describe() == "Slack is on over Socket Mode"


def test_the_manifest_parses_and_points_at_slack_events(repo_root: Path) -> None:
    manifest = yaml.safe_load((repo_root / "deploy" / "slack" / "manifest.yaml").read_text())
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/ai-choice" == SLASH_COMMAND  # the one Bolt listens for
    assert command["usage_hint"]
    settings = manifest["settings"]
    for url in (
        command["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    ):
        assert url.startswith("https://") and url.endswith("/slack/events")
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "commands", "chat:write", "app_mentions:read", "im:history", "im:read", "im:write",
        "users:read", "files:write", "channels:read", "groups:read", "mpim:read",
    }  # fmt: skip
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_mention", "message.im", "app_home_opened",
    }  # fmt: skip
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert settings["socket_mode_enabled"] is False


async def test_socket_mode_answers_a_slash_command_over_the_socket(
    conversation: Conversation, store: StateStore, slack: Any, slack_settings: SlackSettings
) -> None:
    first_progress = progress(conversation.content, 1)
    settings = dataclasses.replace(slack_settings, app_token="xapp-1-A0APPID0001-0000-test")
    app = web_app(conversation, store, SlackFrontEnd(settings))
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    try:
        (socket,) = await slack.wait_for(lambda: slack.sockets, what="a Socket Mode connection")
        (opened,) = slack.api_calls("apps.connections.open")
        assert opened.headers["Authorization"] == "Bearer xapp-1-A0APPID0001-0000-test"
        command = load_payload("slash_command")
        command["response_url"] = slack.response_url("socket")
        await socket.send_json(
            {
                "envelope_id": "57d6a792-4d35-4d0b-b6aa-3361493e1caf",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": command,
            }
        )
        (ack,) = await slack.wait_for(lambda: slack.socket_messages, what="the ack")
        assert ack["envelope_id"] == "57d6a792-4d35-4d0b-b6aa-3361493e1caf"
        assert first_progress in str(ack["payload"]["blocks"])
    finally:
        await client.close()
