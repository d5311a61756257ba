"""Which ``serviceUrl`` the bot may send HTTP requests to: the line against request forgery.

Every reply, card update and proactive post goes to the ``serviceUrl`` an activity (or a
stored conversation reference) names. Left open, anyone who can reach ``/api/messages``
could make the bot call any address: an internal service, a cloud metadata endpoint.

- **Local mode** (no ``MICROSOFT_APP_ID``): only http(s) to ``localhost``, 127.0.0.0/8 or
  ``[::1]``: Microsoft 365 Agents Playground and the Bot Framework Emulator on this machine.
- **With credentials**: botbuilder's token check already requires the token's
  ``serviceurl`` claim to equal the activity's; as a second line the host must be on an
  allow-list, by default the public Bot Framework / Teams hosts
  (:data:`DEFAULT_SERVICE_URL_HOSTS`), replaced with ``MICROSOFT_SERVICE_URL_HOSTS`` for
  sovereign clouds. It must be https; plain http only to a loopback host listed there
  (a local connector stand-in), never across a network with the bot's token.

A URL is judged by its parts (``urllib.parse``), and anything an HTTP client might read
differently (user info, backslashes, blanks, an unreadable port, an IP address spelled
in a short or numeric form) is refused rather than interpreted.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from adapters.teams.settings import TeamsSettings

#: The public cloud's connector hosts: Teams' (``/teams/``, ``/amer/``, ``/emea/``,
#: ``/apac/``… are paths on it), Teams GCC's (public Azure Bot Service, its own host) and
#: the Bot Framework channels' (Web Chat / Direct Line, used by the Azure portal's "Test
#: in Web Chat"). Microsoft: "Send proactive messages" and the Agents SDK's
#: TeamsServiceEndpoints.
DEFAULT_SERVICE_URL_HOSTS: tuple[str, ...] = (
    "smba.trafficmanager.net",
    "smba.infra.gcc.teams.microsoft.com",
    "*.botframework.com",
)

#: Host names local mode accepts besides loopback addresses.
_LOCAL_NAMES = frozenset({"localhost"})

#: One DNS label: letters, digits and inner hyphens (host names are compared lower-cased).
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")

#: A label an IPv4 parser reads as a number: decimal, or hex with ``0x``.
_NUMBER = re.compile(r"^(?:[0-9]+|0x[0-9a-f]*)$")

#: Characters no serviceUrl has, and that URL parsers disagree about.
_FORBIDDEN = re.compile(r"[\s\\\x00-\x1f\x7f]")


class BadHostPattern(ValueError):
    """A ``MICROSOFT_SERVICE_URL_HOSTS`` entry is not a host name, ``*.`` name or address."""


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address ``host`` spells in its standard form, else None (a name, or ``127.1``)."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def is_loopback_host(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ::1 (host as :func:`urlsplit` gives it)."""
    if host in _LOCAL_NAMES:
        return True
    address = _ip(host)
    return address is not None and address.is_loopback


def _is_host_name(host: str) -> bool:
    labels = host.split(".")
    return len(host) <= 253 and all(_LABEL.match(label) for label in labels)


def url_host(url: str) -> tuple[str, str] | None:
    """``(scheme, host)`` of a plain http(s) URL, lower-cased; None for anything else.

    Refused: other schemes, user info (``http://127.0.0.1@evil``), a missing or
    unreadable host or port, a query or fragment, blanks, backslashes, control characters,
    and IP addresses not in their standard dotted/colon form.
    """
    if not isinstance(url, str) or _FORBIDDEN.search(url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or parts.query or parts.fragment:
        return None
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        return None
    host = parts.hostname or ""
    bracketed = parts.netloc.startswith("[")
    if not host or (bracketed != (":" in host)):
        return None  # an IPv6 address must be in brackets, and brackets hold only one
    if _ip(host) is None and (":" in host or not _is_host_name(host) or _numeric(host)):
        return None
    return parts.scheme, host


def _numeric(host: str) -> bool:
    """True when the last label is a number (``127.1``, ``2130706433``, ``0x7f.1``): HTTP
    clients and resolvers read such names as IPv4 addresses in short forms, so they are
    never taken as names (no top-level domain is numeric)."""
    return _NUMBER.match(host.rsplit(".", 1)[-1]) is not None


def parse_host_patterns(text: str | None) -> tuple[str, ...]:
    """``MICROSOFT_SERVICE_URL_HOSTS`` as patterns; unset or blank: the default hosts.

    Comma-separated host names; ``*.example.com`` matches every name under example.com
    (not example.com itself). IP addresses are accepted as written (``[::1]`` or ``::1``).
    """
    if text is None or not text.strip():
        return DEFAULT_SERVICE_URL_HOSTS
    patterns: list[str] = []
    for raw in text.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry.startswith("[") and entry.endswith("]"):
            entry = entry[1:-1]
        base = entry[2:] if entry.startswith("*.") else entry
        if _ip(base) is not None and base == entry:
            patterns.append(str(_ip(base)))
            continue
        if not _is_host_name(base) or _numeric(base) or (base != entry and "." not in base):
            raise BadHostPattern(
                f"MICROSOFT_SERVICE_URL_HOSTS: {raw.strip()!r} is not a host name, "
                "'*.'-prefixed domain or IP address"
            )
        patterns.append(entry)
    if not patterns:
        raise BadHostPattern("MICROSOFT_SERVICE_URL_HOSTS lists no host")
    return tuple(dict.fromkeys(patterns))


def _matches(host: str, pattern: str) -> bool:
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])  # labels are never empty: "x.example.com" only
    address = _ip(host)
    return host == pattern or (address is not None and str(address) == pattern)


@dataclass(frozen=True, slots=True)
class ServiceUrlPolicy:
    """Where outbound connector calls may go; see the module docstring for the rules."""

    #: Allowed host patterns; empty in local mode.
    hosts: tuple[str, ...] = ()
    #: True without credentials: only loopback serviceUrls.
    local_only: bool = True

    @classmethod
    def local(cls) -> ServiceUrlPolicy:
        """Local mode: loopback serviceUrls only."""
        return cls((), local_only=True)

    @classmethod
    def allow_list(cls, hosts: tuple[str, ...] = DEFAULT_SERVICE_URL_HOSTS) -> ServiceUrlPolicy:
        """With credentials: https to these host patterns (http to a listed loopback host)."""
        return cls(hosts, local_only=False)

    def allows(self, url: str) -> bool:
        """True when the bot may send requests to ``url``."""
        parsed = url_host(url)
        if parsed is None:
            return False
        scheme, host = parsed
        if self.local_only:
            return is_loopback_host(host)
        if scheme != "https" and not is_loopback_host(host):
            return False
        return any(_matches(host, pattern) for pattern in self.hosts)

    def describe(self) -> str:
        """The rule in one line, for the start-up log."""
        if self.local_only:
            return "serviceUrl must be http(s)://localhost, 127.0.0.0/8 or [::1]"
        return "serviceUrl host must be one of " + ", ".join(self.hosts)


def policy_for(settings: TeamsSettings) -> ServiceUrlPolicy:
    """Local mode's policy without ``MICROSOFT_APP_ID``, else the allow-list from
    ``MICROSOFT_SERVICE_URL_HOSTS`` (raises :class:`BadHostPattern` for a bad entry)."""
    if not settings.microsoft_app_id:
        return ServiceUrlPolicy.local()
    return ServiceUrlPolicy.allow_list(parse_host_patterns(settings.microsoft_service_url_hosts))
