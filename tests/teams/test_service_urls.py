"""Which serviceUrls the bot will send to, as an operator configures it (README, docs/teams.md).

Pure rules, no traffic: the endpoint and the poll publisher apply exactly these (their
tests in test_local_mode.py and test_auth.py go through the server).
"""

from __future__ import annotations

import pytest

from adapters.teams.service_urls import (
    DEFAULT_SERVICE_URL_HOSTS,
    BadHostPattern,
    ServiceUrlPolicy,
    parse_host_patterns,
    policy_for,
)
from adapters.teams.settings import TeamsSettings

LOCAL = ServiceUrlPolicy.local()
PUBLIC = ServiceUrlPolicy.allow_list()


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:56150/_connector",  # Agents Playground
        "http://127.0.0.1:3978/",
        "https://127.42.0.9/",
        "http://[::1]:9000/",
        "http://LOCALHOST:80/",
    ],
)
def test_local_mode_sends_to_loopback(url: str) -> None:
    assert LOCAL.allows(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://smba.trafficmanager.net/emea/",  # the real thing, but not local
        "http://169.254.169.254/",
        "http://localhost.evil.com/",
        "http://127.0.0.1.nip.io/",
        "http://127.0.0.1@evil.com/",
        "http://localhost:80@evil.com/",
        "http://[::ffff:7f00:1]/",
        "http://127.1/",
        "http://017700000001/",
        "http://localhost./",
        "http://127.0.0.1:3978 /",
        "http://127.0.0.1:65536/",
        "http://127.0.0.1:-1/",
        "ws://127.0.0.1/",
        "",
    ],
)
def test_local_mode_refuses_everything_else(url: str) -> None:
    assert not LOCAL.allows(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://smba.trafficmanager.net/teams/",
        "https://smba.trafficmanager.net/amer/",
        "https://SMBA.trafficmanager.net/emea/",
        "https://smba.infra.gcc.teams.microsoft.com/teams",
        "https://webchat.botframework.com/",
        "https://europe.directline.botframework.com/",
    ],
)
def test_with_credentials_the_public_hosts_are_allowed_by_default(url: str) -> None:
    assert PUBLIC.allows(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://smba.trafficmanager.net/teams/",  # the bot's token never travels in clear
        "https://smba.trafficmanager.net.evil.com/",
        "https://evilbotframework.com/",
        "https://botframework.com/",
        "https://smba.infra.gov.teams.microsoft.us/teams",  # GCC High: opt in
        "https://user@smba.trafficmanager.net/",
        "http://127.0.0.1:3978/",
        "http://localhost:3978/",
    ],
)
def test_with_credentials_other_hosts_are_refused(url: str) -> None:
    assert not PUBLIC.allows(url)


def test_the_variable_replaces_the_default_list() -> None:
    policy = policy_for(
        TeamsSettings(
            microsoft_app_id="app",
            microsoft_app_password="pw",
            microsoft_service_url_hosts=" smba.infra.gov.teams.microsoft.us , *.Example.org,[::1]",
        )
    )
    assert policy.hosts == ("smba.infra.gov.teams.microsoft.us", "*.example.org", "::1")
    assert policy.allows("https://smba.infra.gov.teams.microsoft.us/teams")
    assert policy.allows("https://a.b.example.org/")
    assert not policy.allows("https://example.org/")
    assert not policy.allows("https://smba.trafficmanager.net/teams/")
    # Plain http only to a loopback host the operator listed (a local stand-in).
    assert policy.allows("http://[::1]:8080/")
    assert not policy.allows("http://a.example.org/")


def test_unset_or_blank_means_the_public_hosts() -> None:
    assert parse_host_patterns(None) == DEFAULT_SERVICE_URL_HOSTS
    assert parse_host_patterns("  ") == DEFAULT_SERVICE_URL_HOSTS
    assert policy_for(TeamsSettings()).local_only  # no credentials: local mode, list unused


@pytest.mark.parametrize("text", ["https://x.example/", "*", "*.com", "a..b", ",", "127.1"])
def test_unreadable_entries_are_refused(text: str) -> None:
    with pytest.raises(BadHostPattern, match="MICROSOFT_SERVICE_URL_HOSTS"):
        parse_host_patterns(text)
