"""Wiring: settings → botbuilder's CloudAdapter, our bot and the ``/api/messages`` handler."""

from __future__ import annotations

import logging

from msrest.universal_http.requests import ClientRetryPolicy

from adapters.teams.activities import PLATFORM
from adapters.teams.adapter import TeamsCloudAdapter
from adapters.teams.auth import RequestAuthenticator, build_authentication
from adapters.teams.connector_retry import DEFAULT_RETRY, RetryPolicy
from adapters.teams.endpoint import MessagesEndpoint
from adapters.teams.poll_publisher import TeamsPollPublisher
from adapters.teams.settings import TeamsSettings
from adapters.teams.teams_bot import TeamsBot
from bot.conversation import Conversation
from bot.store import StateStore

log = logging.getLogger(__name__)

NO_AUTH_WARNING = (
    "TEAMS AUTHENTICATION IS OFF: MICROSOFT_APP_ID is not set, so %s accepts unsigned "
    "requests from anyone. Use this only with the Bot Framework Emulator or locally; "
    "set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD before exposing the server."
)


def _quicker_connector_clients() -> None:
    """botbuilder builds two msrest clients per activity, and each one's retry policy
    tests 999 codes against a 500-item *list* (~4 ms of CPU on the event loop). The same
    codes as a frozenset give the same policy in microseconds."""
    ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]


def build_endpoint(
    conversation: Conversation,
    store: StateStore,
    settings: TeamsSettings,
    retry: RetryPolicy = DEFAULT_RETRY,
) -> MessagesEndpoint:
    """The ``/api/messages`` handler with its adapter, bot and authenticator."""
    _quicker_connector_clients()
    authentication = build_authentication(settings)
    adapter = TeamsCloudAdapter(authentication)
    bot = TeamsBot(conversation, store, retry)
    adapter.on_turn_error = bot.on_turn_error
    authenticator = RequestAuthenticator(authentication, enabled=bool(settings.microsoft_app_id))
    # Poll cards posted in Teams are kept current through this adapter's connector.
    conversation.polls.register_publisher(
        PLATFORM, TeamsPollPublisher(adapter, settings.microsoft_app_id, retry)
    )
    return MessagesEndpoint(adapter, bot, authenticator, store)
