"""Slack's people port (:class:`bot.people.People`): time zone, admin rights, name.

``users.info`` answers all three (``user.tz``; ``is_admin``, ``is_owner``,
``is_primary_owner``; the profile's display or real name), and whether the account is a
bot or deactivated (poll reminders skip those). Each answer is cached in Redis
for an hour, so a person costs at most one API call per hour however often they start or
close polls. The core asks only when an answer depends on it (starting a poll, closing or
exporting someone else's); votes and everything else never wait for it. When Slack cannot
say (an error, a missing scope), the person counts as UTC and not an admin.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.events import Actor
from bot.people import Person
from bot.store import StateStore, StoreUnavailable

log = logging.getLogger(__name__)

#: How long what ``users.info`` said about a person is trusted.
PROFILE_TTL_SECONDS = 3600
#: Slack's own helper bot: a member of every channel, a person to no one.
SLACKBOT = "USLACKBOT"


class SlackPeople:
    """Answers the core's questions about a Slack user from ``users.info`` (cached)."""

    def __init__(self, client: AsyncWebClient, store: StateStore) -> None:
        self.client = client
        self.store = store

    async def look_up(self, actor: Actor) -> Person:
        """Time zone, admin flag and display name of ``actor`` as Slack says."""
        profile = await self.profile(actor.workspace, actor.user)
        return Person(
            time_zone=str(profile.get("tz") or "UTC"),
            is_admin=bool(profile.get("admin")),
            display_name=str(profile.get("name") or "") or actor.user_name,
            admins_known=True,  # users.info says who the workspace admins are
        )

    async def profile(self, team: str, user: str) -> dict[str, Any]:
        """``{"tz", "admin", "name"}`` for one person: cached, else from ``users.info``."""
        try:
            cached = await self.store.get_json("slack", "user", team, user)
        except StoreUnavailable:
            cached = None
        if isinstance(cached, dict) and "bot" in cached:  # older entries lack the bot flag
            return cached
        profile = await self._ask_slack(user)
        if profile is None:
            return {"tz": "UTC", "admin": False, "name": ""}  # not cached: ask again next time
        with contextlib.suppress(StoreUnavailable):
            await self.store.put_json(
                "slack", "user", team, user, value=profile, ttl=PROFILE_TTL_SECONDS
            )
        return profile

    async def _ask_slack(self, user: str) -> dict[str, Any] | None:
        try:
            response = await self.client.users_info(user=user)
        except SlackApiError as exc:
            data = getattr(exc.response, "data", None)
            error = data.get("error") if isinstance(data, dict) else None
            log.warning("slack users.info failed: %s", error or "unknown error")
            return None
        except Exception as exc:
            log.warning("slack users.info failed: %s", type(exc).__name__)
            return None
        found = response.get("user")
        if not isinstance(found, dict):
            return None
        admin = any(bool(found.get(flag)) for flag in ("is_admin", "is_owner", "is_primary_owner"))
        own = found.get("profile")
        own = own if isinstance(own, dict) else {}
        name = own.get("display_name") or own.get("real_name") or found.get("real_name") or ""
        bot = bool(found.get("is_bot")) or found.get("id") == SLACKBOT
        return {
            "tz": str(found.get("tz") or "UTC"),
            "admin": admin,
            "name": str(name),
            "bot": bot,
            "deleted": bool(found.get("deleted")),
        }
