"""The connector client's HTTP on aiohttp, in the event loop, instead of ``requests`` in threads.

botbuilder's async ``ConnectorClient`` sends through msrest's default async pipeline,
which runs the blocking ``requests`` library in the loop's default thread pool
(``run_in_executor``): every reply costs two thread hand-offs and a ``requests`` round
(~1 ms of CPU), and no more replies are in flight at once than the pool has threads
(``min(32, CPUs + 4)``: six on a two-core machine), whatever the load.
:func:`use_aiohttp` swaps that pipeline's last step for :class:`AiohttpSender`, an aiohttp
session of the client's own (one per kept client, so per serviceUrl: its connections are
reused), and keeps every other step: the user agent, the credentials' bearer token
(:class:`CredentialsHeader`, from the same ``signed_session`` msrest calls), msrest's
raw deserialiser and HTTP logger. Errors keep their msrest types, so the retry rules
(:mod:`adapters.teams.connector_retry`) and botbuilder's handling see what they saw.
"""

from __future__ import annotations

import urllib.request
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from msrest.exceptions import ClientRequestError
from msrest.pipeline import Request, Response
from msrest.pipeline.async_abc import AsyncHTTPPolicy, AsyncHTTPSender, AsyncPipeline
from msrest.pipeline.universal import RawDeserializer
from msrest.universal_http.aiohttp import AioHttpClientResponse

#: Seconds one connector call may take (Teams allows a bot 15 s for its whole reply).
CALL_TIMEOUT = 15.0
#: Connections kept open to one serviceUrl.
CONNECTIONS_PER_HOST = 64


class _HeaderHolder:
    """What ``signed_session`` writes the ``Authorization`` header into (it only needs
    ``headers``), so the credentials' own token logic runs unchanged."""

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}


class CredentialsHeader(AsyncHTTPPolicy[Any, Any]):
    """Puts the credentials' bearer token (if they set one) on every request."""

    def __init__(self, credentials: Any) -> None:
        super().__init__()
        self._credentials = credentials

    async def send(self, request: Request[Any], **kwargs: Any) -> Response[Any, Any]:
        holder = _HeaderHolder()
        self._credentials.signed_session(holder)
        token = holder.headers.get("Authorization")
        if token:
            request.http_request.headers["Authorization"] = token
        else:
            request.http_request.headers.pop("Authorization", None)
        assert self.next is not None, "the pipeline links every policy to the next step"
        response: Response[Any, Any] = await self.next.send(request, **kwargs)
        return response


class AiohttpSender(AsyncHTTPSender[Any, Any]):
    """Sends msrest requests with one aiohttp session, opened on first use."""

    def __init__(self, timeout: float = CALL_TIMEOUT) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # Not trust_env: aiohttp would then read ~/.netrc in a thread on every request.
            self._session = aiohttp.ClientSession(
                timeout=self._timeout,
                connector=aiohttp.TCPConnector(limit=0, limit_per_host=CONNECTIONS_PER_HOST),
            )
        return self._session

    def _proxy_for(self, url: str) -> str | None:
        """The proxy the environment names for ``url`` (HTTPS_PROXY, NO_PROXY...), as
        ``requests`` would use; looked up once per scheme and host."""
        parts = urlsplit(url)
        where = (parts.scheme, parts.hostname or "")
        if where not in self._proxies:
            proxies = urllib.request.getproxies()
            bypass = bool(where[1]) and bool(urllib.request.proxy_bypass(where[1]))
            self._proxies[where] = None if bypass else proxies.get(where[0])
        return self._proxies[where]

    async def __aenter__(self) -> AiohttpSender:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session and its connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def build_context(self) -> None:
        """msrest asks for a per-request context; aiohttp needs none."""
        return None

    async def send(self, request: Request[Any], **_config: Any) -> Response[Any, Any]:
        http = request.http_request
        data = http.data
        if http.files:
            raise ClientRequestError("file uploads are not sent through this client")
        try:
            raw = await self._open().request(
                http.method,
                http.url,
                headers=dict(http.headers),
                data=data,
                proxy=self._proxy_for(http.url),
            )
            response = AioHttpClientResponse(http, raw)
            await response.load_body()
            raw.release()
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            raise ClientRequestError(f"connector call failed: {type(error).__name__}") from error
        return Response(request, response)


def use_aiohttp(client: Any) -> None:
    """Make a botframework ``ConnectorClient`` (aio) send with :class:`AiohttpSender`."""
    config = client.config
    policies = [
        config.user_agent_policy,
        CredentialsHeader(config.credentials),
        RawDeserializer(),
        config.http_logger_policy,
    ]
    client._client.config.pipeline = AsyncPipeline(policies, AiohttpSender())
