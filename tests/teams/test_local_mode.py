"""Local mode (no ``MICROSOFT_APP_ID``): only this machine is served, and only loopback is called.

Through the real server and a real ``ai-choice serve`` process: a non-loopback peer (from a
network namespace this test creates, and as a peer address handed to the endpoint), a
proxy header, and serviceUrls that point anywhere but loopback all get 401, store nothing
and send nothing. Every request these tests make goes to loopback or to an address inside
their own namespace; a serviceUrl that is not loopback is checked against the rule before
it is posted, so a regression fails the test without anything leaving the machine.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer, make_mocked_request

from adapters.teams import local_mode
from adapters.teams.front_end import TeamsFrontEnd
from adapters.teams.service_urls import ServiceUrlPolicy
from adapters.teams.settings import TeamsSettings
from bot.conversation import Conversation
from bot.store import StateStore
from tests.apps import web_app
from tests.net import free_port
from tests.teams.conftest import StandInConnector, payload, restart_invoke
from tests.teams.poll_flow import buttons, execute, mention, posts, shown

Client = TestClient[Any, Any]
LOCAL = ServiceUrlPolicy.local()


async def keys_under(redis_client: aioredis.Redis, store: StateStore) -> list[str]:
    return [key async for key in redis_client.scan_iter(match=f"{store.prefix}:*")]


@dataclass
class InternalService:
    """A listener on loopback standing in for a service the bot's host can reach."""

    url: str = ""
    hits: int = 0

    async def _any(self, _request: web.Request) -> web.Response:
        self.hits += 1
        return web.json_response({"id": "internal"})


@pytest.fixture
async def internal() -> AsyncIterator[InternalService]:
    service = InternalService()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", service._any)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    service.url = str(server.make_url("/"))
    try:
        yield service
    finally:
        await server.close()


# --- served: this machine, a loopback serviceUrl ---------------------------------------


async def test_a_loopback_peer_naming_localhost_as_service_url_is_served(
    teams: Client, connector: StandInConnector
) -> None:
    # Agents Playground and the Emulator name themselves as http://localhost:PORT.
    url = connector.url.replace("127.0.0.1", "localhost")
    response = await teams.post("/api/messages", json=payload("personal_message", url))
    assert response.status == 201
    assert len(connector.delivered) == 1


# --- refused: proxy headers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Forwarded-For", "203.0.113.7"),
        ("Forwarded", "for=203.0.113.7;proto=https"),
        ("X-Real-IP", "203.0.113.7"),
        ("X-Forwarded-Proto", "https"),
        ("Via", "1.1 proxy.example"),
    ],
)
async def test_a_proxy_header_from_loopback_is_401_and_changes_nothing(
    header: str,
    value: str,
    teams: Client,
    connector: StandInConnector,
    store: StateStore,
    redis_client: aioredis.Redis,
) -> None:
    # A reverse proxy or mesh sidecar on this host connects from loopback for everyone.
    for activity in (payload("personal_message", connector.url), restart_invoke(connector.url)):
        response = await teams.post("/api/messages", json=activity, headers={header: value})
        assert response.status == 401
    assert connector.calls == []
    assert await keys_under(redis_client, store) == []


# --- refused: serviceUrls that are not plainly loopback (SSRF) ---------------------------

NOT_LOOPBACK = [
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://10.0.0.1:{port}/",
    "http://[fd00::1]:{port}/",
    "http://[::ffff:169.254.169.254]/",
    "http://127.0.0.1.nip.io:{port}/",  # a public name that resolves to loopback
    "http://localhost.evil.example:{port}/",
    "http://127.0.0.1@evil.example:{port}/",  # user info: the host is evil.example
    "http://evil.example@127.0.0.1:{port}/",
    "http://127.1:{port}/",  # short and numeric forms some clients expand
    "http://2130706433:{port}/",
    "http://0x7f.0.0.1:{port}/",
    "http://127.0.0.1:{port}\\@evil.example/",
    "http://127.0.0.1:{port}#@evil.example/",
    "http://0.0.0.0:{port}/",
    "file:///etc/passwd",
    "gopher://127.0.0.1:{port}/",
]


