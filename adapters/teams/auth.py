"""Who may call ``/api/messages``: Bot Framework JWT validation, done by botbuilder.

With ``MICROSOFT_APP_ID`` set, every request must carry a token that botbuilder's
validation accepts (issuer, audience = our app id, signing key from the published OpenID
metadata, expiry, and a ``serviceurl`` claim equal to the activity's serviceUrl). Without
it there is no token to check: local mode, where only loopback peers with a loopback
serviceUrl get this far (``local_mode``, ``service_urls``).

botbuilder fetches the OpenID metadata with the blocking ``requests`` library, so
validation runs on a worker thread with a deadline: a slow metadata endpoint can delay
that one request, never the event loop serving everyone else.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticateRequestResult, BotFrameworkAuthentication

from adapters.teams.settings import TeamsSettings

log = logging.getLogger(__name__)

#: How long one request's token validation may take, metadata download included.
VALIDATION_DEADLINE = 10.0


class Unauthorized(Exception):
    """The request's token is missing or was rejected; the caller answers 401."""


class TeamsConfigurationError(ValueError):
    """The MICROSOFT_APP_* settings do not make a usable combination."""


@dataclass(frozen=True, slots=True)
class _BotFrameworkConfiguration:
    """The attribute names botbuilder's configuration readers look for."""

    APP_ID: str | None
    APP_PASSWORD: str | None
    APP_TYPE: str
    APP_TENANTID: str | None


def build_authentication(settings: TeamsSettings) -> BotFrameworkAuthentication:
    """botbuilder's authentication for the app id, password, app type and tenant in settings."""
    app_type = settings.microsoft_app_type or "MultiTenant"
    if settings.microsoft_app_id and app_type.lower() not in ("multitenant", "singletenant"):
        raise TeamsConfigurationError(
            f"MICROSOFT_APP_TYPE must be MultiTenant or SingleTenant, not {app_type!r}"
        )
    single_tenant = app_type.lower() == "singletenant"
    if settings.microsoft_app_id and single_tenant and not settings.microsoft_app_tenant_id:
        raise TeamsConfigurationError("SingleTenant needs MICROSOFT_APP_TENANT_ID")
    if settings.microsoft_app_id and not settings.microsoft_app_password:
        raise TeamsConfigurationError("MICROSOFT_APP_ID is set but MICROSOFT_APP_PASSWORD is not")
    configuration = _BotFrameworkConfiguration(
        APP_ID=settings.microsoft_app_id,
        APP_PASSWORD=settings.microsoft_app_password,
        APP_TYPE=app_type,
        APP_TENANTID=settings.microsoft_app_tenant_id,
    )
    return ConfigurationBotFrameworkAuthentication(configuration)


class RequestAuthenticator:
    """Turns an activity plus its Authorization header into botbuilder's auth result, or 401."""

    def __init__(self, authentication: BotFrameworkAuthentication, enabled: bool) -> None:
        self.authentication = authentication
        self.enabled = enabled

    async def authenticate(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        """botbuilder's result for this request; raises :class:`Unauthorized` on any rejection."""
        if not self.enabled:
            # Auth is off: a header the Emulator may send is ignored, never validated.
            result: AuthenticateRequestResult = await self.authentication.authenticate_request(
                activity, ""
            )
            return result
        if not auth_header.strip():
            raise Unauthorized("no Authorization header")
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(self._authenticate_blocking, activity, auth_header),
                VALIDATION_DEADLINE,
            )
        except TimeoutError as error:
            log.warning("teams: token validation timed out")
            raise Unauthorized("validation timed out") from error
        except Exception as error:
            # botbuilder signals rejection with PermissionError, but a malformed token or an
            # unknown key id surfaces as a decode, KeyError or IndexError: all mean 401.
            log.warning("teams: rejected token: %s: %s", type(error).__name__, error)
            raise Unauthorized(str(error)) from error

    def _authenticate_blocking(self, activity: Activity, auth_header: str) -> Any:
        return asyncio.run(self.authentication.authenticate_request(activity, auth_header))
