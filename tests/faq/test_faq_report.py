"""The editor's loop: questions and 👍 / 👎 arrive through the conversation core and come
back out of ``ai-choice faq report`` with real counts and no user identity."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import redis.asyncio as aioredis

from bot.content import Content
from bot.conversation import Conversation
from bot.events import Actor
from bot.faq import ASKED, ASKED_LAST, MAX_TRACKED_QUESTIONS, build_report
from bot.faq_matcher import Match
from bot.store import StateStore
from bot.testing import Dialogue

ALICE = Actor("test", "W1", "C1", "U-alice")
BOB = Actor("test", "W1", "C1", "U-bob")


async def ask_around(conversation: Conversation) -> None:
    alice = Dialogue(conversation, ALICE)
    bob = Dialogue(conversation, BOB)
    for _ in range(3):
        (await alice.say("can you reset my password")).expect_kind("faq.unknown")
    (await bob.say("Can you reset my password?")).expect_kind("faq.unknown")
    (await bob.say("tell me about ai")).expect_kind("faq.unsure")
    (await alice.say("Is open source AI better for privacy?")).expect_kind("faq.answer")
    await alice.press("Not helpful")
    await bob.say("Is open source AI better for privacy?")
    await bob.press("Not helpful")
    await bob.say("What is a hybrid approach to AI?")
    await bob.press("Helpful")
    (await alice.say("hi")).expect_kind("smalltalk")


async def test_the_report_counts_questions_and_feedback_from_conversations(
    conversation: Conversation, store: StateStore, content: Content
) -> None:
    await ask_around(conversation)
    report = await build_report(store, content.faq)
    assert [(q.question, q.count) for q in report.unanswered] == [("can you reset my password", 4)]
    assert [(q.question, q.count, q.outcome) for q in report.low_confidence] == [
        ("tell me about ai", 1, "unsure")
    ]
    assert [(d.entry, d.down, d.up) for d in report.downvoted] == [("privacy", 2, 0)]
    asked = dict(await store.ranked_members(*ASKED))
    assert asked["is open source ai better for privacy"] == 2
    assert "hi" not in asked, "small talk is not an FAQ question"


async def test_nothing_stored_names_who_asked(
    conversation: Conversation, store: StateStore, redis_client: aioredis.Redis
) -> None:
    await ask_around(conversation)
    keys = [key async for key in redis_client.scan_iter(match=f"{store.prefix}:faq:*")]
    # The questions asked and the feedback given are both stored, so both are checked below.
    assert {f"{store.prefix}:faq:{{asked}}", f"{store.prefix}:faq:feedback"} <= set(keys), keys
    for key in keys:
        dump = json.dumps(
            await redis_client.zrange(key, 0, -1, withscores=True)
            if await redis_client.type(key) == "zset"
            else await redis_client.hgetall(key)
        )
        assert "alice" not in dump and "bob" not in dump


async def test_low_confidence_matches_are_listed(
    conversation: Conversation, store: StateStore, content: Content
) -> None:
    talk = Dialogue(conversation, ALICE)
    reply = (await talk.say("open source")).last
    assert reply.kind in ("faq.unsure", "faq.answer")
    report = await build_report(store, content.faq)
    listed = {q.question: q for q in report.low_confidence}
    if reply.kind == "faq.unsure":
        assert listed["open source"].outcome == "unsure"


async def test_concurrent_questions_keep_exactly_the_cap_and_no_orphans(
    conversation: Conversation, store: StateStore, redis_client: aioredis.Redis
) -> None:
    """3,000 distinct questions from 50 tasks at once: exactly 2,000 are kept, each with its
    outcome, and no outcome is left behind for a question that went."""
    unknown = Match(answered=False, entry=None, score=0.0, suggestions=())

    async def asker(task: int) -> None:
        for n in range(60):
            await conversation.faq.record(f"question {task} number {n} xyz", unknown)

    await asyncio.gather(*(asker(task) for task in range(50)))
    kept = await redis_client.zrange(store.key(*ASKED), 0, -1)
    details = await redis_client.hkeys(store.key(*ASKED_LAST))
    assert len(kept) == MAX_TRACKED_QUESTIONS == 2000
    assert sorted(details) == sorted(kept)
    report = await build_report(store, conversation.content.faq, limit=5000)
    assert len(report.unanswered) == MAX_TRACKED_QUESTIONS


async def test_the_question_just_asked_is_never_the_one_that_makes_way(
    conversation: Conversation, store: StateStore
) -> None:
    """With the set full of questions asked once, a new one is kept and an old one goes."""
    unknown = Match(answered=False, entry=None, score=0.0, suggestions=())
    for n in range(MAX_TRACKED_QUESTIONS):
        await conversation.faq.record(f"zz old question {n:04d}", unknown)
    await conversation.faq.record("aa a brand new question", unknown)
    asked = dict(await store.ranked_members(*ASKED))
    assert len(asked) == MAX_TRACKED_QUESTIONS
    assert "aa a brand new question" in asked


async def test_faq_report_cli_reads_the_same_counts(
    conversation: Conversation, store: StateStore, redis_url: str
) -> None:
    await ask_around(conversation)
    env = {**os.environ, "REDIS_URL": redis_url, "AI_CHOICE_KEY_PREFIX": store.prefix}
    run = [sys.executable, "-m", "bot.cli", "faq", "report"]
    result = subprocess.run(
        [*run, "--json"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["unanswered"][0] == {
        "question": "can you reset my password",
        "count": 4,
        "outcome": "unknown",
        "entry": None,
        "score": report["unanswered"][0]["score"],
    }
    assert report["downvoted"] == [
        {
            "entry": "privacy",
            "question": "Is open source AI better for privacy?",
            "down": 2,
            "up": 0,
        }
    ]
    text = subprocess.run(run, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].startswith("Unanswered questions (1)")
    assert "can you reset my password" in lines[1] and "4" in lines[1]
    assert any("tell me about ai" in line for line in lines)
    assert any("privacy" in line for line in lines)
