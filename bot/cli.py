"""The ``ai-choice`` command line, and the composition root.

This is the one module that knows both the core and the front ends: it builds the store,
the conversation and the web server, and mounts each adapter's routes.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import json
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from bot.content import ContentError, load_content
from bot.conversation import Conversation
from bot.faq import build_report
from bot.faq_matcher import FaqMatcher, Match
from bot.faq_situations import SituationNotes
from bot.logging_setup import configure_logging
from bot.redis_connect import connect
from bot.server import Mount, build_app
from bot.settings import Settings
from bot.store import StateStore

log = logging.getLogger("ai_choice")


def _front_end_mounts(
    conversation: Conversation, store: StateStore, settings: Settings
) -> list[Mount]:
    """Every front end's routes. Each adapter decides from the settings whether it is on."""
    mounts: list[Mount] = []
    from adapters.slack import slack_mount

    mounts.append(slack_mount(conversation, store, settings))
    from adapters.teams import teams_mount

    mounts.append(teams_mount(conversation, store, settings))
    return mounts


async def _serve(settings: Settings) -> None:
    from aiohttp import web

    content = load_content()
    connection = connect(settings)
    store = StateStore(connection.client, prefix=settings.key_prefix)
    conversation = Conversation(content, store, poll_secret=settings.poll_key())
    app = build_app(store, _front_end_mounts(conversation, store, settings))
    # No access log: the metrics middleware already counts and times every platform
    # request, and a log line per request costs more than the answer itself.
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    # Everything loaded so far lives as long as the process: keep it out of the garbage
    # collector's full passes, which otherwise add tens of milliseconds to unlucky requests.
    gc.freeze()
    log.info(
        "serving on http://%s:%s (state: %s)", settings.host, settings.port, connection.description
    )
    # Poll deadlines: every replica sweeps; each close is claimed once in Redis. A server
    # that was down at a deadline closes the poll on its first sweep.
    sweeper = asyncio.create_task(conversation.polls.run_sweeper())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    log.info("shutting down: finishing requests in flight")
    sweeper.cancel()
    await runner.cleanup()
    await conversation.polls.drain()
    await connection.close()


def _cmd_serve(_args: argparse.Namespace) -> int:
    asyncio.run(_serve(Settings.from_env()))
    return 0


def _cmd_chat(_args: argparse.Namespace) -> int:
    from adapters.console.chat import run_chat

    settings = Settings.from_env()
    return asyncio.run(run_chat(settings, sys.stdin, sys.stdout, user=getpass.getuser()))


def _match_json(match: Match) -> dict[str, Any]:
    entry = match.entry
    return {
        "answered": match.answered,
        "id": entry.id if entry else None,
        "question": entry.question if entry else None,
        "answer": entry.answer if entry else None,
        "score": round(match.score, 4),
        "suggestions": [
            {"id": s.entry.id, "question": s.entry.question, "score": round(s.score, 4)}
            for s in match.suggestions
        ],
    }


def _match_text(match: Match, content_unknown: str, unsure: str, note: str = "") -> str:
    if match.answered and match.entry is not None:
        # One answer per line (the ask contract): a situation note follows on the same line.
        return f"{match.entry.answer} {note}" if note else match.entry.answer
    if match.suggestions:
        options = "; ".join(s.entry.question for s in match.suggestions)
        return f"{unsure} {options}"
    return content_unknown


def _cmd_ask(args: argparse.Namespace) -> int:
    content = load_content()
    matcher = FaqMatcher(content.faq)
    notes = SituationNotes(content.faq)
    strings = content.strings

    def answer(question: str, out: TextIO) -> None:
        match = matcher.match(question)
        if args.json:
            out.write(json.dumps(_match_json(match), ensure_ascii=False) + "\n")
        else:
            note = notes.note(question, match.entry.id) if match.entry else ""
            out.write(_match_text(match, strings.faq_unknown, strings.faq_unsure, note) + "\n")

    if args.question:
        answer(" ".join(args.question), sys.stdout)
        return 0
    for line in sys.stdin:
        if line.strip():
            answer(line.strip(), sys.stdout)
            sys.stdout.flush()
    return 0


