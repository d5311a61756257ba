"""A front end the core has never heard of plugs in through an entry point alone.

``tests/data/echo_front_end`` holds a toy front end and the installed-distribution metadata
that registers it; putting that folder on ``PYTHONPATH`` is all it takes. Nothing in
``bot/`` is edited: ``ai-choice serve`` finds it, serves the questionnaire over its route
with the request id, metrics and 500 guard every front end gets, and ``ai-choice --help``
lists the subcommand it adds.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from bot.content import Content
from tests.net import free_port, wait_ready

ECHO = Path(__file__).resolve().parents[1] / "data" / "echo_front_end"


def echo_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ECHO), env.get("PYTHONPATH", "")) if p)
    env.update(extra)
    return env


def post(port: int, body: dict[str, Any]) -> tuple[int, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/echo/messages",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def metric(port: int, name: str, **labels: str) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    for line in text.splitlines():
        if line.startswith(name + "{"):
            found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
            if all(found.get(k) == v for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.fixture
def echo_server(redis_url: str, tmp_path: Path) -> Iterator[int]:
    """``ai-choice serve`` with the echo front end on PYTHONPATH and switched on."""
    port = free_port()
    prefix = f"test:echo:{uuid.uuid4().hex[:8]}"
    env = echo_env(
        ECHO_ENABLED="1",
        HOST="127.0.0.1",
        PORT=str(port),
        REDIS_URL=redis_url,
        AI_CHOICE_KEY_PREFIX=prefix,
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_ready(port) == 200, "the server with the echo front end never got ready"
        yield port
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=20)
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
        client.close()
    assert server.returncode == 0, stderr
    for line in stderr.splitlines():
        assert "Traceback" not in line or "failed on purpose" in line, line


def test_a_front_end_registered_by_entry_point_serves_the_questionnaire(
    echo_server: int, content: Content
) -> None:
    port = echo_server
    status, replies = post(port, {"user": "ada", "text": "start"})
    assert status == 200
    assert [r["kind"] for r in replies] == ["quiz.question"]
    first_question = content.questionnaire.questions[0]
    assert first_question.text in replies[0]["text"]
    option = replies[0]["buttons"][0]
    status, replies = post(port, {"user": "ada", "press": option})
    assert status == 200
    assert content.questionnaire.questions[1].text in replies[0]["text"]
    assert metric(port, "aic_requests_total", platform="echo", kind="message") == 1
    assert metric(port, "aic_requests_total", platform="echo", kind="press") == 1
    assert metric(port, "aic_ack_seconds_count", platform="echo") == 2


def test_a_failing_front_end_handler_gets_the_500_guard(echo_server: int) -> None:
    status, body = post(echo_server, {"user": "ada", "crash": True})
    assert status == 500
    assert body == {"error": "internal error"}
    assert metric(echo_server, "aic_errors_total", platform="echo", where="server") == 1
    assert metric(echo_server, "aic_requests_total", platform="echo", kind="unverified") == 1


def test_the_front_end_adds_its_subcommand_and_its_variables() -> None:
    env = echo_env()
    shown = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--help"], env=env, capture_output=True, text=True
    )
    assert "echo-hello" in shown.stdout
    said = subprocess.run(
        [sys.executable, "-m", "bot.cli", "echo-hello"], env=env, capture_output=True, text=True
    )
    assert said.returncode == 0 and said.stdout.strip() == "hello from the echo front end"
    listed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from bot.front_ends import all_variables, discover;"
            "print(' '.join(v.name for v in all_variables(discover({}))))",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert "ECHO_ENABLED" in listed.stdout.split()


def test_without_its_entry_point_the_core_knows_no_echo() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--help"],
        env=echo_env(PYTHONPATH=""),
        capture_output=True,
        text=True,
    )
    assert shown.returncode == 0 and "echo-hello" not in shown.stdout