@pytest.mark.parametrize("template", NOT_LOOPBACK)
async def test_a_service_url_that_is_not_plainly_loopback_is_401_and_nothing_is_sent(
    template: str,
    teams: Client,
    internal: InternalService,
    connector: StandInConnector,
    store: StateStore,
    redis_client: aioredis.Redis,
) -> None:
    port = internal.url.rsplit(":", 1)[1].strip("/")
    url = template.format(port=port)
    # Interlock: never post a serviceUrl the rule would let through (it could leave the host).
    assert not LOCAL.allows(url), f"the local-mode rule would call {url}"
    for activity in (payload("personal_message", url), restart_invoke(url)):
        response = await teams.post("/api/messages", json=activity)
        assert response.status == 401, url
    assert internal.hits == 0
    assert connector.calls == []
    assert await keys_under(redis_client, store) == []


async def test_the_internal_listener_is_reachable_when_named_plainly(
    teams: Client, internal: InternalService
) -> None:
    # The control for the test above: local mode trusts this machine, so the same
    # listener named as http://127.0.0.1:PORT/ does get the reply.
    response = await teams.post("/api/messages", json=payload("personal_message", internal.url))
    assert response.status == 201
    assert internal.hits == 1


# --- refused: a stored poll card whose serviceUrl is not allowed -------------------------


async def test_a_poll_card_with_a_disallowed_service_url_is_not_updated(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    caplog: pytest.LogCaptureFixture,
) -> None:
    conversation.polls.refresh_window = 0.05
    response = await teams.post(
        "/api/messages", json=mention(connector.url, 'poll "Ship it?" "Yes" "No"')
    )
    assert response.status == 201
    (card,) = posts(connector)
    poll_id = buttons(card)["Close poll"]["aic_value"]
    meta = await conversation.polls.polls.meta(poll_id)
    assert meta is not None
    # A reference written before this rule (or edited in Redis): loopback in disguise, so
    # a regression would reach the stand-in and fail here, never leave the host.
    disguised = connector.url.replace("http://", "http://someone@")
    assert not LOCAL.allows(disguised)
    await conversation.polls.polls.update_meta(
        poll_id, {"message": {**meta["message"], "service_url": disguised}}
    )
    calls_before = len(connector.calls)
    with caplog.at_level(logging.WARNING, logger="adapters.teams.outbound"):
        voted = await shown(teams, execute(connector.url, buttons(card)["Yes"], by=2))
        await conversation.polls.drain()
    assert any('Your vote for "Yes"' in line for line in voted)  # the vote counted
    assert len(connector.calls) == calls_before  # but the shared card was not touched
    assert any("serviceUrl is not allowed" in record.getMessage() for record in caplog.records)


async def _snapshot(redis_client: aioredis.Redis, store: StateStore) -> dict[str, bytes | None]:
    """Every key under the test's prefix with its serialised value."""
    return {key: await redis_client.dump(key) for key in await keys_under(redis_client, store)}


@pytest.mark.parametrize("way", ["proxy header", "metadata serviceUrl"])
async def test_a_refused_vote_or_close_changes_no_poll(
    way: str,
    teams: Client,
    connector: StandInConnector,
    store: StateStore,
    redis_client: aioredis.Redis,
) -> None:
    response = await teams.post(
        "/api/messages", json=mention(connector.url, 'poll "Ship it?" "Yes" "No"')
    )
    assert response.status == 201
    (card,) = posts(connector)
    before = await _snapshot(redis_client, store)
    headers = {"X-Forwarded-For": "203.0.113.7"} if way == "proxy header" else {}
    url = connector.url if way == "proxy header" else "http://169.254.169.254/"
    assert way == "proxy header" or not LOCAL.allows(url)
    for button in ("Yes", "Close poll"):
        # Person 1 started the poll, so the close would be theirs to make.
        activity = execute(url, buttons(card)[button], by=1)
        response = await teams.post("/api/messages", json=activity, headers=headers)
        assert response.status == 401
    assert await _snapshot(redis_client, store) == before
    assert len(connector.calls) == 1  # only the poll card itself


# --- the peer address, handed to the endpoint --------------------------------------------


class _Transport:
    """An asyncio transport as far as the endpoint looks at it: the peer's address."""

    def __init__(self, peername: tuple[Any, ...] | None) -> None:
        self.peername = peername

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.peername if name == "peername" else default

    def is_closing(self) -> bool:
        return False


