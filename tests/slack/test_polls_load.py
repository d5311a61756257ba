"""Polls under load through the HTTP endpoint: every vote counted, message updates coalesced."""

from __future__ import annotations

import asyncio
import random
import time

from bot.content import Content
from bot.conversation import Conversation
from bot.poll_render import result_line
from tests.slack.conftest import SlackBot
from tests.slack.polls_kit import PostedPoll, option_lines, press, start_poll, updates

OPTIONS = ("Alpha", "Beta", "Gamma", "Delta")
QUESTION = '"Which codename?" ' + " ".join(f'"{o}"' for o in OPTIONS)


def toggle(current: int | None, pressed: int) -> int | None:
    """What one press does to a person's vote: cast/move to it, or withdraw it."""
    return None if current == pressed else pressed


def expected_lines(content: Content, counts: list[int], voters: int) -> list[str]:
    polls = content.polls
    return [
        f"{label} "
        + result_line(
            count, voters, polls.bar_width, polls.messages.vote_one, polls.messages.vote_many
        )
        for label, count in zip(OPTIONS, counts, strict=True)
    ]


async def test_a_thousand_concurrent_voters_end_exact(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    poll = await start_poll(bot, conversation, QUESTION)
    rng = random.Random(5)
    # Each person's presses, in order; a tuple is a double-click (two presses at once).
    scripts: dict[str, list[int | tuple[int, int]]] = {}
    for n in range(1000):
        first, other = rng.randrange(4), rng.randrange(4)
        kind = n % 6
        scripts[f"U{n:06d}"] = [
            [first],  # one vote
            [first, first],  # vote, then take it back
            [first, (first + 1) % 4],  # vote, then move
            [(first, first)],  # a double-click
            [first, (other, other)],  # vote, then double-click another option
            [first, other, first],  # vote, move, move back (or withdraw and vote again)
        ][kind]
    model: dict[str, int | None] = {}
    for user, steps in scripts.items():
        state: int | None = None
        for step in steps:
            for pressed in step if isinstance(step, tuple) else (step,):
                state = toggle(state, pressed)
        model[user] = state

    gate = asyncio.Semaphore(50)

    async def run(user: str, steps: list[int | tuple[int, int]]) -> None:
        async with gate:
            for step in steps:  # one after another, as a person sees each confirmation
                pressed = step if isinstance(step, tuple) else (step,)
                await asyncio.gather(
                    *(press(bot, poll, poll.vote_button(i), user, user.lower()) for i in pressed)
                )

    started = time.perf_counter()
    await asyncio.gather(*(run(user, steps) for user, steps in scripts.items()))
    await conversation.polls.drain()
    elapsed = time.perf_counter() - started

    counts = [sum(1 for v in model.values() if v == i) for i in range(4)]
    voters = sum(1 for v in model.values() if v is not None)
    assert 0 < voters < 1000
    current = await conversation.polls.current(poll.id)
    assert current is not None
    _meta, reply = current
    assert [bar.count for bar in reply.bars] == counts
    tally = await conversation.polls.polls.tally(poll.id, 4, with_voters=True)
    assert tally.voters == voters
    assert tally.votes == {user: option for user, option in model.items() if option is not None}
    final = updates(bot)[-1].body["blocks"]
    assert option_lines(final) == expected_lines(content, counts, voters)
    presses = sum(len(t) if isinstance(t, tuple) else 1 for s in scripts.values() for t in s)
    assert len(bot.slack.responses()) == presses  # every press confirmed, privately
    assert all(c.body["replace_original"] is False for c in bot.slack.responses())
    assert elapsed < 30, elapsed


async def test_a_burst_of_votes_updates_the_message_at_most_once_per_two_seconds(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    assert conversation.polls.refresh_window == 2.0
    poll: PostedPoll = await start_poll(bot, conversation, QUESTION)
    gate = asyncio.Semaphore(50)

    async def vote(n: int) -> None:
        async with gate:
            await press(bot, poll, poll.vote_button(n % 4), f"U{n:06d}", f"u{n}")

    started = time.perf_counter()
    waves = []
    for wave in range(5):  # 500 votes spread over four and a half seconds
        waves += [asyncio.ensure_future(vote(n)) for n in range(wave * 100, wave * 100 + 100)]
        await asyncio.sleep(0.9)
    await asyncio.gather(*waves)
    voting = time.perf_counter() - started
    await conversation.polls.drain()

    made = updates(bot)
    print(f"{len(made)} chat.update calls for 500 votes in {voting:.1f} s")
    # At most one update per 2-second window while votes arrive, plus the last one: the
    # bound follows how long voting took, so a slow machine does not fail the test.
    assert 1 <= len(made) <= int(voting / conversation.polls.refresh_window) + 2, len(made)
    assert option_lines(made[-1].body["blocks"]) == expected_lines(content, [125] * 4, 500)
