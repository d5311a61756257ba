"""A toy third front end, for tests: JSON in, the core's replies as plain JSON out.

It lives outside ``adapters/`` and registers itself only through its own entry point
(``echo_front_end-0.1.dist-info/entry_points.txt`` beside it), the way a front end shipped
in another distribution would; nothing in ``bot/`` knows it.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import Any

from aiohttp import web

from bot.core import Core
from bot.events import Actor, ButtonPress, Event, Message
from bot.front_ends import REQUEST_KIND, FrontEnd, Route, Variable


class EchoFrontEnd(FrontEnd):
    """Serves ``POST /echo/messages``: ``{"user", "text"}`` or ``{"user", "press"}``."""

    platform = "echo"
    variables = (Variable("ECHO_ENABLED", "1 turns the echo front end on"),)
    request_kinds = frozenset({"message", "press"})

    def __init__(self, env: Mapping[str, str]) -> None:
        self.on = env.get("ECHO_ENABLED") == "1"
        self.core: Core | None = None

    @property
    def enabled(self) -> bool:
        return self.on

    def attach(self, core: Core) -> Sequence[Route]:
        self.core = core
        return (Route("POST", "/echo/messages", self.handle),)

    async def handle(self, request: web.Request) -> web.Response:
        assert self.core is not None
        body = await request.json()
        if body.get("crash"):
            raise RuntimeError("the echo front end failed on purpose")
        actor = Actor(self.platform, "local", "room", str(body["user"]))
        event: Event
        if "press" in body:
            REQUEST_KIND.set("press")
            event = ButtonPress(actor, body["press"]["action"], body["press"]["value"])
        else:
            REQUEST_KIND.set("message")
            event = Message(actor, str(body["text"]))
        replies = await self.core.conversation.handle(event)
        return web.json_response([_plain(reply) for reply in replies])

    def add_commands(self, commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        hello = commands.add_parser("echo-hello", help="say hello from the echo front end")
        hello.set_defaults(handler=_hello)


def _plain(reply: Any) -> dict[str, Any]:
    buttons = [
        {"label": c.label, "action": str(c.action), "value": c.value}
        for c in (*reply.choices, *reply.controls)
    ]
    return {"kind": str(reply.kind), "text": reply.all_text(), "buttons": buttons}


def _hello(_args: argparse.Namespace) -> int:
    print("hello from the echo front end")
    return 0
