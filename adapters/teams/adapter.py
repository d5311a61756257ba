"""botbuilder's CloudAdapter with what it rebuilds on every turn kept instead.

Per incoming activity, the stock ``process_activity`` builds a new connector client (an
msrest configuration, retry policy, requests session: a fresh connection to the
connector each time) and a new user-token client we never use. Here both are kept and
reused — each connector client sending with an aiohttp session of its own
(:mod:`adapters.teams.connector_http`) rather than ``requests`` in a thread pool —
connector clients per (app id, audience, serviceUrl), as botbuilder's older
``BotFrameworkAdapter`` does, in a small LRU, so the clients kept stay bounded however
many serviceUrls arrive (the endpoint lets through only allowed ones: ``service_urls``).
Authentication is untouched: the caller passes the result of validating *this* request
(``auth.RequestAuthenticator``).

Outgoing activities are serialised by :class:`CardSerializer`: msrest walks an
attachment's ``content`` (an Adaptive Card, typed ``object``) three times (rebuild,
validate, serialise) only to copy plain JSON; the card is set aside, the rest of the
activity goes through msrest as before, and the card is put back as it is.
"""

from __future__ import annotations

import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
)
from msrest import Serializer

from adapters.teams.connector_http import use_aiohttp

log = logging.getLogger(__name__)

#: Connector clients kept at once (Teams uses a handful of serviceUrls per region).
MAX_CONNECTORS = 32

_JSON_SCALARS = (str, int, float, bool, type(None))


def _is_plain_json(value: Any) -> bool:
    """True for dicts/lists of str keys and JSON scalars: what msrest would copy unchanged."""
    if isinstance(value, _JSON_SCALARS):
        return type(value) in _JSON_SCALARS  # not an Enum or other subclass
    if type(value) is dict:
        return all(type(k) is str and _is_plain_json(v) for k, v in value.items())
    if type(value) is list:
        return all(_is_plain_json(v) for v in value)
    return False


def _app_id(identity: ClaimsIdentity) -> str:
    """The bot app id botbuilder derives a turn's clients from (audience, else appid claim)."""
    value = identity.get_claim_value(AuthenticationConstants.AUDIENCE_CLAIM)
    if value is None:
        value = identity.get_claim_value(AuthenticationConstants.APP_ID_CLAIM)
    return str(value or "")


class CardSerializer(Serializer):
    """msrest's serializer, with plain-JSON attachment contents passed through as they are."""

    def body(self, data: Any, data_type: str, **kwargs: Any) -> Any:
        attachments = getattr(data, "attachments", None) if data_type == "Activity" else None
        if not isinstance(data, Activity) or not attachments:
            return super().body(data, data_type, **kwargs)  # type: ignore[no-untyped-call]
        contents = [attachment.content for attachment in attachments]
        if not all(isinstance(c, dict) and _is_plain_json(c) for c in contents):
            return super().body(data, data_type, **kwargs)  # type: ignore[no-untyped-call]
        for attachment in attachments:
            attachment.content = None
        try:
            serialized = super().body(data, data_type, **kwargs)  # type: ignore[no-untyped-call]
        finally:
            for attachment, content in zip(attachments, contents, strict=True):
                attachment.content = content
        for item, content in zip(serialized["attachments"], contents, strict=True):
            item["content"] = content
        return serialized


class TeamsCloudAdapter(CloudAdapter):  # type: ignore[misc]
    """CloudAdapter reusing connector and user-token clients across turns."""

    def __init__(self, authentication: BotFrameworkAuthentication) -> None:
        super().__init__(authentication)
        self._connectors: OrderedDict[tuple[str, str, str], ConnectorClient] = OrderedDict()
        self._user_token_clients: dict[str, Any] = {}

    async def _connector(self, result: AuthenticateRequestResult, service_url: str) -> Any:
        key = (_app_id(result.claims_identity), result.audience or "", service_url)
        client = self._connectors.get(key)
        if client is not None:
            self._connectors.move_to_end(key)
            return client
        client = await result.connector_factory.create(service_url, result.audience)
        use_aiohttp(client)  # its HTTP in the event loop, its own session kept with it
        serializer = CardSerializer(client._serialize.dependencies)  # type: ignore[no-untyped-call]
        client._serialize = serializer
        for operations in (client.conversations, client.attachments):
            operations._serialize = serializer
        self._connectors[key] = client
        while len(self._connectors) > MAX_CONNECTORS:
            _key, old = self._connectors.popitem(last=False)
            await _close(old)
        return client

    async def _user_token_client(self, result: AuthenticateRequestResult) -> Any:
        app_id = _app_id(result.claims_identity)
        client = self._user_token_clients.get(app_id)
        if client is None:
            client = await self.bot_framework_authentication.create_user_token_client(
                result.claims_identity
            )
            self._user_token_clients[app_id] = client
        return client

    async def process_activity(
        self,
        auth_header_or_authenticate_request_result: str | AuthenticateRequestResult,
        activity: Activity,
        logic: Callable[[TurnContext], Awaitable[Any]],
    ) -> Any:
        """``CloudAdapterBase.process_activity`` with the clients reused (same steps)."""
        if isinstance(auth_header_or_authenticate_request_result, str) or (
            not auth_header_or_authenticate_request_result.connector_factory
        ):
            return await super().process_activity(
                auth_header_or_authenticate_request_result, activity, logic
            )
        result = auth_header_or_authenticate_request_result
        activity.caller_id = result.caller_id
        connector_client = await self._connector(result, activity.service_url)
        user_token_client = await self._user_token_client(result)
        context = self._create_turn_context(
            activity,
            result.claims_identity,
            result.audience,
            connector_client,
            user_token_client,
            logic,
            result.connector_factory,
        )
        await self.run_pipeline(context, logic)
        return self._process_turn_results(context)

    async def close(self) -> None:
        """Close every kept connector client (their HTTP sessions)."""
        while self._connectors:
            _key, client = self._connectors.popitem()
            await _close(client)


async def _close(client: Any) -> None:
    with contextlib.suppress(Exception):
        await client.__aexit__(None, None, None)