def _request(peer: str | None, headers: dict[str, str] | None = None) -> web.Request:
    peername = None if peer is None else ((peer, 40000, 0, 0) if ":" in peer else (peer, 40000))
    return make_mocked_request(
        "POST",
        "/api/messages",
        headers={"Content-Type": "application/json", **(headers or {})},
        transport=_Transport(peername),
    )


@pytest.mark.parametrize("peer", ["127.0.0.1", "127.3.2.1", "::1", "::ffff:127.0.0.1"])
def test_loopback_peers_pass_the_peer_rule(peer: str) -> None:
    assert local_mode.refusal(_request(peer)) is None


@pytest.mark.parametrize(
    "peer", ["10.250.7.2", "192.168.1.20", "203.0.113.9", "::ffff:10.0.0.1", "fe80::1", None]
)
async def test_a_non_loopback_peer_is_401_at_the_endpoint(
    peer: str | None,
    conversation: Conversation,
    store: StateStore,
    redis_client: aioredis.Redis,
    connector: StandInConnector,
) -> None:
    front_end = TeamsFrontEnd(TeamsSettings())
    web_app(conversation, store, front_end)
    assert front_end.endpoint is not None
    response = await front_end.endpoint.handle(_request(peer))
    assert response.status == 401
    assert local_mode.refusal(_request(peer)) is not None
    assert await keys_under(redis_client, store) == []


def test_a_loopback_peer_with_a_proxy_header_fails_the_peer_rule() -> None:
    reason = local_mode.refusal(_request("127.0.0.1", {"X-Forwarded-For": "198.51.100.4"}))
    assert reason is not None and "X-Forwarded-For" in reason


# --- a real peer outside loopback: a network namespace with a veth pair ------------------


@dataclass
class Namespace:
    """A network namespace joined to this one by a veth pair (a /30 of 10.250.0.0/16)."""

    name: str
    host_ip: str
    ns_ip: str

    def command(self, *args: str) -> list[str]:
        """``args`` run inside the namespace."""
        return ["ip", "netns", "exec", self.name, *args]


def _ip(*args: str) -> bool:
    return subprocess.run(["ip", *args], capture_output=True, timeout=10).returncode == 0


@pytest.fixture
def namespace() -> Iterator[Namespace]:
    """A fresh namespace and veth pair, torn down afterwards; skips where it cannot be made."""
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root; the peer rule is covered with peer addresses")
    in_use = subprocess.run(["ip", "-4", "addr"], capture_output=True, text=True).stdout
    third = random.choice([x for x in range(1, 255) if f"10.250.{x}." not in in_use])
    tag = uuid.uuid4().hex[:6]
    name, host_side, ns_side = f"aic-{tag}", f"aich{tag}", f"aicn{tag}"
    host_ip, ns_ip = f"10.250.{third}.1", f"10.250.{third}.2"
    if not _ip("netns", "add", name):
        pytest.skip("ip netns add failed (no permission or no netns support here)")
    try:
        steps = [
            ("link", "add", host_side, "type", "veth", "peer", "name", ns_side),
            ("link", "set", ns_side, "netns", name),
            ("addr", "add", f"{host_ip}/30", "dev", host_side),
            ("link", "set", host_side, "up"),
            ("netns", "exec", name, "ip", "addr", "add", f"{ns_ip}/30", "dev", ns_side),
            ("netns", "exec", name, "ip", "link", "set", ns_side, "up"),
            ("netns", "exec", name, "ip", "link", "set", "lo", "up"),
        ]
        for step in steps:
            if not _ip(*step):
                pytest.skip(f"could not set up the veth pair: ip {' '.join(step)}")
        yield Namespace(name, host_ip, ns_ip)
    finally:
        _ip("link", "del", host_side)
        _ip("netns", "del", name)


async def _run(*command: str) -> str:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, _err = await asyncio.wait_for(process.communicate(), timeout=30)
    return out.decode()


def _curl_post(url: str, body: dict[str, Any]) -> list[str]:
    return [
        "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "15",
        "-H", "Content-Type: application/json", "--data-binary", json.dumps(body), url,
    ]  # fmt: skip


