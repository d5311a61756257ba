"""The editor's side of learned entries and tickets, through the command line:
``faq report`` counts the experts' tickets, ``faq learned`` lists what the experts taught,
``faq export-learned`` writes a content file that loads (and then answers everywhere)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.content import ContentError, load_content
from bot.conversation import Conversation
from bot.events import Actor, Message
from bot.expert_tickets import ANSWERED, ASSIGNED, OPEN
from bot.store import StateStore

QUESTION = "Do we have a company subscription to ChatGPT?"


def cli(redis_url: str, store: StateStore, *args: str) -> str:
    env = {**os.environ, "REDIS_URL": redis_url, "AI_CHOICE_KEY_PREFIX": store.prefix}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "faq", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_the_report_counts_tickets_asked_answered_and_unanswered(
    conversation: Conversation, store: StateStore, redis_url: str
) -> None:
    tickets = conversation.experts.tickets
    asker = Actor("slack", "T1", "C1", "U1", "Uma")
    answered = await tickets.create(asker, QUESTION, in_public=False, thread="")
    await tickets.create(asker, "who runs our pilot?", in_public=False, thread="")
    moved = await tickets.move(answered.id, (OPEN, ASSIGNED), ANSWERED, answer="Yes.")
    assert moved.moved
    again = await tickets.move(answered.id, (OPEN, ASSIGNED), ANSWERED, answer="Twice?")
    assert not again.moved and again.state == ANSWERED

    report = json.loads(cli(redis_url, store, "report", "--json"))
    counts = report["tickets"]
    assert (counts["asked"], counts["answered"], counts["unanswered"]) == (2, 1, 1)
    assert counts["median_seconds_to_answer"] is not None
    text = cli(redis_url, store, "report")
    assert "asked 2, answered 1, closed 0, unanswered 1" in text


async def test_learned_entries_are_listed_and_export_as_content_that_loads(
    conversation: Conversation, store: StateStore, redis_url: str, repo_root: Path, tmp_path: Path
) -> None:
    learned = conversation.experts.learned
    await learned.add(
        QUESTION,
        "Yes: ChatGPT Enterprise. Ask IT for a seat.",
        expert="U9",
        expert_name="Ann",
        platform="slack",
        workspace="T1",
    )
    assert await learned.add_phrasing("privacy", "is our data safer self-hosted", "slack", "T1")

    listed = cli(redis_url, store, "learned")
    assert QUESTION in listed and "by Ann" in listed and "is our data safer self-hosted" in listed

    exported = cli(redis_url, store, "export-learned")
    folder = tmp_path / "content"
    shutil.copytree(repo_root / "content", folder)
    (folder / "learned.yaml").write_text(exported, encoding="utf-8")
    content = load_content(folder)
    (entry,) = content.learned.entries
    assert entry.question == QUESTION and entry.answered_by == "Ann"

    # Shipped as content, the answer holds in every workspace, with no Redis entry behind it.
    await learned.remove((await learned.all())[0].id)
    shipped = Conversation(content, store)
    anyone = Actor("teams", "another-tenant", "C9", "U7", "Vic")
    (reply,) = await shipped.handle(Message(anyone, "does the company pay for chatgpt"))
    assert reply.kind == "faq.learned" and "Ask IT for a seat" in reply.text


def test_a_broken_learned_file_names_itself(repo_root: Path, tmp_path: Path) -> None:
    folder = tmp_path / "content"
    shutil.copytree(repo_root / "content", folder)
    (folder / "learned.yaml").write_text(
        "entries:\n"
        "  - {id: a, question: Why?, answer: x}\n"
        "  - {id: a, question: How?, answer: y}\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError, match=r"learned\.yaml"):
        load_content(folder)
