"""Local mode: who ``/api/messages`` serves when ``MICROSOFT_APP_ID`` is not set.

Without credentials nothing proves a request came from Microsoft, so only this machine is
served: Microsoft 365 Agents Playground or the Bot Framework Emulator running beside the
bot. A request is served only when its TCP peer (the socket's address, never a header) is
loopback, and it carries no proxy header: a reverse proxy or service-mesh sidecar on the
same host connects from loopback too, and would make internet traffic look local. The
activity's serviceUrl must then be loopback as well (:mod:`adapters.teams.service_urls`).
Everything else gets 401 before anything is stored or sent.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from aiohttp import web

#: Headers a proxy adds (or a forger fakes) to say whom it forwards for; in local mode
#: their presence means the loopback peer is a relay, not the client.
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP", "True-Client-IP", "Via")

#: Families of proxy headers, by prefix (X-Forwarded-Host/-Proto, Envoy's x-envoy-*).
PROXY_HEADER_PREFIXES = ("x-forwarded-", "x-envoy-")


def is_loopback_address(host: str) -> bool:
    """True for 127.0.0.0/8 and ::1, also written as IPv4-mapped ``::ffff:127.x.y.z``."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def peer_host(request: web.Request) -> str | None:
    """The TCP peer's address as the socket reports it (None when there is no socket)."""
    transport = request.transport
    peername = transport.get_extra_info("peername") if transport is not None else None
    if isinstance(peername, tuple | list) and peername and isinstance(peername[0], str):
        return peername[0]
    return None


def proxy_headers(headers: Mapping[str, str]) -> list[str]:
    """The proxy headers present, by name as sent."""
    exact = {name.lower() for name in PROXY_HEADERS}
    return [
        name
        for name in headers
        if name.lower() in exact or name.lower().startswith(PROXY_HEADER_PREFIXES)
    ]


def refusal(request: web.Request) -> str | None:
    """Why local mode refuses this request (for the log), or None when it may be served."""
    peer = peer_host(request)
    if peer is None or not is_loopback_address(peer):
        return f"peer {peer or 'unknown'} is not loopback"
    forwarded = proxy_headers(request.headers)
    if forwarded:
        return f"proxy header {forwarded[0]} present"
    return None
