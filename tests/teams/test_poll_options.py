"""Poll options in a Teams channel, through ``/api/messages`` as the Bot Connector sends
them: ``--multi N`` presses as Action.Execute invokes, ``--allow-add`` as the card's
Input.Text sent with its "Add an option" Action.Execute, and ``--template NAME``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.content import Content
from bot.conversation import Conversation
from bot.store import StateStore
from tests.teams.conftest import StandInConnector
from tests.teams.poll_flow import (
    Card,
    Client,
    banner,
    buttons,
    execute,
    lines,
    mention,
    own_view,
    posts,
    updates,
)
from tests.wording import votes

CheckCard = Callable[[dict[str, Any]], None]


@pytest.fixture(autouse=True)
def quick_refresh(conversation: Conversation) -> None:
    """Card updates every 50 ms instead of 2 s, so the tests wait little."""
    conversation.polls.refresh_window = 0.05


async def start(teams: Client, connector: StandInConnector, text: str, by: int = 1) -> Card:
    """Start a poll by mention; the one card posted (the poll, or a private refusal)."""
    before = len(posts(connector))
    response = await teams.post("/api/messages", json=mention(connector.url, text, by))
    assert response.status == 201
    (card,) = posts(connector)[before:]
    return card


def inputs(card: Card) -> list[dict[str, Any]]:
    return [element for element in card["body"] if element["type"].startswith("Input.")]


async def test_multi_picks_with_a_banner_each_and_refuses_one_beyond_the_limit(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    content: Content,
    assert_valid_card: CheckCard,
) -> None:
    words, messages = content.polls.option_messages, content.polls.messages
    card = await start(teams, connector, 'poll "Lunch?" "Pizza" "Sushi" "Tacos" --multi 2')
    assert_valid_card(card)
    assert words.picks_note.format(limit=2) in lines(card)[-1]
    options = buttons(card)
    url = connector.url

    assert await banner(teams, execute(url, options["Pizza"], by=2)) == words.picked.format(
        option="Pizza", count=1, limit=2
    )
    await banner(teams, execute(url, options["Tacos"], by=2))
    refused = await banner(teams, execute(url, options["Sushi"], by=2))
    assert refused == words.limit_reached.format(limit=2, picked='"Pizza", "Tacos"')
    await banner(teams, execute(url, options["Tacos"], by=3))
    await conversation.polls.drain()

    shared = updates(connector)[-1]
    assert_valid_card(shared)
    shown = lines(shared)
    voters = messages.voters_plural.format(count=2)
    assert words.voters_and_votes.format(voters=voters, votes=votes(content, 3)) in shown
    assert f"Pizza ▇▇▇▇▁▁▁▁ {votes(content, 1)} (50%)" in shown
    assert f"Sushi ▁▁▁▁▁▁▁▁ {votes(content, 0)} (0%)" in shown
    assert f"Tacos ▇▇▇▇▇▇▇▇ {votes(content, 2)} (100%)" in shown

    view = await own_view(teams, url, shared, by=2)
    assert_valid_card(view)
    assert lines(view)[0] == words.your_picks.format(options="Pizza, Tacos")
    styles = {a["title"]: a.get("style") for a in view["body"][-2]["actions"]}
    assert styles == {"Pizza": "positive", "Sushi": None, "Tacos": "positive"}

    back = await banner(teams, execute(url, options["Pizza"], by=2))
    assert back == words.unpicked.format(option="Pizza", count=1, limit=2)


async def test_allow_add_is_a_box_on_the_card_and_the_option_appears_for_everyone(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    content: Content,
    assert_valid_card: CheckCard,
) -> None:
    words = content.polls.option_messages
    card = await start(teams, connector, 'poll "Topics for Friday?" "A" "B" --allow-add')
    assert_valid_card(card)
    (box,) = inputs(card)
    assert box["type"] == "Input.Text" and box["label"] == words.add_label
    assert box["maxLength"] == content.polls.limits.max_option_length
    add = buttons(card)[words.add_button]
    assert add["aic_action"] == "poll.add_option"
    (execute_add,) = [a for a in card["actions"] if a["title"] == words.add_button]
    assert execute_add["type"] == "Action.Execute"
    url = connector.url

    # Teams sends what was typed in the box with the button's data, keyed by the box's id.
    assert await banner(teams, execute(url, add, by=2)) == words.add_prompt
    for typed, error in [
        ("b", words.add_duplicate.format(option="b")),
        ("\u200b", words.add_empty),
        ("y" * 2000, words.add_too_long.format(length=1000, max=75)),
    ]:
        refused = await banner(teams, execute(url, {**add, box["id"]: typed}, by=2))
        assert refused == error
    meta = await conversation.polls.polls.meta(add["aic_value"])
    assert meta is not None and meta["options"] == ["A", "B"]

    added = await banner(teams, execute(url, {**add, box["id"]: "Demo day"}, by=2))
    assert added == words.added.format(option="Demo day")
    await conversation.polls.drain()
    shared = updates(connector)[-1]
    assert_valid_card(shared)
    assert [t for t in buttons(shared) if t in ("A", "B", "Demo day")] == ["A", "B", "Demo day"]
    assert words.added_by.format(names="Person 002") in lines(shared)[-1]

    # The adder votes for it at once.
    voted = await banner(teams, execute(url, buttons(shared)["Demo day"], by=2))
    assert voted == content.polls.messages.voted.format(option="Demo day")
    await conversation.polls.drain()
    assert f"Demo day ▇▇▇▇▇▇▇▇ {votes(content, 1)} (100%)" in lines(updates(connector)[-1])


async def test_templates_and_bad_combinations_in_teams(
    teams: Client,
    connector: StandInConnector,
    content: Content,
    redis_client: aioredis.Redis,
    store: StateStore,
    assert_valid_card: CheckCard,
) -> None:
    words = content.polls.option_messages
    retro = await start(teams, connector, "poll --template retro")
    assert lines(retro)[0] == next(t for t in content.polls.templates if t.name == "retro").question
    assert [t for t in buttons(retro) if t in ("Keep", "Drop", "Try")] == ["Keep", "Drop", "Try"]
    poll_keys = {k async for k in redis_client.scan_iter(match=f"{store.prefix}:poll:*")}

    for text, wording in [
        (
            'poll "Lunch?" "Pizza" "Sushi" "Tacos" --multi 5',
            words.multi_out_of_range.format(value=5, max=3),
        ),
        (
            "poll --template nope",
            words.unknown_template.format(name="nope", names="team, retro, meeting, confidence"),
        ),
    ]:
        refusal = await start(teams, connector, text)
        assert_valid_card(refusal)
        assert wording in " ".join(lines(refusal))
        assert not any(d["aic_action"] == "poll.vote" for d in buttons(refusal).values())
    after = {k async for k in redis_client.scan_iter(match=f"{store.prefix}:poll:*")}
    assert after == poll_keys  # nothing written for the refused ones
