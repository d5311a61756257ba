"""Three replicas of the bot on one Redis post each occurrence of a schedule exactly once.

Each replica is its own ``Conversation`` on its own Redis connection (as ``ai-choice serve``
makes it), sharing only the key prefix; one replica stores the schedule, all three sweep
at the same moment with an injected clock, as three pods would. The schedule outlives
the replica that stored it: the others find it in Redis (a restart is the same).
"""

from __future__ import annotations

import asyncio

import pytest

from bot.conversation import Conversation
from tests.replicas.conftest import ReplicaFactory
from tests.schedule_kit import RecordingOutbound, paris, schedule


@pytest.fixture
def three_replicas(replica_cores: ReplicaFactory) -> list[tuple[Conversation, RecordingOutbound]]:
    """Three independent cores, each with an outbound port that records what it posts."""
    replicas = []
    for replica in replica_cores(3):
        port = RecordingOutbound()
        replica.outbox.register("test", port)
        replicas.append((replica, port))
    return replicas


async def test_three_replicas_racing_on_each_occurrence_post_it_once(
    three_replicas: list[tuple[Conversation, RecordingOutbound]],
) -> None:
    first, _ = three_replicas[0]
    first.polls.clock = lambda: paris("2026-12-03 08:00")
    await schedule(first, '"Standup mood?" "Good" "Meh" --repeat daily --at 09:30')
    for day in range(3, 13):
        when = paris(f"2026-12-{day:02d} 09:30")
        results = await asyncio.gather(*(r.polls.scheduler.sweep(when) for r, _ in three_replicas))
        assert sorted(len(posted) for posted in results) == [0, 0, 1], day
    assert sum(len(port.posts) for _, port in three_replicas) == 10
