"""Wiring: settings → botbuilder's CloudAdapter, our bot and the ``/api/messages`` handler."""

from __future__ import annotations

import logging

from msrest.universal_http.requests import ClientRetryPolicy

from adapters.teams.activities import PLATFORM
from adapters.teams.adapter import TeamsCloudAdapter
from adapters.teams.auth import (
    RequestAuthenticator,
    TeamsConfigurationError,
    build_authentication,
)
from adapters.teams.connector_retry import DEFAULT_RETRY, RetryPolicy
from adapters.teams.endpoint import MessagesEndpoint
from adapters.teams.outbound import TeamsOutbound
from adapters.teams.roster import TeamsRoster
from adapters.teams.service_urls import BadHostPattern, policy_for
from adapters.teams.settings import TeamsSettings
from adapters.teams.teams_bot import TeamsBot
from bot.conversation import Conversation
from bot.store import StateStore

log = logging.getLogger(__name__)

LOCAL_MODE_WARNING = (
    "TEAMS LOCAL MODE: MICROSOFT_APP_ID is not set, so %s serves only requests from a "
    "loopback peer (127.0.0.0/8, ::1) with no proxy header (Forwarded, X-Forwarded-*, "
    "X-Real-IP, Via) and a serviceUrl of http(s)://localhost, 127.0.0.0/8 or [::1]; "
    "everything else gets 401. For Microsoft 365 Agents Playground or the Bot Framework "
    "Emulator on this machine; set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD to serve Teams."
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
    try:
        service_urls = policy_for(settings)
    except BadHostPattern as error:
        raise TeamsConfigurationError(str(error)) from error
    adapter = TeamsCloudAdapter(authentication)
    bot = TeamsBot(conversation, store, retry)
    adapter.on_turn_error = bot.on_turn_error
    authenticator = RequestAuthenticator(authentication, enabled=bool(settings.microsoft_app_id))
    # The core's outgoing messages (poll card updates...) go through this adapter's connector.
    conversation.outbox.register(
        PLATFORM, TeamsOutbound(adapter, settings.microsoft_app_id, service_urls, store, retry)
    )
    conversation.rosters.register(
        PLATFORM, TeamsRoster(adapter, settings.microsoft_app_id, service_urls, retry)
    )
    return MessagesEndpoint(adapter, bot, authenticator, store, service_urls)
