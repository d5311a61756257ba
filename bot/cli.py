"""The ``ai-choice`` command line.

The core's commands are here; each front end adds its own (a terminal chat, an app package)
through :meth:`bot.front_ends.FrontEnd.add_commands`. The core itself is built in one
place, :mod:`bot.core`.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from bot.logging_setup import configure_logging
from bot.settings import Settings

# Everything heavier is imported where it is used: `ask` and `chat` must start quickly and
# need neither the web server, the chat SDKs nor the metrics.
if TYPE_CHECKING:
    from bot.faq_matcher import Match
    from bot.front_ends import FrontEnd

log = logging.getLogger("ai_choice")

#: Commands a person types at and reads in a terminal: they log warnings only, unless -v.
INTERACTIVE_COMMANDS = frozenset({"chat", "ask"})
#: The core's own commands that need no front end: their parser is built without
#: discovering any (a one-shot ``ask`` must start quickly).
CORE_ONLY_COMMANDS = frozenset({"ask", "content", "faq"})


def _cmd_serve(_args: argparse.Namespace) -> int:
    from bot import event_loop
    from bot.core import serve
    from bot.front_ends import FrontEndError

    settings = Settings.from_env()
    try:
        loop = event_loop.chosen(settings.env)
        event_loop.run(serve(settings, loop_name=loop), loop)
    except (FrontEndError, event_loop.EventLoopError) as exc:
        print(f"serve: {exc}", file=sys.stderr)
        return 2
    return 0


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


def _load_embedder_in_background() -> threading.Thread:
    """Start loading the FAQ's embedding model (numpy, the tokenizer) in a thread.

    Reading the tokenizer runs mostly outside the GIL, so it overlaps with loading the
    content; the matcher then finds the model already loaded (``default_embedder`` caches
    it, and a caller waits for a load already under way rather than starting another).
    """

    # Imports hold the GIL: do them here, so the thread's work is the part that does not.
    import tokenizers  # noqa: F401

    from bot.faq_semantic import default_embedder

    def load() -> None:
        default_embedder()

    thread = threading.Thread(target=load, name="load-faq-model", daemon=True)
    thread.start()
    return thread


def _cmd_ask(args: argparse.Namespace) -> int:
    _load_embedder_in_background()
    from bot.content import load_faq_content
    from bot.faq_matcher import FaqMatcher
    from bot.faq_situations import SituationNotes
    from bot.limits import MAX_QUESTION_CHARS, too_long

    # Only the FAQ and the strings: no store (nothing is counted from the terminal), no
    # questionnaire, polls or comparison.
    faq, strings = load_faq_content()

    matcher = FaqMatcher(faq)
    notes = SituationNotes(faq)

    def answer(question: str, out: TextIO) -> None:
        if too_long(question, MAX_QUESTION_CHARS):
            text = strings.question_too_long.format(max=f"{MAX_QUESTION_CHARS:,}")
            refusal = {"answered": False, "too_long": True, "message": text}
            out.write((json.dumps(refusal, ensure_ascii=False) if args.json else text) + "\n")
            return
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
    from bot.content import load_content
    from bot.expert_tickets import TicketStore
    from bot.faq import build_report
    from bot.redis_connect import connect
    from bot.store import StateStore

    content = load_content()
    connection = connect(settings)
    try:
        store = StateStore(connection.client, prefix=settings.key_prefix)
        report = await build_report(store, content.faq, limit)
        tickets = await TicketStore(store).counts()
    finally:
        await connection.close()
    if as_json:
        data = {**report.as_json(), "tickets": tickets.as_json()}
        return json.dumps(data, ensure_ascii=False, indent=2)
    return f"{report.as_text()}\n{tickets.as_text()}"


async def _faq_learned(settings: Settings, export: bool) -> str:
    """The learned entries as lines (``faq learned``) or as content (``export-learned``)."""
    from bot.faq_learned import LearnedStore, export_yaml
    from bot.redis_connect import connect
    from bot.store import StateStore

    connection = connect(settings)
    try:
        learned = LearnedStore(StateStore(connection.client, prefix=settings.key_prefix))
        entries = await learned.all()
        phrasings = await learned.phrasings()
    finally:
        await connection.close()
    if export:
        return export_yaml(entries, phrasings)
    lines = [f"Learned entries ({len(entries)}):"]
    for entry in entries:
        when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(entry.at))
        lines.append(f"  {entry.id}  {entry.question}")
        lines.append(f"      {entry.answer}")
        lines.append(
            f"      by {entry.expert_name or entry.expert} on {when} UTC "
            f"({entry.platform} {entry.workspace})"
        )
    added = sum(len(items) for items in phrasings.values())
    lines.append(f"Phrasings added by experts: {added}")
    lines += [
        f"  {entry_id}: {item.get('text', '')}"
        for entry_id, items in sorted(phrasings.items())
        for item in items
    ]
    return "\n".join(lines)


def _cmd_faq_learned(args: argparse.Namespace) -> int:
    import asyncio

    out = asyncio.run(_faq_learned(Settings.from_env(), args.export))
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 0


def _cmd_faq_report(args: argparse.Namespace) -> int:
    import asyncio

    print(asyncio.run(_faq_report(Settings.from_env(), args.limit, args.json)))
    return 0


def _cmd_content_check(_args: argparse.Namespace) -> int:
    from bot.content import ContentError, load_content

    try:
        content = load_content()
    except ContentError as exc:
        print(f"content error: {exc}", file=sys.stderr)
        return 1
    print("content OK")
    for name, count in content.counts().items():
        print(f"  {name}: {count}")
    return 0


def build_parser(front_ends: Sequence[FrontEnd] | None = None) -> argparse.ArgumentParser:
    """The argument parser for every subcommand, the front ends' included (the registered
    ones unless ``front_ends`` is given)."""
    if front_ends is None:
        from bot.front_ends import discover

        front_ends = discover(os.environ)
    parser = argparse.ArgumentParser(
        prog="ai-choice",
        description="AI Choice: help your team choose open source, closed source or hybrid AI, "
        "in your team chat or a terminal.",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log everything (info and above) to stderr"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # -v after the command too (`ai-choice chat -v`); SUPPRESS keeps a -v given before it.
    verbose = argparse.ArgumentParser(add_help=False)
    verbose.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="log everything (info and above) to stderr; chat and ask log only warnings without it",
    )

    serve = commands.add_parser(
        "serve",
        help="run the HTTP server (the chat platforms' routes, health, metrics)",
        description="Run the HTTP server: every front end's routes, with /healthz, /readyz "
        "and /metrics. Settings come from the environment (README).",
    )
    serve.set_defaults(handler=_cmd_serve)

    ask = commands.add_parser(
        "ask",
        parents=[verbose],
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
    learned = faq_commands.add_parser(
        "learned",
        help="the answers the team's experts added to the FAQ",
        description="Every learned entry (question, answer, the expert, when, where) and "
        "the phrasings experts attached to entries. Reads the Redis the settings point at.",
    )
    learned.set_defaults(handler=_cmd_faq_learned, export=False)
    export = faq_commands.add_parser(
        "export-learned",
        help="write the learned entries as content (content/learned.yaml)",
        description="Print the learned entries as a content file: "
        "ai-choice faq export-learned > content/learned.yaml, then ai-choice content check.",
    )
    export.set_defaults(handler=_cmd_faq_learned, export=True)

    for front_end in front_ends:
        front_end.add_commands(commands)
    for name, subparser in commands.choices.items():
        if name not in ("ask", "serve", "content", "faq") and not any(
            "--verbose" in action.option_strings for action in subparser._actions
        ):
            subparser.add_argument(
                "-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                help="log everything (info and above) to stderr",
            )  # fmt: skip
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ai-choice`` console script."""
    given = list(sys.argv[1:] if argv is None else argv)
    command = next((word for word in given if not word.startswith("-")), "")
    front_ends: Sequence[FrontEnd] | None = () if command in CORE_ONLY_COMMANDS else None
    args = build_parser(front_ends).parse_args(given)
    if args.command == "ask":
        # A one-shot command: what it builds lives until exit, so garbage collection
        # passes during start-up (imports, the FAQ index) are wasted time.
        gc.disable()
    quiet = args.command in INTERACTIVE_COMMANDS and not args.verbose
    configure_logging(logging.WARNING if quiet else logging.INFO)
    try:
        code: int = args.handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`ai-choice faq learned | head`): stop quietly, as Unix
        # tools do, and keep Python's exit-time flush from printing a traceback too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:
        # bot.content (and pydantic) is imported only when needed: `ask` starts its model
        # load before it.
        from bot.content import ContentError

        if not isinstance(exc, ContentError):
            raise
        print(f"content error: {exc}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
