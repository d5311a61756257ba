"""The Slack front end as the core sees it: its variables, its route, its lifecycle.

HTTP mode needs ``SLACK_SIGNING_SECRET`` and ``SLACK_BOT_TOKEN`` and serves
``POST /slack/events``; with ``SLACK_APP_TOKEN`` as well, Slack is reached over Socket
Mode instead and no route is added. Bolt is imported only when Slack is on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from adapters.slack.settings import VARIABLES, SlackSettings
from bot.front_ends import FrontEnd, Route

if TYPE_CHECKING:
    from adapters.slack.app import SlackApp
    from bot.core import Core

#: The kinds of request Slack sends, as counted in metrics (anything else is ``other``);
#: :func:`adapters.slack.inbound.request_kind` names them.
REQUEST_KINDS = frozenset(
    {"command", "block_actions", "view_submission", "event_callback", "url_verification"}
)

#: Where Slack sends every request (slash commands, interactivity, events).
EVENTS_PATH = "/slack/events"


class SlackFrontEnd(FrontEnd):
    """Slack, over HTTP or Socket Mode, on slack-bolt."""

    platform = "slack"
    variables = VARIABLES
    request_kinds = REQUEST_KINDS

    def __init__(self, env: Mapping[str, str] | SlackSettings) -> None:
        self.settings = env if isinstance(env, SlackSettings) else SlackSettings.from_env(env)
        self.app: SlackApp | None = None

    @property
    def enabled(self) -> bool:
        return self.settings.enabled

    def describe(self) -> str:
        if not self.enabled:
            return "Slack is off (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN)"
        if self.settings.app_token:
            return "Slack is on over Socket Mode"
        return f"Slack is on at POST {EVENTS_PATH}"

    def secret_material(self) -> str | None:
        return self.settings.signing_secret

    def attach(self, core: Core) -> Sequence[Route]:
        from adapters.slack.app import SlackApp

        self.app = SlackApp(core.conversation, core.store, self.settings)
        if self.settings.app_token:
            return ()
        return (Route("POST", EVENTS_PATH, self.app.requests.handle_http),)

    async def start(self) -> None:
        assert self.app is not None, "attach() comes first"
        await self.app.start()
        if self.settings.app_token:
            await self.app.start_socket_mode()

    async def stop(self) -> None:
        if self.app is None:
            return
        if self.settings.app_token:
            await self.app.stop_socket_mode()
        await self.app.finish()
