"""Our slash command straight to its listener, past Bolt's per-request machinery.

``/ai-choice`` is the request Slack sends most and the one a person waits on (the first
question rides in the acknowledgement). Bolt would run its middleware chain (SSL check,
authorization, URL verification, self-event filter), build a context with a dozen
utilities, try each registered matcher in turn and serialise the acknowledgement through
its own response object: about as much CPU as everything else on this path together.
:class:`DirectCommands` does for this one request exactly what Bolt would have done, and
no more:

* the request is already verified and read once (:class:`adapters.slack.inbound.
  SlackRequests` does both, signature first, before it gets here);
* anything Bolt treats specially goes to Bolt as before: an ``ssl_check``, a request
  Slack marks as a retry (``X-Slack-Retry-Num``), a command that is not ours, or a body
  without the fields a slash command always has;
* the listener is the same :meth:`adapters.slack.listeners.SlackListeners.on_command`
  Bolt would call, with the same arguments, and it keeps Slack's three-second rule itself
  (it acknowledges empty-handed and replies through ``response_url`` when the core is
  slow);
* the acknowledgement has the body Bolt's ``ack()`` would give (``text``, ``blocks``,
  ``response_type``; an empty 200 for a bare ``ack()``).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from aiohttp import web

#: The listener Bolt would call for a slash command: ``(ack, command)``.
CommandListener = Callable[..., Awaitable[None]]

#: Headers Bolt reads on the way to a listener; a request carrying one goes through Bolt.
RETRY_HEADER = "X-Slack-Retry-Num"
#: Fields every slash command Slack sends carries (https://docs.slack.dev/interactivity/
#: implementing-slash-commands/); a body without them is left to Bolt's matchers.
COMMAND_FIELDS = ("command", "team_id", "user_id", "response_url")

_JSON = "application/json"


class Acknowledgement:
    """The ``ack`` a listener calls: remembers what it was given, as Bolt's would."""

    def __init__(self) -> None:
        self.called = False
        self.body: dict[str, Any] = {}

    async def __call__(
        self,
        text: str = "",
        blocks: Sequence[Mapping[str, Any]] | None = None,
        response_type: str | None = None,
    ) -> None:
        """Acknowledge, with a first reply when ``blocks`` or ``text`` are given."""
        self.called = True
        body: dict[str, Any] = {"text": text}
        if response_type:
            body["response_type"] = response_type
        if blocks:
            body["blocks"] = list(blocks)
        self.body = body

    def response(self) -> web.Response:
        """The HTTP answer: Bolt's, for what ``ack`` was called with."""
        if not self.called:
            raise RuntimeError("the slash command listener returned without acknowledging")
        if len(self.body) == 1 and not self.body["text"]:
            return web.Response(status=200, text="")
        if len(self.body) == 1:
            return web.Response(status=200, text=self.body["text"])
        encoded = json.dumps(self.body, ensure_ascii=False, separators=(",", ":"))
        return web.Response(status=200, body=encoded.encode("utf-8"), content_type=_JSON)


class DirectCommands:
    """Slash commands answered by their listener without Bolt, by command name."""

    def __init__(self, listeners: Mapping[str, CommandListener]) -> None:
        self._listeners = dict(listeners)

    def takes(self, payload: Mapping[str, Any], headers: Mapping[str, str]) -> bool:
        """True for a plain slash command of ours; everything else is Bolt's."""
        if payload.get("command") not in self._listeners or "ssl_check" in payload:
            return False
        if RETRY_HEADER in headers:
            return False
        return all(isinstance(payload.get(name), str) for name in COMMAND_FIELDS)

    async def answer(self, payload: dict[str, Any]) -> web.Response:
        """Run the command's listener and answer with its acknowledgement."""
        ack = Acknowledgement()
        await self._listeners[payload["command"]](ack, payload)
        return ack.response()
