"""The Teams front end as the core sees it: its variables, its route, its command.

``POST /api/messages`` is served with Bot Framework authentication when
``MICROSOFT_APP_ID`` is set, and in local mode otherwise (docs/teams.md). botbuilder is
imported on first use, so ``ai-choice --help`` and the other commands do not pay for it.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from adapters.teams.settings import VARIABLES, TeamsSettings
from bot.front_ends import FrontEnd, FrontEndError, Route

if TYPE_CHECKING:
    from adapters.teams.connector_retry import RetryPolicy
    from adapters.teams.endpoint import MessagesEndpoint
    from bot.core import Core

log = logging.getLogger(__name__)

#: Where the Bot Connector (and the Agents Playground) sends every activity.
ROUTE = "/api/messages"
#: The kinds of request the route reports for metrics.
REQUEST_KINDS = frozenset(
    {
        "message",
        "invoke",
        "conversationUpdate",
        "installationUpdate",
        "messageReaction",
    }
)


class TeamsFrontEnd(FrontEnd):
    """Microsoft Teams (and any Bot Framework channel) on botbuilder's CloudAdapter."""

    platform = "teams"
    variables = VARIABLES
    request_kinds = REQUEST_KINDS

    def __init__(
        self, env: Mapping[str, str] | TeamsSettings, retry: RetryPolicy | None = None
    ) -> None:
        self.settings = env if isinstance(env, TeamsSettings) else TeamsSettings.from_env(env)
        self.retry = retry
        self.endpoint: MessagesEndpoint | None = None

    @property
    def enabled(self) -> bool:
        return True  # with credentials, or in local mode

    def describe(self) -> str:
        if not self.settings.microsoft_app_id:
            return f"Teams is in local mode at POST {ROUTE}"
        return (
            f"Teams is on at POST {ROUTE}, {self.settings.microsoft_app_type} app "
            f"{self.settings.microsoft_app_id}"
        )

    def secret_material(self) -> str | None:
        return self.settings.microsoft_app_password

    def attach(self, core: Core) -> Sequence[Route]:
        from adapters.teams.auth import TeamsConfigurationError
        from adapters.teams.connector_retry import DEFAULT_RETRY
        from adapters.teams.mount import LOCAL_MODE_WARNING, build_endpoint

        try:
            self.endpoint = build_endpoint(
                core.conversation, core.store, self.settings, self.retry or DEFAULT_RETRY
            )
        except TeamsConfigurationError as error:
            raise FrontEndError(str(error)) from error
        if not self.settings.microsoft_app_id:
            log.warning(LOCAL_MODE_WARNING, ROUTE)
        else:
            log.info("teams: %s", self.endpoint.service_urls.describe())
        return (Route("POST", ROUTE, self.endpoint.handle),)

    async def stop(self) -> None:
        if self.endpoint is not None:
            await self.endpoint.close()

    def add_commands(self, commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        package = commands.add_parser(
            "teams-package",
            help="build the Microsoft Teams app package (zip)",
            description="Build the Teams app package from deploy/teams/: manifest.json with "
            "the bot's Microsoft App ID filled in, and the colour and outline icons "
            "(docs/teams.md).",
        )
        package.add_argument("--app-id", required=True, help="the bot's Microsoft App ID")
        package.add_argument("--out", required=True, type=Path, help="the zip file to write")
        package.add_argument(
            "--domain",
            action="append",
            default=[],
            help="a domain to add to validDomains, e.g. the bot's host (repeatable)",
        )
        package.set_defaults(handler=_teams_package)


def _teams_package(args: argparse.Namespace) -> int:
    from adapters.teams.package import PackageError, build_package

    try:
        out = build_package(args.app_id, args.out, extra_domains=tuple(args.domain))
    except PackageError as exc:
        print(f"teams-package: {exc}", file=sys.stderr)
        return 2
    print(out)
    return 0
