"""Options added by voters reach every replica: a vote for a new option lands on a
replica that cached the poll before the option was added, and counts."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.content import Content
from bot.conversation import Conversation
from bot.events import Actor, ButtonPress, Command
from bot.redis_connect import connect
from bot.replies import Action, ReplyKind
from bot.settings import Settings
from bot.store import StateStore


@pytest.fixture
async def replicas(
    content: Content, store: StateStore, redis_url: str
) -> AsyncIterator[list[Conversation]]:
    """Two independent conversation cores, each on its own connection, one shared prefix."""
    connections = [connect(Settings(redis_url=redis_url)) for _ in range(2)]
    try:
        yield [
            Conversation(content, StateStore(c.client, prefix=store.prefix)) for c in connections
        ]
    finally:
        for connection in connections:
            await connection.close()


def person(user: str) -> Actor:
    return Actor("test", "W1", "C1", user, user)


async def test_a_vote_for_an_option_added_on_the_other_replica_counts(
    replicas: list[Conversation], content: Content
) -> None:
    first, second = replicas
    (started,) = await first.handle(
        Command(person("U1"), "poll", '"Topics?" "A" "B" --allow-add --multi 2')
    )
    poll_id = started.new_poll
    assert poll_id
    # The first replica caches the poll's definition with its vote.
    (voted,) = await first.handle(ButtonPress(person("U1"), Action.POLL_VOTE, f"{poll_id}:0"))
    assert voted.kind == ReplyKind.POLL_VOTED
    (added,) = await second.handle(
        ButtonPress(person("U2"), Action.POLL_ADD_OPTION, poll_id, text="Retro games")
    )
    assert added.kind == ReplyKind.POLL_OPTION_ADDED
    (picked,) = await first.handle(ButtonPress(person("U1"), Action.POLL_VOTE, f"{poll_id}:2"))
    assert picked.kind == ReplyKind.POLL_VOTED
    assert "Retro games" in picked.text
    tally = await first.polls.polls.tally(poll_id, 3, with_voters=True)
    assert tally.picks == {"U1": (0, 2)}
    # A third option nobody added is still refused, on either replica.
    for replica in replicas:
        (missing,) = await replica.handle(
            ButtonPress(person("U3"), Action.POLL_VOTE, f"{poll_id}:3")
        )
        assert missing.kind == ReplyKind.POLL_MISSING
    for replica in replicas:
        await replica.polls.drain()
