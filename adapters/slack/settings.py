"""The Slack front end's settings, read from its own environment variables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.front_ends import Variable

VARIABLES = (
    Variable("SLACK_SIGNING_SECRET", "verifies requests to /slack/events", secret=True),
    Variable("SLACK_BOT_TOKEN", "the bot's xoxb- token for the Web API", secret=True),
    Variable("SLACK_APP_TOKEN", "an xapp- token: Socket Mode instead of HTTP", secret=True),
    Variable("SLACK_API_URL", "the Web API base URL (tests, GovSlack); default Slack's"),
)


@dataclass(frozen=True, slots=True)
class SlackSettings:
    """What the Slack front end reads. Secrets never reach logs."""

    signing_secret: str | None = field(default=None, repr=False)
    bot_token: str | None = field(default=None, repr=False)
    app_token: str | None = field(default=None, repr=False)
    api_url: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SlackSettings:
        """Read the SLACK_* variables from ``env``."""

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        return cls(
            signing_secret=get("SLACK_SIGNING_SECRET"),
            bot_token=get("SLACK_BOT_TOKEN"),
            app_token=get("SLACK_APP_TOKEN"),
            api_url=get("SLACK_API_URL"),
        )

    @property
    def enabled(self) -> bool:
        """Slack runs when both its signing secret and bot token are set."""
        return bool(self.signing_secret and self.bot_token)
