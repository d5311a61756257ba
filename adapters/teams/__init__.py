"""The Microsoft Teams front end, on botbuilder's CloudAdapter.

Every botbuilder / botframework import in the project lives in this package, so moving
to the Microsoft 365 Agents SDK touches this folder alone (docs/teams.md).

- :mod:`adapters.teams.cards`: neutral replies → Adaptive Card 1.5 (pure)
- :mod:`adapters.teams.activities`: activities → neutral events
- :mod:`adapters.teams.teams_bot`: the botbuilder bot: events to the core, replies out
- :mod:`adapters.teams.endpoint`: ``POST /api/messages``: parse, authenticate, dedupe
- :mod:`adapters.teams.auth`: Bot Framework JWT validation settings
- :mod:`adapters.teams.local_mode`: without credentials, only loopback peers are served
- :mod:`adapters.teams.service_urls`: which serviceUrls the bot may send to (SSRF line)
- :mod:`adapters.teams.connector_retry`: retries for throttled connector calls
- :mod:`adapters.teams.references`: conversation references for proactive posts
- :mod:`adapters.teams.package`: the Teams app package (manifest + icons)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.conversation import Conversation
    from bot.server import Mount
    from bot.settings import Settings
    from bot.store import StateStore


def teams_mount(conversation: Conversation, store: StateStore, settings: Settings) -> Mount:
    """The mount adding ``POST /api/messages`` to the server.

    botbuilder is imported here, on first use, so ``ai-choice teams-package`` and the
    other commands do not pay for it.
    """
    from adapters.teams.mount import build_teams_mount

    return build_teams_mount(conversation, store, settings)


__all__ = ["teams_mount"]
