"""Two replicas of the bot on one Redis behave as one bot.

Each replica is its own ``Conversation`` and ``StateStore`` on its own Redis connection
(made by ``bot.redis_connect.connect``, as ``ai-choice serve`` makes it), sharing only the
key prefix, as two pods behind one Service share only Redis. A person's clicks land on
whichever replica the load balancer picks; nothing may be lost or answered out of turn.
Then two real ``ai-choice serve`` processes start on one Redis and stop on SIGTERM.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from bot.content import Content
from bot.conversation import Conversation
from bot.events import Actor, ButtonPress, Message
from bot.testing import Dialogue
from tests.answer_paths import (
    NO_ENGINEERS_NEEDS_IT_THIS_WEEK,
    PRIVACY_TEAM_WITH_ENGINEERS,
)
from tests.net import free_port
from tests.wording import progress, recommendation


def _actor(user: str) -> Actor:
    return Actor("test", "W1", "C1", user, user)


async def test_a_questionnaire_can_hop_between_replicas_at_every_step(
    replicas: list[Conversation], content: Content
) -> None:
    talk = Dialogue(replicas[0], _actor("U1"))
    (await talk.command("start")).expect(progress(content, 1))
    for number, label in enumerate(PRIVACY_TEAM_WITH_ENGINEERS, start=1):
        talk.conversation = replicas[number % 2]  # the next click lands on the other pod
        await talk.press(label)
        if number < len(PRIVACY_TEAM_WITH_ENGINEERS):
            talk.expect(progress(content, number + 1))
    talk.expect_kind("quiz.result").expect(recommendation(content, "open"))
    # Back on one replica, change on the other: both see the same state afterwards.
    talk.conversation = replicas[0]
    (await talk.press("Back")).expect(progress(content, 10))
    talk.conversation = replicas[1]
    (await talk.press("Back")).expect(progress(content, 9))
    first, second = [await r.questionnaire.state(talk.actor) for r in replicas]
    assert first == second
    assert first is not None and len(first["answers"]) == 10


async def test_both_replicas_reach_the_same_recommendation(replicas: list[Conversation]) -> None:
    actor = _actor("U2")
    talk = Dialogue(replicas[1], actor)
    await talk.command("start")
    for number, label in enumerate(NO_ENGINEERS_NEEDS_IT_THIS_WEEK):
        talk.conversation = replicas[number % 2]
        await talk.press(label)
    first, second = [await r.questionnaire.recommendation(actor) for r in replicas]
    assert first is not None and second is not None
    assert first.outcome == second.outcome == "closed"
    assert first.balance == second.balance


async def test_simultaneous_answers_split_across_replicas_are_all_kept(
    replicas: list[Conversation],
) -> None:
    """Eight people each fire all ten answers at once, alternating replicas: 80 racing writes."""
    questions = replicas[0].content.questionnaire.questions
    people = [_actor(f"R{i}") for i in range(8)]
    for number, actor in enumerate(people):
        await Dialogue(replicas[number % 2], actor).command("start")
    runs = [(await replicas[0].questionnaire.state(actor) or {})["run"] for actor in people]
    presses = [
        (replicas[(p + q) % 2], ButtonPress(actor, "quiz.answer", f"{runs[p]}:{q}:{option.id}"))
        for p, actor in enumerate(people)
        for q, question in enumerate(questions)
        for option in [question.options[(p + q) % len(question.options)]]
    ]
    await asyncio.gather(*(replica.handle(press) for replica, press in presses))
    for p, actor in enumerate(people):
        expected = {
            question.id: question.options[(p + q) % len(question.options)].id
            for q, question in enumerate(questions)
        }
        for replica in replicas:
            state = await replica.questionnaire.state(actor)
            assert state is not None
            assert state["answers"] == expected, f"{actor.user} on a replica lost an answer"


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def test_two_serve_processes_share_one_redis_and_stop_on_sigterm(
    redis_url: str, repo_root: Path, tmp_path: Path
) -> None:
    """Two real `ai-choice serve` replicas get ready on one Redis and exit 0 on SIGTERM."""
    serve = Path(sys.executable).with_name("ai-choice")
    if not serve.exists():
        pytest.skip("the ai-choice console script is not installed in this environment")
    ports = [free_port(), free_port()]
    base_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MICROSOFT_", "REDIS_", "AI_CHOICE_"))
    }
    processes = []
    for port in ports:
        env = {
            **base_env,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "REDIS_URL": redis_url,
            "AI_CHOICE_KEY_PREFIX": f"test:{uuid.uuid4().hex[:12]}",
            "AI_CHOICE_DATA_DIR": str(tmp_path / "unused"),
        }
        log = (tmp_path / f"serve-{port}.log").open("wb")
        processes.append(
            subprocess.Popen([str(serve), "serve"], env=env, cwd=tmp_path, stderr=log, stdout=log)
        )
    try:
        deadline = time.monotonic() + 30
        pending = set(ports)
        while pending and time.monotonic() < deadline:
            pending = {p for p in pending if _get(f"http://127.0.0.1:{p}/readyz") != 200}
            assert all(p.poll() is None for p in processes), "a replica exited early"
            time.sleep(0.1)
        assert not pending, f"replicas on {sorted(pending)} never became ready"
        for port in ports:
            assert _get(f"http://127.0.0.1:{port}/healthz") == 200
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            assert process.wait(timeout=15) == 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=5)


async def test_an_answer_an_expert_saves_on_one_replica_answers_on_the_other(
    replicas: list[Conversation], content: Content
) -> None:
    """Learned entries live in Redis: the other replica rebuilds its second index when the
    version counter moves, and answers the same question asked in other words."""
    first, second = replicas
    asker = _actor("U1")
    declined = (
        await second.handle(Message(asker, "Do we have a company subscription to ChatGPT?"))
    )[0]
    assert declined.kind == "faq.unknown"
    await first.experts.learned.add(
        "Do we have a company subscription to ChatGPT?",
        "Yes: ChatGPT Enterprise. Ask IT for a seat.",
        expert="U9",
        expert_name="Ann",
        platform="test",
        workspace="W1",
    )
    (reply,) = await second.handle(Message(_actor("U2"), "does the company pay for chatgpt"))
    assert reply.kind == "faq.learned"
    assert "Ask IT for a seat" in reply.text and content.experts.learned_label in reply.all_text()
    # Another workspace's people do not get this workspace's experts' answers.
    elsewhere = Actor("test", "W2", "C1", "U3", "U3")
    (reply,) = await second.handle(Message(elsewhere, "does the company pay for chatgpt"))
    assert reply.kind == "faq.unknown"
    # Retracted on the first replica: the second stops answering from it.
    (entry,) = await first.experts.learned.all()
    await first.experts.learned.remove(entry.id)
    (reply,) = await second.handle(Message(_actor("U2"), "does the company pay for chatgpt"))
    assert reply.kind == "faq.unknown"
