"""The core's settings, read from the environment once at start-up (CONTRACT.md's table).

Each front end reads its own variables (see :class:`bot.front_ends.FrontEnd`); the raw
environment is kept here for them, so one mapping feeds everything.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import ClassVar

from bot.front_ends import Variable


@dataclass(frozen=True, slots=True)
class Settings:
    """What the core reads from its environment. Secrets never reach logs."""

    #: The variables read here, for docs and the deployment-file checks.
    variables: ClassVar[tuple[Variable, ...]] = (
        Variable("HOST", "where `serve` listens (default 0.0.0.0)"),
        Variable("PORT", "the port `serve` listens on (default 3978)"),
        Variable("REDIS_URL", "the Redis to use; unset: an embedded Valkey server"),
        Variable("AI_CHOICE_DATA_DIR", "the embedded server's data (default ./.ai-choice)"),
        Variable("REDIS_SENTINEL", "host:port[,host:port...]/service-name"),
        Variable("REDIS_CLUSTER", "host:port[,host:port...] seed nodes"),
        Variable("AI_CHOICE_KEY_PREFIX", "prefix of every Redis key (default aic)"),
        Variable("AI_CHOICE_SECRET", "keys the voter hashes of anonymous polls", secret=True),
        Variable(
            "AI_CHOICE_EVENT_LOOP",
            "serve's event loop: auto (uvloop if installed), uvloop, asyncio",
        ),
    )

    host: str = "0.0.0.0"
    port: int = 3978
    redis_url: str | None = None
    data_dir: Path = Path(".ai-choice")
    redis_sentinel: str | None = None
    redis_cluster: str | None = None
    #: Every Redis key starts with this, so deployments and test runs can share a server.
    key_prefix: str = "aic"
    #: Keys the hashes that stand in for voters in anonymous polls.
    poll_secret: str | None = field(default=None, repr=False)
    #: The whole environment, for the front ends to read their own variables from.
    env: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({}), repr=False, compare=False
    )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from ``env`` (the process environment by default)."""
        env = dict(os.environ if env is None else env)

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        return cls(
            host=get("HOST") or "0.0.0.0",
            port=int(get("PORT") or 3978),
            redis_url=get("REDIS_URL"),
            data_dir=Path(get("AI_CHOICE_DATA_DIR") or ".ai-choice"),
            redis_sentinel=get("REDIS_SENTINEL"),
            redis_cluster=get("REDIS_CLUSTER"),
            key_prefix=get("AI_CHOICE_KEY_PREFIX") or "aic",
            poll_secret=get("AI_CHOICE_SECRET"),
            env=MappingProxyType(env),
        )

    def poll_key(self, fallback_secrets: Iterable[str | None] = ()) -> bytes | None:
        """The key for anonymous voters' hashes: ``AI_CHOICE_SECRET``, else one derived from
        the first front-end secret given, else None (each poll then keys its own hashes)."""
        for secret in (self.poll_secret, *fallback_secrets):
            if secret:
                return hashlib.sha256(b"ai-choice anonymous polls\0" + secret.encode()).digest()
        return None
