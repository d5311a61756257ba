"""The HTTP server: health, readiness and metrics, and `ai-choice serve` on the embedded store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from bot.server import build_app
from bot.store import StateStore
from tests.net import free_port, wait_ready


async def test_health_ready_and_metrics(store: StateStore) -> None:
    async with TestClient(TestServer(build_app(store))) as client:
        assert (await client.get("/healthz")).status == 200
        ready = await client.get("/readyz")
        assert ready.status == 200
        metrics = await client.get("/metrics")
        assert metrics.status == 200
        assert "text/plain" in metrics.headers["Content-Type"]
        assert "python_info" in await metrics.text()
        assert (await client.get("/nope")).status == 404


def test_serve_starts_the_embedded_store_and_is_ready(tmp_path: Path) -> None:
    """What `make run` does on a fresh machine: no REDIS_URL, data under AI_CHOICE_DATA_DIR."""
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "SLACK_", "MICROSOFT_"))
    }
    env.update(HOST="127.0.0.1", PORT=str(port), AI_CHOICE_DATA_DIR=str(tmp_path / "data"))
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_ready(port) == 200
        assert (tmp_path / "data").is_dir()
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=20)
    assert server.returncode == 0, stderr
    assert "Traceback" not in stderr
