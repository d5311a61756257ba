"""The whole Teams experience in Microsoft 365 Agents Playground (a local Teams client with
the real Adaptive Cards renderer), driven headless: the questionnaire, an FAQ answer and a
poll vote, with no button title cut off on any card.

Needs Node, the ``@microsoft/m365agentsplayground`` and ``playwright-core`` npm packages in
``$AI_CHOICE_PLAYGROUND_DIR`` (default: ``.playground`` in the checkout; README "Try it
without a workspace") and Chromium (``$CHROMIUM_PATH``, else ``chromium`` on the PATH).
Skipped, saying which is missing, when any is not there; it never installs them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.store import StateStore

HERE = Path(__file__).parent
DRIVER = HERE / "drive_playground.js"
PLAYGROUND_PACKAGE = Path("node_modules", "@microsoft", "m365agentsplayground", "cli.js")
PLAYWRIGHT_PACKAGE = Path("node_modules", "playwright-core")


def _playground_dir() -> Path:
    configured = os.environ.get("AI_CHOICE_PLAYGROUND_DIR")
    return Path(configured) if configured else HERE.parents[1] / ".playground"


def _chromium() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _missing() -> str:
    """Why the smoke test cannot run here ('' when everything is installed)."""
    if shutil.which("node") is None:
        return "Node.js is not installed (the Playground is an npm package)"
    folder = _playground_dir()
    if not (folder / PLAYGROUND_PACKAGE).exists():
        return f"@microsoft/m365agentsplayground is not installed in {folder} (README)"
    if not (folder / PLAYWRIGHT_PACKAGE).exists():
        return f"playwright-core is not installed in {folder} (README)"
    if _chromium() is None:
        return "Chromium is not installed (set CHROMIUM_PATH or put chromium on the PATH)"
    return ""


pytestmark = pytest.mark.skipif(bool(_missing()), reason=_missing() or "ready")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    """Until something listens on 127.0.0.1:``port``; fails if ``process`` exits first."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"{what} never listened on port {port}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def playground(store: StateStore, redis_url: str, tmp_path: Path) -> Iterator[str]:
    """Our server in local mode and the Playground talking to it; the Playground's URL."""
    bot_port, playground_port = _free_port(), _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MICROSOFT_APP_", "SLACK_"))
    }
    env |= {
        "HOST": "127.0.0.1",
        "PORT": str(bot_port),
        "REDIS_URL": redis_url,
        "AI_CHOICE_KEY_PREFIX": store.prefix,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve"],
        env=env,
        stdout=(tmp_path / "server.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    # The Playground opens a browser when it starts: a stand-in xdg-open that does nothing.
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "xdg-open").write_text("#!/bin/sh\nexit 0\n")
    (fake_bin / "xdg-open").chmod(0o755)
    folder = _playground_dir()
    client = subprocess.Popen(
        [
            "node",
            str(folder / PLAYGROUND_PACKAGE),
            "-e",
            f"http://127.0.0.1:{bot_port}/api/messages",
            "-c",
            "msteams",
            "--dt",
            "-p",
            str(playground_port),
        ],
        env={**os.environ, "PATH": f"{fake_bin}{os.pathsep}{os.environ.get('PATH', '')}"},
        cwd=folder,
        stdout=(tmp_path / "playground.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_port(bot_port, server, "ai-choice serve")
        _wait_for_port(playground_port, client, "the Playground")
        yield f"http://127.0.0.1:{playground_port}/"
    finally:
        _stop(client)
        _stop(server)


def drive(url: str, steps: list[dict[str, Any]], shots: Path) -> list[dict[str, Any]]:
    """Run the driver over ``steps``; one result per step."""
    env = {
        **os.environ,
        "NODE_PATH": str(_playground_dir() / "node_modules"),
        "CHROMIUM_PATH": _chromium() or "",
    }
    done = subprocess.run(
        ["node", str(DRIVER), url, str(shots), json.dumps(steps)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def test_questionnaire_faq_and_poll_vote_in_the_playground(playground: str, tmp_path: Path) -> None:
    steps: list[dict[str, Any]] = [{"say": "start", "expect": "Question 1 of 10"}]
    steps += [{"pressIndex": 0, "expect": f"Question {n} of 10"} for n in range(2, 11)]
    steps += [
        {"pressIndex": 0, "expect": "Recommendation:"},
        {"say": "is open source better for privacy?", "expect": "self-host"},
        {"say": 'poll "Use <model> or a vendor API?" "Model" "Vendor"', "expect": "0 voters"},
        {"press": "Vendor", "expect": 'Your vote for "Vendor" is in.'},
    ]
    results = drive(playground, steps, tmp_path / "shots")
    assert len(results) == len(steps)
    for step, result in zip(steps, results, strict=True):
        assert result["ok"], (step, result.get("error"), result["text"][-600:])
        assert not result["cut"], (step, result["cut"])
    # The vote shows in the poll card, and its title shows as typed.
    poll = results[-1]["text"]
    assert "Use <model> or a vendor API?" in poll
    assert "1 vote (100%)" in poll
