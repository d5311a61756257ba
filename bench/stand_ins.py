"""Everything the servers under test talk to, in one process: Slack and the Bot Connector.

Run by ``bench/run.py`` as its own subprocess (``python bench/stand_ins.py --port N``), so
its CPU time is not charged to the load generator or to the server being measured. It
plays:

* Slack's Web API at ``/api/<method>``: ``auth.test`` ok, ``chat.postMessage`` with a
  ``ts``, ``users.info`` a user with a time zone who is not an admin, anything else ok;
* interactions' ``response_url`` at ``POST /response/<name>``: ``ok``;
* the Bot Connector at ``/v3/conversations/...``: ``{"id": "1"}``.

Unlike the test stand-ins it keeps no history (a soak would grow it): only a count per
kind of call, and the last body of each kind, which the bench reads at ``GET /stats`` to
check that replies really arrived and to find the poll it started.
"""

from __future__ import annotations

import argparse
import itertools
import json
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

#: What ``auth.test`` says about the bot (the same identity as the test payloads).
AUTH_TEST: dict[str, Any] = {
    "ok": True,
    "url": "https://example.slack.com/",
    "team": "Example",
    "user": "ai-choice",
    "team_id": "T0001",
    "user_id": "UBOT0001",
    "bot_id": "BBOT0001",
    "is_enterprise_install": False,
}


class StandIns:
    """The stand-ins' routes, call counters and last bodies."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.last: dict[str, Any] = {}
        self._ts = itertools.count(1)

    def app(self) -> web.Application:
        """The aiohttp application with every stand-in route."""
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{name}", self._response_url)
        app.router.add_route("*", "/v3/conversations/{tail:.*}", self._connector)
        app.router.add_get("/stats", self._stats)
        app.router.add_get("/healthz", self._healthz)
        return app

    def _record(self, kind: str, body: Any) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        self.last[kind] = body

    @staticmethod
    async def _body(request: web.Request) -> dict[str, Any]:
        """The call's arguments: JSON or form body, plus query parameters."""
        text = await request.text()
        body: dict[str, Any] = dict(request.query)
        if not text:
            return body
        if request.content_type == "application/json":
            value = json.loads(text)
            body.update(value if isinstance(value, dict) else {"_": value})
        else:
            body.update(parse_qsl(text, keep_blank_values=True))
        return body

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await self._body(request)
        self._record(f"api:{method}", body)
        if method == "auth.test":
            return web.json_response(AUTH_TEST)
        if method in ("chat.postMessage", "chat.postEphemeral"):
            ts = f"1700009999.{next(self._ts):06d}"
            return web.json_response({"ok": True, "channel": body.get("channel"), "ts": ts})
        if method == "chat.update":
            return web.json_response({"ok": True, "channel": body.get("channel"), "ts": body["ts"]})
        if method == "users.info":
            user = str(body.get("user") or "U0")
            return web.json_response(
                {
                    "ok": True,
                    "user": {
                        "id": user,
                        "name": user.lower(),
                        "real_name": f"Bench {user}",
                        "tz": "Europe/London",
                        "is_admin": False,
                        "is_owner": False,
                        "is_primary_owner": False,
                        "profile": {"display_name": f"bench-{user.lower()}"},
                    },
                }
            )
        if method == "conversations.open":
            return web.json_response({"ok": True, "channel": {"id": f"D{body.get('users')}"}})
        return web.json_response({"ok": True})

    async def _response_url(self, request: web.Request) -> web.Response:
        self._record("response_url", await self._body(request))
        return web.Response(text="ok")

    async def _connector(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else {}
        self._record("connector", body)
        return web.json_response({"id": "1"})

    async def _stats(self, _request: web.Request) -> web.Response:
        return web.json_response({"counts": self.counts, "last": self.last})

    async def _healthz(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})


def main() -> None:
    """Serve the stand-ins on ``--host``/``--port`` until killed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web.run_app(
        StandIns().app(), host=args.host, port=args.port, access_log=None, print=lambda *_: None
    )


if __name__ == "__main__":
    main()
