"""Bot Framework authentication, tested for real: botbuilder validates tokens we mint.

A local server plays Microsoft's OpenID metadata document and JWKS endpoint, with an RSA
key made here. botbuilder's channel validation is pointed at it through
``ChannelValidation.open_id_metadata_endpoint``, the class attribute botbuilder provides
for that purpose; this fixture is the only place it is changed (app code never touches it).

Rejected requests must be 401, never 500, and must change nothing: no call reaches the
connector and no Redis key is written.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
import redis.asyncio as aioredis
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from botframework.connector.auth import ChannelValidation
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from adapters.teams.auth import TeamsConfigurationError, build_authentication
from adapters.teams.front_end import TeamsFrontEnd
from adapters.teams.settings import TeamsSettings
from bot.conversation import Conversation
from bot.front_ends import FrontEndError
from bot.store import StateStore
from tests.apps import web_app
from tests.teams.conftest import StandInConnector, TeamsClientFactory, payload, restart_invoke

APP_ID = "0e5d2c1b-aaaa-bbbb-cccc-1234567890ab"
#: The stand-in connector listens on 127.0.0.1: allowed as a serviceUrl host here, so the
#: token checks below are what refuses a request, not the serviceUrl allow-list.
STAND_IN_HOSTS = "127.0.0.1"
ISSUER = "https://api.botframework.com"
Client = TestClient[Any, Any]


@dataclass
class TokenIssuer:
    """Mints Bot Connector-style tokens signed by the key the stand-in JWKS publishes."""

    key: rsa.RSAPrivateKey
    kid: str

    def token(self, service_url: str, **overrides: Any) -> str:
        """A token; ``overrides`` replace claims, ``kid``/``key`` the header's key id and key."""
        now = int(time.time())
        kid = overrides.pop("kid", self.kid)
        key = overrides.pop("key", self.key)
        claims = {
            "iss": ISSUER,
            "aud": APP_ID,
            "serviceurl": service_url,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + 3600,
            **overrides,
        }
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
async def token_issuer(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TokenIssuer]:
    """A local OpenID metadata + JWKS endpoint, and botbuilder pointed at it for this test."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = f"test-{uuid.uuid4().hex[:8]}"
    jwk: dict[str, Any] = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    jwk.update({"kid": kid, "use": "sig", "alg": "RS256", "endorsements": ["msteams"]})
    server: TestServer | None = None

    async def metadata(_request: web.Request) -> web.Response:
        assert server is not None
        return web.json_response(
            {"issuer": ISSUER, "jwks_uri": str(server.make_url("/v1/.well-known/keys"))}
        )

    async def keys(_request: web.Request) -> web.Response:
        return web.json_response({"keys": [jwk]})

    app = web.Application()
    app.router.add_get("/v1/.well-known/openidconfiguration", metadata)
    app.router.add_get("/v1/.well-known/keys", keys)
    server = TestServer(app)
    await server.start_server()
    monkeypatch.setattr(
        ChannelValidation,
        "open_id_metadata_endpoint",
        str(server.make_url("/v1/.well-known/openidconfiguration")),
    )
    try:
        yield TokenIssuer(key, kid)
    finally:
        await server.close()


@pytest.fixture
async def secured(teams_client_for: TeamsClientFactory) -> Client:
    """The server with MICROSOFT_APP_ID / MICROSOFT_APP_PASSWORD set (MultiTenant)."""
    return await teams_client_for(
        TeamsSettings(
            microsoft_app_id=APP_ID,
            microsoft_app_password="not-used-for-inbound",
            microsoft_service_url_hosts=STAND_IN_HOSTS,
        )
    )


async def test_a_good_token_is_accepted(
    secured: Client, connector: StandInConnector, token_issuer: TokenIssuer
) -> None:
    activity = restart_invoke(connector.url)
    token = token_issuer.token(connector.url)
    response = await secured.post(
        "/api/messages", json=activity, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 200
    body = await response.json()
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Question 1 of" in body["value"]["fallbackText"]


async def test_single_tenant_accepts_a_good_token(
    teams_client_for: TeamsClientFactory, connector: StandInConnector, token_issuer: TokenIssuer
) -> None:
    client = await teams_client_for(
        TeamsSettings(
            microsoft_app_id=APP_ID,
            microsoft_app_password="pw",
            microsoft_app_type="SingleTenant",
            microsoft_app_tenant_id="72f988bf-86f1-41af-91ab-2d7cd011db47",
            microsoft_service_url_hosts=STAND_IN_HOSTS,
        )
    )
    token = token_issuer.token(connector.url)
    response = await client.post(
        "/api/messages",
        json=restart_invoke(connector.url),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 200


def test_incomplete_credentials_fail_at_start() -> None:
    with pytest.raises(TeamsConfigurationError, match="TENANT"):
        build_authentication(
            TeamsSettings(
                microsoft_app_id=APP_ID,
                microsoft_app_password="pw",
                microsoft_app_type="SingleTenant",
            )
        )
    with pytest.raises(TeamsConfigurationError, match="PASSWORD"):
        build_authentication(TeamsSettings(microsoft_app_id=APP_ID))
    with pytest.raises(TeamsConfigurationError, match="MICROSOFT_APP_TYPE"):
        build_authentication(
            TeamsSettings(
                microsoft_app_id=APP_ID, microsoft_app_password="pw", microsoft_app_type="Other"
            )
        )


def bad_claims(case: str) -> dict[str, Any]:
    """Claim (or header/key) overrides that make a token bad in the named way."""
    now = int(time.time())
    return {
        "wrong audience": {"aud": "11111111-2222-3333-4444-555555555555"},
        "wrong issuer": {"iss": "https://sts.windows.net/evil/"},
        "expired": {"exp": now - 3600, "nbf": now - 7200},  # beyond the 5-minute leeway
        "unknown key id": {"kid": "no-such-key"},
        "service url mismatch": {"serviceurl": "https://attacker.example/"},
        "signed by another key": {
            "key": rsa.generate_private_key(public_exponent=65537, key_size=2048)
        },
    }[case]


BAD_TOKENS = (
    "wrong audience",
    "wrong issuer",
    "expired",
    "unknown key id",
    "service url mismatch",
    "signed by another key",
)


@pytest.mark.parametrize("case", BAD_TOKENS)
async def test_bad_tokens_are_401_and_change_nothing(
    case: str,
    secured: Client,
    connector: StandInConnector,
    token_issuer: TokenIssuer,
    store: StateStore,
    redis_client: aioredis.Redis,
) -> None:
    token = token_issuer.token(connector.url, **bad_claims(case))
    for activity in (payload("personal_message", connector.url), restart_invoke(connector.url)):
        response = await secured.post(
            "/api/messages", json=activity, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status == 401, case
    assert connector.calls == []
    assert [k async for k in redis_client.scan_iter(match=f"{store.prefix}:*")] == []


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer not.a.jwt",
        "Basic dXNlcjpwYXNz",
        "garbage",
        "Bearer a b",
    ],
)
async def test_missing_or_malformed_headers_are_401(
    header: str | None,
    secured: Client,
    connector: StandInConnector,
    token_issuer: TokenIssuer,
    store: StateStore,
    redis_client: aioredis.Redis,
) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = await secured.post(
        "/api/messages", json=payload("personal_message", connector.url), headers=headers
    )
    assert response.status == 401
    assert connector.calls == []
    assert [k async for k in redis_client.scan_iter(match=f"{store.prefix}:*")] == []


async def test_unsigned_token_is_401(
    secured: Client, connector: StandInConnector, token_issuer: TokenIssuer
) -> None:
    claims = {"iss": ISSUER, "aud": APP_ID, "serviceurl": connector.url, "exp": time.time() + 600}
    token = jwt.encode(claims, None, algorithm="none", headers={"kid": token_issuer.kid})
    response = await secured.post(
        "/api/messages",
        json=payload("personal_message", connector.url),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 401
    assert connector.calls == []


async def test_without_app_id_a_token_is_not_needed(
    teams: Client, connector: StandInConnector
) -> None:
    response = await teams.post(
        "/api/messages",
        json=payload("personal_message", connector.url),
        headers={"Authorization": "Bearer whatever-the-emulator-sends"},
    )
    assert response.status == 201
    assert len(connector.calls) == 1


# --- the serviceUrl allow-list: the second line behind the token's serviceurl claim -----


async def test_a_service_url_off_the_allow_list_is_401_even_with_a_valid_token(
    teams_client_for: TeamsClientFactory,
    connector: StandInConnector,
    token_issuer: TokenIssuer,
    store: StateStore,
    redis_client: aioredis.Redis,
) -> None:
    # Default allow-list (the public Bot Framework hosts): 127.0.0.1 is not on it, so a
    # token vouching for it (the claim matches the activity) is not enough.
    client = await teams_client_for(
        TeamsSettings(microsoft_app_id=APP_ID, microsoft_app_password="pw")
    )
    token = token_issuer.token(connector.url)
    response = await client.post(
        "/api/messages",
        json=restart_invoke(connector.url),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 401
    assert connector.calls == []
    assert [k async for k in redis_client.scan_iter(match=f"{store.prefix}:*")] == []


@pytest.mark.parametrize(
    ("hosts", "status"),
    [
        ("smba.infra.gov.teams.microsoft.us, 127.0.0.1", 200),
        ("*.example.org", 401),
        ("smba.trafficmanager.net", 401),
    ],
)
async def test_the_allow_list_comes_from_microsoft_service_url_hosts(
    hosts: str,
    status: int,
    teams_client_for: TeamsClientFactory,
    connector: StandInConnector,
    token_issuer: TokenIssuer,
) -> None:
    settings = TeamsSettings.from_env(
        {
            "MICROSOFT_APP_ID": APP_ID,
            "MICROSOFT_APP_PASSWORD": "pw",
            "MICROSOFT_SERVICE_URL_HOSTS": hosts,
        }
    )
    client = await teams_client_for(settings)
    token = token_issuer.token(connector.url)
    response = await client.post(
        "/api/messages",
        json=restart_invoke(connector.url),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == status
    assert connector.calls == []  # an invoke is answered inline either way


@pytest.mark.parametrize("hosts", ["https://smba.trafficmanager.net/", "*", "*.net", "a b"])
def test_an_unreadable_allow_list_stops_the_server_at_start(
    hosts: str, conversation: Conversation, store: StateStore
) -> None:
    settings = TeamsSettings(
        microsoft_app_id=APP_ID, microsoft_app_password="pw", microsoft_service_url_hosts=hosts
    )
    with pytest.raises(FrontEndError, match="MICROSOFT_SERVICE_URL_HOSTS"):
        web_app(conversation, store, TeamsFrontEnd(settings))
