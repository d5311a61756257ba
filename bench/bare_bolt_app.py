"""The baseline: a bare slack-bolt ``AsyncApp`` on aiohttp that does as little as Bolt allows.

``bench/run.py`` runs it as its own subprocess and loads it exactly like our server, to
see what Bolt, aiohttp and Python cost before any of our code runs:

* (1a) a slash command is only acknowledged (empty 200);
* (1b) a button press is acknowledged, then one ephemeral reply is posted to the
  press's ``response_url`` with Bolt's ``respond`` (as our vote confirmation is).

Request verification is Bolt's own (on, as in any real app); the Web API client points at
the stand-ins (``--api-url``), so Bolt's one ``auth.test`` lands there too. It never
touches Redis. ``GET /healthz`` answers 200 so the bench can wait for it.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient


def build_app(signing_secret: str, token: str, api_url: str) -> web.Application:
    """The aiohttp application: Bolt on ``POST /slack/events`` plus ``GET /healthz``."""
    client = AsyncWebClient(token=token, base_url=api_url.rstrip("/") + "/")
    bolt = AsyncApp(signing_secret=signing_secret, token=token, client=client)

    @bolt.command(re.compile(r"^/.+"))
    async def acknowledge_command(ack: AsyncAck) -> None:
        """(1a): acknowledge and nothing else."""
        await ack()

    @bolt.action(re.compile(r".*"))
    async def acknowledge_and_respond(ack: AsyncAck, respond: AsyncRespond, body: Any) -> None:
        """(1b): acknowledge, then one private reply through ``response_url``."""
        await ack()
        if body.get("response_url"):
            await respond(text="Thanks, noted.", response_type="ephemeral", replace_original=False)

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app: web.Application = bolt.web_app(path="/slack/events")
    app.router.add_get("/healthz", healthz)
    return app


def main() -> None:
    """Serve the bare app on ``--host``/``--port`` until killed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--signing-secret", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--api-url", required=True, help="the Web API stand-in's /api/ URL")
    args = parser.parse_args()
    app = build_app(args.signing_secret, args.token, args.api_url)
    web.run_app(app, host=args.host, port=args.port, access_log=None, print=lambda *_: None)


if __name__ == "__main__":
    main()
