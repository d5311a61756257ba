"""Who a Slack user is, for the poll commands that need it: time zone and admin rights.

``users.info`` answers both (``user.tz``; ``is_admin``, ``is_owner``, ``is_primary_owner``).
Each answer is cached in Redis for an hour, so a person costs at most one API call per
hour however often they start or close polls. Only poll commands and the close/export
buttons ask; votes and everything else never wait for it. When Slack cannot say
(an error, a missing scope), the person counts as UTC and not an admin.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.events import Actor, ButtonPress, Command, Event, Message
from bot.polls import ADMINS_MANAGE_POLLS
from bot.store import StateStore, StoreUnavailable

log = logging.getLogger(__name__)

#: How long what ``users.info`` said about a person is trusted.
PROFILE_TTL_SECONDS = 3600
#: Button actions whose answer depends on who is pressing.
MANAGING_ACTIONS = frozenset({"poll.close", "poll.export"})


def needs_profile(event: Event) -> bool:
    """True for the events whose answer depends on the person's time zone or rights."""
    if isinstance(event, Command):
        return event.name == "poll"
    if isinstance(event, ButtonPress):
        return event.action in MANAGING_ACTIONS
    if isinstance(event, Message):
        words = event.text.split(None, 1)
        return bool(words) and words[0].lower() == "poll"
    return False


class SlackPeople:
    """Fills in :class:`Actor` time zone, admin flag and display name from ``users.info``."""

    def __init__(self, client: AsyncWebClient, store: StateStore) -> None:
        self.client = client
        self.store = store

    async def complete(self, event: Event) -> Event:
        """``event`` with its actor completed, when the answer depends on who they are."""
        if not needs_profile(event):
            return event
        actor = await self.actor(event.actor)
        return dataclasses.replace(event, actor=actor)

    async def actor(self, actor: Actor) -> Actor:
        """``actor`` with ``extras['tz']``, ``is_admin`` and a display name from Slack."""
        profile = await self.profile(actor.workspace, actor.user)
        # Workspace admins may close any poll here, so a refusal names them.
        extras = {**actor.extras, "tz": str(profile.get("tz") or "UTC"), ADMINS_MANAGE_POLLS: "1"}
        name = str(profile.get("name") or "") or actor.user_name
        return dataclasses.replace(
            actor, is_admin=bool(profile.get("admin")), extras=extras, user_name=name
        )

    async def profile(self, team: str, user: str) -> dict[str, Any]:
        """``{"tz", "admin", "name"}`` for one person: cached, else from ``users.info``."""
        try:
            cached = await self.store.get_json("slack", "user", team, user)
        except StoreUnavailable:
            cached = None
        if isinstance(cached, dict):
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
        return {"tz": str(found.get("tz") or "UTC"), "admin": admin, "name": str(name)}
