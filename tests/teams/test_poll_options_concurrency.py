"""300 people picking on a ``--multi 2`` poll at once through ``/api/messages``.

Each person presses a few options in a row (picks, a refused third, a pick taken back),
all people at the same time. The tally, the last shared card and every banner each person
saw must match a plain model of those presses (:func:`bot.poll_options.toggle_pick`).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import Any

from bot.content import Content
from bot.conversation import Conversation
from bot.poll_options import toggle_pick
from tests.teams.conftest import StandInConnector
from tests.teams.poll_flow import Client, banner, buttons, execute, lines, mention, posts, updates
from tests.wording import votes

CheckCard = Callable[[dict[str, Any]], None]

PEOPLE = 300
LIMIT = 2
OPTIONS = ["Alpha", "Beta", "Gamma", "Delta"]


def user_key(person: int) -> str:
    return f"00000000-0000-4000-8000-{person:012d}"


async def test_three_hundred_people_picking_at_once_match_the_model(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    content: Content,
    assert_valid_card: CheckCard,
) -> None:
    words, messages = content.polls.option_messages, content.polls.messages
    conversation.polls.refresh_window = 0.25
    quoted = " ".join(f'"{o}"' for o in OPTIONS)
    started = mention(connector.url, f'poll "Which ones?" {quoted} --multi {LIMIT}')
    assert (await teams.post("/api/messages", json=started)).status == 201
    (card,) = posts(connector)
    data = [buttons(card)[o] for o in OPTIONS]
    poll_id = data[0]["aic_value"].partition(":")[0]

    rng = random.Random(14)
    presses = {
        person: [rng.randrange(len(OPTIONS)) for _ in range(rng.randint(1, 5))]
        for person in range(2, 2 + PEOPLE)
    }
    seen: dict[int, list[str]] = {person: [] for person in presses}

    async def one_person(person: int) -> None:
        for option in presses[person]:
            seen[person].append(await banner(teams, execute(connector.url, data[option], person)))

    await asyncio.gather(*(one_person(p) for p in presses))
    await conversation.polls.drain()

    # The model: every banner, and where each person's picks end up.
    final: dict[int, tuple[int, ...]] = {}
    for person, sequence in presses.items():
        picks: tuple[int, ...] = ()
        expected_banners = []
        for option in sequence:
            before = picks
            picks, what = toggle_pick(picks, option, LIMIT)
            if what == "full":
                picked = words.picks_separator.join(f'"{OPTIONS[i]}"' for i in before)
                expected_banners.append(words.limit_reached.format(limit=LIMIT, picked=picked))
            else:
                wording = words.picked if what == "picked" else words.unpicked
                expected_banners.append(
                    wording.format(option=OPTIONS[option], count=len(picks), limit=LIMIT)
                )
        assert seen[person] == expected_banners, person
        if picks:
            final[person] = picks

    tally = await conversation.polls.polls.tally(poll_id, len(OPTIONS), with_voters=True)
    assert tally.picks == {user_key(p): picks for p, picks in final.items()}
    counts = [sum(i in picks for picks in final.values()) for i in range(len(OPTIONS))]
    assert list(tally.counts) == counts

    shared = updates(connector)[-1]
    assert_valid_card(shared)
    shown = lines(shared)
    voters = messages.voters_plural.format(count=len(final))
    assert words.voters_and_votes.format(voters=voters, votes=votes(content, sum(counts))) in shown
    for option, count in zip(OPTIONS, counts, strict=True):
        line = next(s for s in shown if s.startswith(f"{option} "))
        share = round(count * 100 / len(final))
        assert line.endswith(f" {votes(content, count)} ({share}%)"), line
