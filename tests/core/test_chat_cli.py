"""`ai-choice chat` driven through stdin in a subprocess, from the menu to a recommendation."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

PREFIX = f"test-chat-{uuid.uuid4().hex[:8]}"


@pytest.fixture(autouse=True)
async def clean_chat_keys(redis_client: aioredis.Redis) -> AsyncIterator[None]:
    """The chat subprocesses keep their state under PREFIX; delete it afterwards."""
    yield
    async for key in redis_client.scan_iter(match=f"{PREFIX}:*"):
        await redis_client.delete(key)


def chat(stdin: str, redis_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "AI_CHOICE_DATA_DIR": str(tmp_path),
        "AI_CHOICE_KEY_PREFIX": PREFIX,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat"],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_menu_to_recommendation_with_numbers_and_option_text(
    redis_url: str, tmp_path: Path
) -> None:
    answers = [
        "1",  # menu: take the questionnaire
        "a department in a large organisation",  # option text works as well as a number
        "1",
        "1",
        "2",
        "2",
        "1",
        "2",
        "3",
        "2",
        "1",
    ]
    result = chat("\n".join(answers) + "\n", redis_url, tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[1] Take the questionnaire" in out
    assert "Question 1 of 10" in out and "Question 10 of 10" in out
    assert "Recommendation: Open source" in out
    assert "What decided it" in out and "Security & privacy" in out
    assert "Hugging Face Transformers" in out
    assert "Traceback" not in out + result.stderr


def test_questions_comparison_and_help_in_the_same_session(redis_url: str, tmp_path: Path) -> None:
    script = (
        "Is open source AI better for privacy?\ncompare\nhelp\ncan you reset my password\nquit\n"
    )
    out = chat(script, redis_url, tmp_path).stdout
    assert "self-hosted" in out or "servers you own" in out
    assert "Security & privacy" in out and "Scalability" in out  # the table
    assert "How to use AI Choice" in out
    assert "don't know" in out


def test_back_and_restart_words(redis_url: str, tmp_path: Path) -> None:
    out = chat("start\n1\n1\nback\nrestart\n", redis_url, tmp_path).stdout
    assert out.count("Question 3 of 10") == 1
    assert out.rfind("Question 1 of 10") > out.find("Question 2 of 10")
