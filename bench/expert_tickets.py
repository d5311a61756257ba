"""Ask an expert through the Slack HTTP endpoint: how long routing takes, what a ticket costs.

Runs the real web app with the Slack mount on a local port, Slack's Web API played by the
test suite's stand-in on another, and for each of N tickets: a person presses "Ask an
expert" under a declined answer (a signed ``block_actions``), then an expert submits the
answer modal (a signed ``view_submission``). Prints:

- routing: from sending the press to the ticket's card reaching the experts' channel
  (``chat.postMessage`` at the stand-in), p50 / p99;
- answering: from sending the submission to the answer reaching the asker, p50 / p99;
- Redis bytes per ticket: ``MEMORY USAGE`` of each ticket's hash and of its
  "asked already" claim, plus the open set's share, averaged;
- a learned entry's bytes, and how long a replica takes to rebuild its learned index with
  50 and 500 learned entries.

    .venv/bin/python bench/expert_tickets.py [--tickets 200] [--json]

``REDIS_URL`` picks the server (keys go under a prefix of their own and are deleted
afterwards); without it an embedded Valkey server is started. Everything shares one
process and one event loop, so the figures are a floor for one core.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make bot/, adapters/ and tests/ importable

import aiohttp  # noqa: E402

from adapters.slack.forms import FORM_CALLBACK, FORM_INPUT  # noqa: E402
from bench.poll_votes import bench_redis, signed, slack_bench  # noqa: E402
from bot.expert_tickets import OPEN_SET  # noqa: E402
from bot.experts import ANSWER_FIELD  # noqa: E402
from bot.faq_learned import ENTRIES, MAX_LEARNED_PER_WORKSPACE, LearnedIndex  # noqa: E402
from bot.replies import Action  # noqa: E402
from tests.slack.slack_stand_in import PAYLOADS, SlackStandIn  # noqa: E402

TEAM, EXPERTS, GENERAL, EXPERT = "T0001", "C0EXPERTS1", "C2147483705", "U0EXPERT1"


def press(n: int, stand_in: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads((PAYLOADS / "block_actions.json").read_text())
    payload["user"] = {"id": f"U{n:08d}", "username": f"person{n}", "team_id": TEAM}
    payload["container"] = {
        "type": "message",
        "message_ts": f"1700000000.{n:06d}",
        "channel_id": GENERAL,
        "is_ephemeral": False,
    }
    payload["response_url"] = f"{stand_in}/response/asked-{n}"
    payload["actions"][0].update(
        action_id=f"{Action.EXPERT_ASK.value}|0",
        value=f"Question number {n}: do we have a company subscription to ChatGPT?",
    )
    return payload


def submission(ticket_id: str, n: int) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": EXPERT, "username": "expert", "team_id": TEAM},
        "view": {
            "type": "modal",
            "callback_id": FORM_CALLBACK,
            "private_metadata": json.dumps(
                {"a": Action.EXPERT_SUBMIT.value, "v": ticket_id, "c": EXPERTS, "t": ""}
            ),
            "state": {
                "values": {
                    ANSWER_FIELD: {
                        FORM_INPUT: {"type": "plain_text_input", "value": f"Answer {n}."}
                    }
                }
            },
        },
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def wait_for(check: Any) -> Any:
    while True:
        found = check()
        if found:
            return found
        await asyncio.sleep(0.0005)


def posted_to(slack: SlackStandIn, channel: str) -> list[Any]:
    """The ``chat.postMessage`` calls the stand-in got for ``channel``, oldest first."""
    return [c for c in slack.api_calls("chat.postMessage") if c.body["channel"] == channel]


async def run(url: str, tickets: int) -> dict[str, Any]:
    async with slack_bench(url) as bench, aiohttp.ClientSession() as http:
        return await measure(
            bench.conversation, bench.slack, bench.bot_url, bench.client, http, tickets
        )


async def measure(
    conversation: Any, slack: SlackStandIn, bot_url: str, client: Any, http: Any, tickets: int
) -> dict[str, Any]:
    store, content = conversation.store, conversation.content
    slack.members[EXPERTS] = [EXPERT]
    slack.users[EXPERT] = {"id": EXPERT, "profile": {"display_name": "expert"}}
    await store.put_json("experts", "place", "slack", TEAM, value={"channel": EXPERTS})
    routing: list[float] = []
    answering: list[float] = []
    ticket_bytes: list[int] = []

    async def send(payload: dict[str, Any]) -> None:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        async with http.post(f"{bot_url}/slack/events", data=body, headers=signed(body)):
            pass

    for n in range(tickets):
        cards = len(posted_to(slack, EXPERTS))
        started = time.perf_counter()
        await send(press(n, slack.url))
        await wait_for(lambda c=cards: len(posted_to(slack, EXPERTS)) > c)
        routing.append(time.perf_counter() - started)
        card = posted_to(slack, EXPERTS)[-1]
        ticket_id = next(
            e["value"]
            for b in card.body["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"].startswith(Action.EXPERT_ANSWER.value)
        )
        ticket_bytes.append(
            int(
                await client.memory_usage(store.key("experts", "{experts}", "ticket", ticket_id))
                or 0
            )
        )
        answers = len(posted_to(slack, GENERAL))
        started = time.perf_counter()
        await send(submission(ticket_id, n))
        await wait_for(lambda a=answers: len(posted_to(slack, GENERAL)) > a)
        answering.append(time.perf_counter() - started)
    claim_keys = [k async for k in client.scan_iter(match=store.key("experts", "asked", "*"))]
    claim_bytes = statistics.mean([int(await client.memory_usage(k) or 0) for k in claim_keys])
    # The open set's share per ticket: asked and not answered, a set of `tickets` members.
    for n in range(tickets):
        await client.zadd(store.key(*OPEN_SET), {f"{n:012x}": time.time()})
    open_share = int(await client.memory_usage(store.key(*OPEN_SET)) or 0) / tickets
    learned = conversation.experts.learned
    rebuild: dict[str, float] = {}
    entry_bytes = 0.0
    for count in (50, 500):
        while len(await learned.all()) < count:
            n = len(await learned.all())
            await learned.add(
                f"Learned question {n} about our vendor contract number {n}?",
                f"Learned answer {n}: ask procurement about contract {n}.",
                expert=EXPERT,
                expert_name="expert",
                platform="slack",
                # A workspace keeps at most MAX_LEARNED_PER_WORKSPACE: spread them out.
                workspace=f"{TEAM}-{n // MAX_LEARNED_PER_WORKSPACE}",
            )
        entry_bytes = int(await client.memory_usage(store.key(*ENTRIES)) or 0) / count
        index = LearnedIndex(content, learned)
        started = time.perf_counter()
        await index.refresh()
        rebuild[str(count)] = time.perf_counter() - started
    return {
        "tickets": tickets,
        "routing_ms": {
            "p50": percentile(routing, 0.5) * 1000,
            "p99": percentile(routing, 0.99) * 1000,
        },
        "answer_ms": {
            "p50": percentile(answering, 0.5) * 1000,
            "p99": percentile(answering, 0.99) * 1000,
        },
        "ticket_hash_bytes": statistics.mean(ticket_bytes),
        "asked_claim_bytes": claim_bytes,
        "open_set_bytes_per_ticket": open_share,
        "learned_entry_bytes": entry_bytes,
        "learned_index_rebuild_ms": {k: v * 1000 for k, v in rebuild.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with bench_redis() as url:
        result = asyncio.run(run(url, args.tickets))
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"tickets: {result['tickets']}")
    routing, answer = result["routing_ms"], result["answer_ms"]
    print(f"routing (press → card in the experts' channel): p50 {routing['p50']:.1f} ms, ", end="")
    print(f"p99 {routing['p99']:.1f} ms")
    print(f"answering (modal sent → answer at the asker): p50 {answer['p50']:.1f} ms, ", end="")
    print(f"p99 {answer['p99']:.1f} ms")
    total = (
        result["ticket_hash_bytes"]
        + result["asked_claim_bytes"]
        + result["open_set_bytes_per_ticket"]
    )
    print(f"Redis per ticket: hash {result['ticket_hash_bytes']:.0f} B", end="")
    print(f" + asked-claim {result['asked_claim_bytes']:.0f} B", end="")
    print(f" + open-set share {result['open_set_bytes_per_ticket']:.0f} B = {total:.0f} B")
    print(f"Redis per learned entry: {result['learned_entry_bytes']:.0f} B")
    rebuild = result["learned_index_rebuild_ms"]
    print(f"learned index rebuild: 50 entries {rebuild['50']:.0f} ms, ", end="")
    print(f"500 entries {rebuild['500']:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
