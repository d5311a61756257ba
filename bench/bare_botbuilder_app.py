"""The Teams baseline: a stock botbuilder ``CloudAdapter`` bot that answers any message
with one small Adaptive Card.

``bench/run.py`` runs it as its own subprocess and loads it exactly like our server's
``/api/messages``, to see what botbuilder, aiohttp and Python cost before any of our code
runs. No credentials (``MicrosoftAppId`` empty: botbuilder then validates nothing, as the
Bot Framework Emulator expects), the reply goes to the activity's ``serviceUrl`` (the
bench's connector stand-in) through botbuilder's own connector client, and
``CloudAdapter.process`` answers the HTTP request once the turn (and so the reply) is
done, as stock botbuilder does. ``GET /healthz`` answers 200 so the bench can wait for it.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from botbuilder.core import ActivityHandler, CardFactory, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

#: The one card every message gets: about the size of an FAQ answer's text.
CARD: dict[str, Any] = {
    "type": "AdaptiveCard",
    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
    "version": "1.5",
    "body": [
        {"type": "TextBlock", "text": "Thanks", "weight": "Bolder", "size": "Medium"},
        {"type": "TextBlock", "text": "Noted. Here is a short answer.", "wrap": True},
    ],
}


@dataclass(frozen=True)
class _NoCredentials:
    """The configuration attributes botbuilder reads: no app id, so no authentication."""

    APP_ID: str = ""
    APP_PASSWORD: str = ""
    APP_TYPE: str = "MultiTenant"
    APP_TENANTID: str = ""


class CardBot(ActivityHandler):  # type: ignore[misc]
    """Answers every message with :data:`CARD`."""

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(CARD)))


def build_app() -> web.Application:
    """``POST /api/messages`` through ``CloudAdapter.process``, plus ``GET /healthz``."""
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(_NoCredentials()))
    bot = CardBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        response: web.StreamResponse = await adapter.process(request, bot)
        return response

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    return app


def main() -> None:
    """Serve the bare bot on ``--host``/``--port`` until killed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web.run_app(build_app(), host=args.host, port=args.port, access_log=None, print=lambda *_: None)


if __name__ == "__main__":
    main()
