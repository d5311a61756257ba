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


def chat(
    stdin: str, redis_url: str | None, tmp_path: Path, *args: str, columns: int = 80
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AI_CHOICE_DATA_DIR": str(tmp_path),
        "AI_CHOICE_KEY_PREFIX": PREFIX,
        "COLUMNS": str(columns),
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", *args],
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


def steps(out: str) -> list[str]:
    """The transcript cut at each echoed input line ("> ..."), first the opening menu."""
    return out.split("\n> ")


def test_a_number_not_on_the_list_asks_again_and_keeps_every_answer(
    redis_url: str, tmp_path: Path, content: Content
) -> None:
    strings = content.strings
    # Take the questionnaire, answer question 1 (a school), then slip four times.
    out = chat("1\n2\n9\n0\n-1\n1.5\nback\n", redis_url, tmp_path).stdout
    pick = strings.pick_number.format(count=5)  # three options, Back, Start over
    turns = steps(out)
    for turn in turns[3:7]:
        assert pick in turn, turn
        assert "Question 2 of 10" in turn
        assert strings.faq_unknown not in turn
    # Back at question 1 the answer is still marked: nothing was lost.
    assert "[2] A school, college or educators (your answer)" in turns[7]


def test_a_blank_line_mid_questionnaire_is_ignored(
    redis_url: str, tmp_path: Path, content: Content
) -> None:
    out = chat("1\n2\n\n\n  \n1\n", redis_url, tmp_path).stdout
    assert out.count(content.strings.menu_header + "\n=") == 1  # only the opening menu
    assert "Question 3 of 10" in out


def test_part_of_an_option_answers_when_it_fits_one_and_asks_when_it_fits_several(
    redis_url: str, tmp_path: Path, content: Content
) -> None:
    strings = content.strings
    out = chat("1\nremote\ntechnical\nNOBODY technical\n", redis_url, tmp_path).stdout
    turns = steps(out)
    assert "Question 2 of 10" in turns[2]  # "remote" answered question 1
    ambiguous = turns[3]
    assert strings.pick_which.format(text="technical") in ambiguous
    assert "[2] One or two technical people, part time" in ambiguous
    assert "[3] Nobody technical: it has to just work" in ambiguous
    assert strings.faq_unknown not in out
    assert "Question 3 of 10" in turns[4]
    back = chat("1\nremote\nnobody technical\nback\n", redis_url, tmp_path).stdout
    assert "[3] Nobody technical: it has to just work (your answer)" in steps(back)[4]


def test_why_before_the_result_says_it_comes_with_the_result_and_back_leaves_the_table(
    redis_url: str, tmp_path: Path, content: Content
) -> None:
    strings = content.strings
    answers = "2\n2\n1\n2\n1\n2\n3\n1\n3\n2\n"
    out = chat(f"1\n2\nwhy\n{answers[2:]}why\nback\n", redis_url, tmp_path).stdout
    turns = steps(out)
    assert strings.explain_later in " ".join(turns[3].split())
    assert "Question 2 of 10" in turns[3]
    assert strings.contributions_title in turns[-2]
    assert turns[-1].startswith("back") and "Recommendation: Hybrid" in turns[-1]
    assert strings.contributions_title not in turns[-1]
    help_text = chat("help\n", redis_url, tmp_path).stdout
    assert "why:" in help_text


@pytest.mark.parametrize("columns", [80, 60])
def test_tables_fit_the_terminal_and_points_line_up(
    redis_url: str, tmp_path: Path, columns: int, content: Content
) -> None:
    script = "compare\n1\n2\n2\n1\n2\n1\n2\n3\n1\n3\n2\nwhy\n"
    out = chat(script, redis_url, tmp_path, columns=columns).stdout
    assert "Scalability" in out and "Security & privacy" in out
    too_wide = [line for line in out.splitlines() if len(line) > columns]
    assert too_wide == []
    table = steps(out)[-1]
    leans = ("open", "closed", content.strings.lean_neither)
    rows = [line for line in table.splitlines() if line.split("  ")[-1].strip() in leans]
    assert len(rows) == 10
    # Every points value ends in the same column, whatever its length (+3, -0.5).
    ends = set()
    for line in rows:
        head = line[: line.rindex("  ")].rstrip()  # without the lean ("open", "no lean")
        ends.add(len(head))
    assert len(ends) == 1, rows


def test_chat_keeps_the_embedded_store_log_off_the_terminal_unless_verbose(
    tmp_path: Path,
) -> None:
    quiet = chat("quit\n", None, tmp_path)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr.strip() == ""
    loud = chat("quit\n", None, tmp_path, "-v")
    assert "embedded valkey" in loud.stderr
