"""The real web application for tests: the core's server with the front ends given.

Tests build the app the way ``ai-choice serve`` does (:func:`bot.core.build_web_app`), on
the test's own store and conversation, with the front ends they name.
"""

from __future__ import annotations

from aiohttp import web

from bot.conversation import Conversation
from bot.core import Core, build_web_app
from bot.front_ends import FrontEnd
from bot.settings import Settings
from bot.store import StateStore


def web_app(
    conversation: Conversation, store: StateStore, *front_ends: FrontEnd
) -> web.Application:
    """The server ``serve`` would run, with only ``front_ends`` plugged in."""
    core = Core(Settings(), conversation.content, store, conversation)
    return build_web_app(core, front_ends)
