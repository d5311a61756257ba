"""A ``--multi 2`` poll under 1,000 concurrent voters through the Slack endpoint: the final
picks, counts, message and refusals match a model of each person's presses exactly."""

from __future__ import annotations

import asyncio
import random

from bot.content import Content
from bot.conversation import Conversation
from bot.poll_options import toggle_pick
from bot.poll_render import result_line
from tests.slack.conftest import SlackBot, shown_text
from tests.slack.polls_kit import option_lines, press, start_poll, updates

OPTIONS = ("Alpha", "Beta", "Gamma", "Delta")
LIMIT = 2
QUESTION = '"Which codenames?" ' + " ".join(f'"{o}"' for o in OPTIONS) + f" --multi {LIMIT}"
#: One step of a person's presses: one option, or two pressed at once (a tuple).
Step = int | tuple[int, int]


def scripts_for(voters: int, seed: int) -> dict[str, list[Step]]:
    """Each person's presses, in order. Presses made at once are either the same option
    twice (a double-click) or two options while the person has no picks yet, so the model
    does not depend on which of them Redis runs first."""
    rng = random.Random(seed)
    scripts: dict[str, list[Step]] = {}
    for n in range(voters):
        a, b, c = rng.sample(range(len(OPTIONS)), 3)
        scripts[f"U{n:06d}"] = [
            [a],  # one pick
            [a, b],  # two picks
            [a, b, c],  # a third: refused, nothing changes
            [a, b, a, c],  # two picks, take one back, pick another
            [(a, a)],  # a double-click: picked and taken back
            [(a, b), c, (b, b)],  # two at once, refused third, double-click on a pick
            [a, a],  # pick, take back: not a voter any more
        ][n % 7]
    return scripts


def model(scripts: dict[str, list[Step]]) -> tuple[dict[str, tuple[int, ...]], int]:
    """Everyone's picks at the end, and how many presses were refused at the limit."""
    final: dict[str, tuple[int, ...]] = {}
    refused = 0
    for user, steps in scripts.items():
        picks: tuple[int, ...] = ()
        for step in steps:
            for pressed in step if isinstance(step, tuple) else (step,):
                picks, what = toggle_pick(picks, pressed, LIMIT)
                refused += what == "full"
        if picks:
            final[user] = picks
    return final, refused


async def test_a_thousand_concurrent_multi_voters_match_the_model(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    polls = content.polls
    poll = await start_poll(bot, conversation, QUESTION)
    scripts = scripts_for(1000, seed=14)
    expected, refused = model(scripts)
    gate = asyncio.Semaphore(50)
    answers: list[str] = []

    async def run(user: str, steps: list[Step]) -> None:
        async with gate:
            for step in steps:  # one after another, as a person sees each confirmation
                pressed = step if isinstance(step, tuple) else (step,)
                calls = await asyncio.gather(
                    *(press(bot, poll, poll.vote_button(i), user, user.lower()) for i in pressed)
                )
                answers.extend(shown_text(call.body["blocks"]) for call in calls)

    await asyncio.gather(*(run(user, steps) for user, steps in scripts.items()))
    await conversation.polls.drain()

    tally = await conversation.polls.polls.tally(poll.id, len(OPTIONS), with_voters=True)
    assert tally.picks == expected
    counts = [sum(option in p for p in expected.values()) for option in range(len(OPTIONS))]
    assert list(tally.counts) == counts
    assert tally.voters == len(expected)
    assert 0 < len(expected) < 1000
    limit_note = polls.option_messages.limit_reached.split("{picked}")[0].format(limit=LIMIT)
    assert sum(limit_note in answer for answer in answers) == refused > 0
    presses = sum(len(t) if isinstance(t, tuple) else 1 for s in scripts.values() for t in s)
    assert len(answers) == presses  # every press answered, privately

    final = updates(bot)[-1].body["blocks"]
    messages = polls.messages
    assert option_lines(final) == [
        f"{label} "
        + result_line(count, len(expected), polls.bar_width, messages.vote_one, messages.vote_many)
        for label, count in zip(OPTIONS, counts, strict=True)
    ]
    voters = messages.voters_plural.format(count=len(expected))
    votes = messages.vote_many.format(count=sum(counts))
    assert polls.option_messages.voters_and_votes.format(voters=voters, votes=votes) in (
        shown_text(final)
    )
