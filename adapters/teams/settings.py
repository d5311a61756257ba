"""The Teams front end's settings, read from its own environment variables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.front_ends import Variable

VARIABLES = (
    Variable("MICROSOFT_APP_ID", "the bot's Microsoft App ID; unset: local mode"),
    Variable("MICROSOFT_APP_PASSWORD", "the bot's client secret", secret=True),
    Variable("MICROSOFT_APP_TYPE", "MultiTenant (default) or SingleTenant"),
    Variable("MICROSOFT_APP_TENANT_ID", "the tenant, for SingleTenant"),
    Variable(
        "MICROSOFT_SERVICE_URL_HOSTS",
        "serviceUrl hosts the bot may send to with credentials (comma-separated, *. for "
        "subdomains); unset: the public Bot Framework hosts",
    ),
)


@dataclass(frozen=True, slots=True)
class TeamsSettings:
    """What the Teams front end reads. Secrets never reach logs."""

    microsoft_app_id: str | None = None
    microsoft_app_password: str | None = field(default=None, repr=False)
    microsoft_app_type: str = "MultiTenant"
    microsoft_app_tenant_id: str | None = None
    #: Hosts the bot may send to when it has credentials (comma-separated, ``*.`` for
    #: subdomains); unset: the public Bot Framework hosts. Parsed by :mod:`.service_urls`.
    microsoft_service_url_hosts: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TeamsSettings:
        """Read the MICROSOFT_* variables from ``env``."""

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        return cls(
            microsoft_app_id=get("MICROSOFT_APP_ID"),
            microsoft_app_password=get("MICROSOFT_APP_PASSWORD"),
            microsoft_app_type=get("MICROSOFT_APP_TYPE") or "MultiTenant",
            microsoft_app_tenant_id=get("MICROSOFT_APP_TENANT_ID"),
            microsoft_service_url_hosts=get("MICROSOFT_SERVICE_URL_HOSTS"),
        )