async def _faq_report(settings: Settings, limit: int, as_json: bool) -> str:
    content = load_content()
    connection = connect(settings)
    try:
        store = StateStore(connection.client, prefix=settings.key_prefix)
        report = await build_report(store, content.faq, limit)
    finally:
        await connection.close()
    if as_json:
        return json.dumps(report.as_json(), ensure_ascii=False, indent=2)
    return report.as_text()


def _cmd_faq_report(args: argparse.Namespace) -> int:
    print(asyncio.run(_faq_report(Settings.from_env(), args.limit, args.json)))
    return 0


def _cmd_content_check(_args: argparse.Namespace) -> int:
    try:
        content = load_content()
    except ContentError as exc:
        print(f"content error: {exc}", file=sys.stderr)
        return 1
    print("content OK")
    for name, count in content.counts().items():
        print(f"  {name}: {count}")
    return 0


def _cmd_teams_package(args: argparse.Namespace) -> int:
    from adapters.teams.package import PackageError, build_package

    try:
        out = build_package(args.app_id, args.out, extra_domains=tuple(args.domain))
    except PackageError as exc:
        print(f"teams-package: {exc}", file=sys.stderr)
        return 2
    print(out)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="ai-choice",
        description="AI Choice: help your team choose open source, closed source or hybrid AI, "
        "in Slack, Microsoft Teams or a terminal.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run the HTTP server (Slack, Teams, health, metrics)",
        description="Run the HTTP server for Slack (/slack/events) and Teams (/api/messages), "
        "with /healthz, /readyz and /metrics. Settings come from the environment (README).",
    )
    serve.set_defaults(handler=_cmd_serve)

    chat = commands.add_parser(
        "chat",
        help="the same conversation in a terminal (reads piped stdin too)",
        description="Talk to AI Choice in a terminal: answer with an option's number or its "
        "text, ask a question, or type menu, start, back, restart, compare, help. "
        "Works with answers piped on stdin.",
    )
    chat.set_defaults(handler=_cmd_chat)

    ask = commands.add_parser(
        "ask",
        help="answer one FAQ question (or one per stdin line)",
        description="Answer a question about open vs closed source AI. With no QUESTION, "
        "answers one question per line of stdin, one answer per line.",
    )
    ask.add_argument("question", nargs="*", help="the question (omit to read stdin)")
    ask.add_argument("--json", action="store_true", help="print a JSON object per answer")
    ask.set_defaults(handler=_cmd_ask)

    content = commands.add_parser(
        "content", help="content tools", description="Tools for the YAML in content/."
    )
    content_commands = content.add_subparsers(dest="content_command", required=True)
    check = content_commands.add_parser(
        "check",
        help="validate content/ and print counts",
        description="Validate every content file; exit 1 naming the file, entry and field on "
        "the first error.",
    )
    check.set_defaults(handler=_cmd_content_check)

    faq = commands.add_parser(
        "faq", help="FAQ tools", description="Tools for improving the FAQ from real use."
    )
    faq_commands = faq.add_subparsers(dest="faq_command", required=True)
    report = faq_commands.add_parser(
        "report",
        help="unanswered / low-confidence / most-downvoted questions",
        description="What an editor works through, most frequent first: questions the bot "
        "could not answer, matches it was unsure of, and the answers people marked not "
        "helpful. Reads the Redis the settings point at (README).",
    )
    report.add_argument("--limit", type=int, default=50, help="rows per list (default 50)")
    report.add_argument("--json", action="store_true", help="print the report as JSON")
    report.set_defaults(handler=_cmd_faq_report)

    teams_package = commands.add_parser(
        "teams-package",
        help="build the Microsoft Teams app package (zip)",
        description="Build the Teams app package from deploy/teams/: manifest.json with the "
        "bot's Microsoft App ID filled in, and the colour and outline icons (docs/teams.md).",
    )
    teams_package.add_argument("--app-id", required=True, help="the bot's Microsoft App ID")
    teams_package.add_argument("--out", required=True, type=Path, help="the zip file to write")
    teams_package.add_argument(
        "--domain",
        action="append",
        default=[],
        help="a domain to add to validDomains, e.g. the bot's host (repeatable)",
    )
    teams_package.set_defaults(handler=_cmd_teams_package)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ai-choice`` console script."""
    configure_logging()
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except ContentError as exc:
        print(f"content error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
