"""Settings read from the environment, once, at start-up (see CONTRACT.md's table)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the process reads from its environment. Secrets never reach logs."""

    host: str = "0.0.0.0"
    port: int = 3978
    redis_url: str | None = None
    data_dir: Path = Path(".ai-choice")
    redis_sentinel: str | None = None
    redis_cluster: str | None = None
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_api_url: str | None = None
    microsoft_app_id: str | None = None
    microsoft_app_password: str | None = field(default=None, repr=False)
    microsoft_app_type: str = "MultiTenant"
    microsoft_app_tenant_id: str | None = None
    #: Hosts the bot may send to when it has credentials (comma-separated, ``*.`` for
    #: subdomains); unset: the public Bot Framework hosts. Parsed by the Teams adapter.
    microsoft_service_url_hosts: str | None = None
    #: Every Redis key starts with this, so deployments and test runs can share a server.
    key_prefix: str = "aic"
    #: Keys the hashes that stand in for voters in anonymous polls.
    poll_secret: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from ``env`` (the process environment by default)."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        return cls(
            host=get("HOST") or "0.0.0.0",
            port=int(get("PORT") or 3978),
            redis_url=get("REDIS_URL"),
            data_dir=Path(get("AI_CHOICE_DATA_DIR") or ".ai-choice"),
            redis_sentinel=get("REDIS_SENTINEL"),
            redis_cluster=get("REDIS_CLUSTER"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_api_url=get("SLACK_API_URL"),
            microsoft_app_id=get("MICROSOFT_APP_ID"),
            microsoft_app_password=get("MICROSOFT_APP_PASSWORD"),
            microsoft_app_type=get("MICROSOFT_APP_TYPE") or "MultiTenant",
            microsoft_app_tenant_id=get("MICROSOFT_APP_TENANT_ID"),
            microsoft_service_url_hosts=get("MICROSOFT_SERVICE_URL_HOSTS"),
            key_prefix=get("AI_CHOICE_KEY_PREFIX") or "aic",
            poll_secret=get("AI_CHOICE_SECRET"),
        )

    def poll_key(self) -> bytes | None:
        """The key for anonymous voters' hashes: ``AI_CHOICE_SECRET``, else one derived
        from the platform secrets, else None (each poll then keys its own hashes)."""
        for secret in (self.poll_secret, self.slack_signing_secret, self.microsoft_app_password):
            if secret:
                return hashlib.sha256(b"ai-choice anonymous polls\0" + secret.encode()).digest()
        return None

    @property
    def slack_enabled(self) -> bool:
        """Slack runs when both its signing secret and bot token are set."""
        return bool(self.slack_signing_secret and self.slack_bot_token)
