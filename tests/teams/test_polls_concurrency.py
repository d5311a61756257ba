"""300 people pressing poll buttons at once through ``/api/messages``: nothing is lost.

Each person presses a few options in a row (a vote, a move, a withdrawal, a new vote), all
people at the same time. The tally, the last shared card and every person's last private
confirmation must match a plain model of those presses.
"""

from __future__ import annotations

import asyncio
import random
import time

from bot.content import Content
from bot.conversation import Conversation
from tests.teams.conftest import StandInConnector
from tests.teams.poll_flow import (
    CheckCard,
    Client,
    banner,
    buttons,
    execute,
    lines,
    posts,
    start,
    updates,
)
from tests.wording import shaped_like, votes

PEOPLE = 300
OPTIONS = ["Open source", "Closed source", "Hybrid", "Undecided"]


def model(presses: dict[int, list[int]]) -> dict[int, int | None]:
    """Where each person's vote ends up: pressing your own option takes it back."""
    final: dict[int, int | None] = {}
    for person, sequence in presses.items():
        current: int | None = None
        for option in sequence:
            current = None if current == option else option
        final[person] = current
    return final


async def test_three_hundred_people_voting_at_once(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    content: Content,
    assert_valid_card: CheckCard,
) -> None:
    messages = content.polls.messages
    conversation.polls.refresh_window = 0.25
    quoted = " ".join(f'"{o}"' for o in OPTIONS)
    card = await start(teams, connector, f'poll "Which way?" {quoted}')
    data = [buttons(card)[o] for o in OPTIONS]
    poll_id = data[0]["aic_value"].partition(":")[0]

    rng = random.Random(5)
    presses = {
        person: [rng.randrange(len(OPTIONS)) for _ in range(rng.randint(1, 4))]
        for person in range(2, 2 + PEOPLE)
    }
    last_notes: dict[int, str] = {}

    async def one_person(person: int) -> None:
        for option in presses[person]:
            last_notes[person] = await banner(teams, execute(connector.url, data[option], person))

    started = time.perf_counter()
    await asyncio.gather(*(one_person(p) for p in presses))
    pressing = time.perf_counter() - started
    await conversation.polls.drain()
    total = time.perf_counter() - started

    expected = model(presses)
    counts = [sum(1 for v in expected.values() if v == i) for i in range(len(OPTIONS))]
    voters = sum(counts)
    tally = await conversation.polls.polls.tally(poll_id, len(OPTIONS), with_voters=True)
    assert list(tally.counts) == counts
    assert tally.voters == voters
    assert tally.votes == {
        f"00000000-0000-4000-8000-{p:012d}": v for p, v in expected.items() if v is not None
    }

    shared = updates(connector)[-1]
    assert_valid_card(shared)
    shown = lines(shared)
    assert messages.voters_plural.format(count=voters) in shown
    for option, count in zip(OPTIONS, counts, strict=True):
        line = next(s for s in shown if s.startswith(f"{option} "))
        assert line.endswith(f" {votes(content, count)} ({round(count * 100 / voters)}%)"), line

    # Each person's last confirmation says where their vote ended up.
    for person, final in expected.items():
        note = last_notes[person]
        if final is None:
            assert shaped_like(messages.withdrawn).fullmatch(note), note
        else:
            kept = shaped_like(messages.voted, option=OPTIONS[final])
            moved = shaped_like(messages.moved, option=OPTIONS[final])
            assert kept.fullmatch(note) or moved.fullmatch(note), note

    presses_made = sum(len(s) for s in presses.values())
    puts = len(updates(connector))
    # Coalesced: about one update per refresh window, not one per press.
    assert puts <= total / conversation.polls.refresh_window + 3, (puts, total)
    assert len(posts(connector)) == 1
    print(
        f"\n{presses_made} presses by {PEOPLE} people in {pressing:.2f}s "
        f"({presses_made / pressing:.0f}/s); {puts} card updates; settled in {total:.2f}s"
    )