async def test_a_request_from_outside_loopback_is_401_and_changes_nothing(
    namespace: Namespace,
    conversation: Conversation,
    store: StateStore,
    redis_client: aioredis.Redis,
    connector: StandInConnector,
) -> None:
    # The server listens on the host side of the pair, as one on 0.0.0.0 would; the
    # forged activity comes from the other side and names the stand-in on loopback.
    front_end = TeamsFrontEnd(TeamsSettings())
    server = TestServer(web_app(conversation, store, front_end), host=namespace.host_ip)
    await server.start_server()
    try:
        url = str(server.make_url("/api/messages"))
        for activity in (
            payload("personal_message", connector.url),
            restart_invoke(connector.url),
        ):
            status = await _run(*namespace.command(*_curl_post(url, activity)))
            assert status == "401"
        # This machine reaching the veth address connects from 10.250.x.1: not loopback.
        status = await _run(*_curl_post(url, payload("personal_message", connector.url)))
        assert status == "401"
        assert front_end.endpoint is not None
        await front_end.endpoint.drain(timeout=15)
    finally:
        await server.close()
    assert connector.calls == []
    assert await keys_under(redis_client, store) == []


_LISTENER = """
import http.server, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self):
        with open(sys.argv[2], "a") as log:
            log.write(self.command + " " + self.path + "\\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "internal"}')
    do_GET = do_POST = do_PUT = answer
    def log_message(self, *args):
        pass
http.server.HTTPServer((sys.argv[1], 8080), Handler).serve_forever()
"""


async def test_a_service_url_inside_another_network_is_never_called(
    namespace: Namespace, teams: Client, tmp_path: Path
) -> None:
    # An internal service on a non-loopback address (inside the namespace only).
    hits = tmp_path / "hits"
    hits.touch()
    listener = subprocess.Popen(
        namespace.command(sys.executable, "-c", _LISTENER, namespace.ns_ip, str(hits))
    )
    try:
        service_url = f"http://{namespace.ns_ip}:8080/"
        deadline = time.monotonic() + 15
        while "GET /ready" not in hits.read_text() and time.monotonic() < deadline:
            await _run("curl", "-s", "-o", "/dev/null", "--max-time", "1", service_url + "ready")
            await asyncio.sleep(0.1)
        assert "GET /ready" in hits.read_text(), "the internal listener never answered"
        seen = hits.read_text()
        assert not LOCAL.allows(service_url)
        response = await teams.post("/api/messages", json=payload("personal_message", service_url))
        assert response.status == 401
        assert hits.read_text() == seen  # reachable from here, yet never called
    finally:
        listener.send_signal(signal.SIGTERM)
        listener.wait(timeout=10)


# --- a real `ai-choice serve`: the start-up warning, a served and a refused request -----


async def test_serve_warns_at_start_serves_loopback_and_refuses_proxied_requests(
    redis_url: str, store: StateStore, connector: StandInConnector, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MICROSOFT_", "REDIS_", "AI_CHOICE_"))
    }
    env.update(
        HOST="127.0.0.1",
        PORT=str(port),
        REDIS_URL=redis_url,
        AI_CHOICE_KEY_PREFIX=store.prefix,
        AI_CHOICE_DATA_DIR=str(tmp_path / "unused"),
    )
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve"], env=env, stdout=log_file, stderr=log_file
        )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            deadline = time.monotonic() + 30
            ready = False
            while not ready and time.monotonic() < deadline:
                assert server.poll() is None, log_path.read_text()
                try:
                    async with http.get(f"{base}/readyz") as answer:
                        ready = answer.status == 200
                except aiohttp.ClientError:
                    await asyncio.sleep(0.2)
            assert ready, "serve never became ready"
            forged = payload("personal_message", connector.url, id="forged-1")
            headers = {"X-Forwarded-For": "203.0.113.7"}
            async with http.post(f"{base}/api/messages", json=forged, headers=headers) as r:
                assert r.status == 401
            local = payload("personal_message", connector.url, id="local-1")
            async with http.post(f"{base}/api/messages", json=local) as r:
                assert r.status == 201
            deadline = time.monotonic() + 15
            while not connector.delivered and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    assert len(connector.delivered) == 1  # the loopback one, not the proxied one
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
    warnings = [line for line in lines if "TEAMS LOCAL MODE" in line["msg"]]
    assert len(warnings) == 1 and warnings[0]["level"] == "warning"
    assert "loopback" in warnings[0]["msg"] and "401" in warnings[0]["msg"]
