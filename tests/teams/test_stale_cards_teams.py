"""Teams: a press on an old questionnaire card never acts on the newer run (issue 12 §2).

Driven through the real server with Action.Execute invokes, as the Agents Playground did
when it found the bug: "Why?" on the old result card posted the new run's question 2.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.content import Content
from bot.store import StateStore
from tests.teams.conftest import StandInConnector, payload
from tests.teams.poll_flow import buttons
from tests.wording import progress, shaped_like

Client = TestClient[Any, Any]
#: The recorded personal chat's tenant and Ada's Entra object id (tests/teams/payloads).
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
ADA = "6b4a7a1e-3c0b-4d8e-9b2f-0c1d2e3f4a5b"


def card_text(card: dict[str, Any]) -> str:
    """All the card's text (its fallbackText is every visible string, unescaped)."""
    return str(card["fallbackText"])


def first_answer(card: dict[str, Any]) -> dict[str, str]:
    """The data of the card's first answer button."""
    return next(d for d in buttons(card).values() if d["aic_action"] == "quiz.answer")


async def invoke(teams: Client, connector: StandInConnector, n: int, data: dict[str, str]) -> Any:
    """Press a button carrying ``data`` (an adaptiveCard/action invoke); the response body."""
    value = {
        "action": {"type": "Action.Execute", "verb": data["aic_action"], "data": data},
        "trigger": "manual",
    }
    activity = payload("card_action_invoke", connector.url, id=f"stale-{n}", value=value)
    response = await teams.post("/api/messages", json=activity)
    assert response.status == 200
    return await response.json()


async def test_why_and_back_on_an_old_result_card_change_nothing(
    teams: Client,
    connector: StandInConnector,
    content: Content,
    store: StateStore,
    redis_client: aioredis.Redis,
) -> None:
    a_question = shaped_like(content.strings.progress)
    await invoke(teams, connector, 0, {"aic_action": "quiz.start", "aic_value": ""})
    card = connector.calls[-1].card
    step = 0
    while a_question.search(card_text(card)):
        step += 1
        card = (await invoke(teams, connector, step, first_answer(card)))["value"]
    old_result = buttons(card)
    # Type start, answer question 1: the new run is at question 2.
    typed = payload("personal_message", connector.url, id="typed-start", text="start")
    assert (await teams.post("/api/messages", json=typed)).status == 201
    card = connector.calls[-1].card
    assert progress(content, 1) in card_text(card)
    await invoke(teams, connector, 50, first_answer(card))
    key = store.key("quiz", "teams", TENANT, ADA)
    before = await redis_client.hgetall(key)
    posted = len(connector.calls)
    old = {data["aic_action"]: data for data in old_result.values()}
    for n, pressed in enumerate(("quiz.explain", "quiz.back"), 60):
        body = await invoke(teams, connector, n, old[pressed])
        # The presser sees the note and where they are now, in place of the old card.
        assert body["type"] == "application/vnd.microsoft.card.adaptive", body
        shown = card_text(body["value"])
        assert content.strings.quiz_stale in shown
        assert progress(content, 2) in shown, shown
        assert not any(e["type"] == "Table" for e in body["value"]["body"])
        assert await redis_client.hgetall(key) == before
    assert len(connector.calls) == posted, "a stale press posts nothing to the chat"
