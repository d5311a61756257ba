"""The terminal front end as the core sees it: the ``ai-choice chat`` subcommand."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from bot.front_ends import FrontEnd


class ConsoleFrontEnd(FrontEnd):
    """The conversation in a terminal; it serves no route."""

    platform = "console"

    def describe(self) -> str:
        return "The terminal chat serves no route: run `ai-choice chat`"

    def add_commands(self, commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        chat = commands.add_parser(
            "chat",
            help="the same conversation in a terminal (reads piped stdin too)",
            description="Talk to AI Choice in a terminal: answer with an option's number, its "
            "text or part of it, ask a question, or type menu, start, back, restart, why, "
            "compare, help. Works with answers piped on stdin.",
        )
        chat.set_defaults(handler=_chat)


def _chat(_args: argparse.Namespace) -> int:
    from adapters.console.chat import run_chat
    from bot.settings import Settings

    return asyncio.run(run_chat(Settings.from_env(), sys.stdin, sys.stdout, getpass.getuser()))
