"""The Slack front end: slash command, buttons, mentions, DMs and App Home on Bolt.

:func:`slack_mount` is all the composition root needs: it adds ``POST /slack/events``
(or a Socket Mode connection) when Slack is configured, and nothing otherwise.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.conversation import Conversation
from bot.server import Mount
from bot.settings import Settings
from bot.store import StateStore

log = logging.getLogger(__name__)

__all__ = ["slack_mount"]


def _nothing(_app: web.Application) -> None:
    """The mount used while Slack is off: adds no route."""


def slack_mount(conversation: Conversation, store: StateStore, settings: Settings) -> Mount:
    """The Slack mount for the web app, or a mount that adds nothing when Slack is off.

    HTTP mode needs ``SLACK_SIGNING_SECRET`` and ``SLACK_BOT_TOKEN``; with
    ``SLACK_APP_TOKEN`` as well, Slack is reached over Socket Mode instead of the route.
    """
    if not settings.slack_enabled:
        log.info("Slack is off (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN)")
        return _nothing

    from adapters.slack.app import EVENTS_PATH, SlackFrontEnd

    def mount(app: web.Application) -> None:
        front_end = SlackFrontEnd(conversation, store, settings)
        app.on_startup.append(front_end.start)
        if settings.slack_app_token:
            app.on_startup.append(front_end.start_socket_mode)
            app.on_cleanup.append(front_end.stop_socket_mode)
        else:
            app.router.add_post(EVENTS_PATH, front_end.handle_http)
            log.info("Slack is on at POST %s", EVENTS_PATH)
        app.on_cleanup.append(front_end.finish)

    return mount
