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

from bot.content import Content
from tests.wording import dimension, faq_answer, outcome, progress, recommendation, unwrapped

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
    redis_url: str, tmp_path: Path, content: Content
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
    assert f"[1] {content.strings.menu_quiz}" in out
    assert progress(content, 1) in out and progress(content, 10) in out
    assert recommendation(content, "open") in out
    assert content.strings.reasons_title in out and dimension(content, "privacy") in out
    assert unwrapped(outcome(content, "open").next_steps[0]) in unwrapped(out)
    assert "Traceback" not in out + result.stderr


def test_questions_comparison_and_help_in_the_same_session(
    redis_url: str, tmp_path: Path, content: Content
) -> None:
    script = (
        "Is open source AI better for privacy?\ncompare\nhelp\ncan you reset my password\nquit\n"
    )
    out = chat(script, redis_url, tmp_path).stdout
    assert unwrapped(faq_answer(content, "privacy")) in unwrapped(out)
    table = (dimension(content, "privacy"), dimension(content, "scalability"))
    assert all(name in out for name in table)
    assert content.strings.help_header in out
    assert unwrapped(content.strings.faq_unknown) in unwrapped(out)


def test_back_and_restart_words(redis_url: str, tmp_path: Path, content: Content) -> None:
    out = chat("start\n1\n1\nback\nrestart\n", redis_url, tmp_path).stdout
    assert out.count(progress(content, 3)) == 1
    assert out.rfind(progress(content, 1)) > out.find(progress(content, 2))
