"""What one Teams activity may cost, and what it may reach: the question length cap, deeply
nested JSON, and polls that belong to the platform and tenant that started them.

Activities are posted to the real server (local mode); replies are what the stand-in
connector received; Redis is real.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp.test_utils import TestClient

from bot.content import Content
from bot.conversation import Conversation
from bot.events import Actor
from tests.health_watch import HealthWatch
from tests.teams.conftest import StandInConnector, actions, payload
from tests.teams.poll_flow import execute, mention, shown

Client = TestClient[Any, Any]
NESTED = "[" * 100_000 + "]" * 100_000


async def test_a_200000_character_message_gets_a_friendly_note_and_health_keeps_answering(
    teams: Client, connector: StandInConnector, content: Content
) -> None:
    activity = payload("personal_message", connector.url, text="a" * 200_000)
    async with HealthWatch(str(teams.make_url("/healthz"))) as health:
        response = await teams.post("/api/messages", json=activity)  # returns once replied
    assert response.status == 201
    (call,) = connector.calls
    wording = content.strings.question_too_long.format(max="1,000")
    assert wording in json.dumps(call.body, ensure_ascii=False)
    # Typo correction took ~10 s on this before the cap, and the loop answered nothing.
    assert health.answers >= 2 and health.slowest < 1.0, health.slowest


async def test_deeply_nested_json_gets_400(teams: Client, connector: StandInConnector) -> None:
    for body in (NESTED, '{"type":"message","text":' + NESTED + "}"):
        response = await teams.post(
            "/api/messages", data=body.encode(), headers={"Content-Type": "application/json"}
        )
        assert response.status == 400, response.status  # 500 before: RecursionError
    assert not connector.calls


async def test_a_teams_vote_on_a_slack_poll_finds_no_poll(
    teams: Client, connector: StandInConnector, conversation: Conversation, content: Content
) -> None:
    slack = Actor("slack", "T0001", "C0001", "U0001", "ada")
    (started,) = await conversation.polls.start(slack, '"Lunch?" "Pizza" "Sushi"')
    poll_id = started.meta["poll"]
    for action in ("poll.vote", "poll.close", "poll.export"):
        value = f"{poll_id}:0" if action == "poll.vote" else poll_id
        said = await shown(
            teams, execute(connector.url, {"aic_action": action, "aic_value": value}, 1)
        )
        assert content.polls.messages.poll_missing in said, (action, said)
    tally = await conversation.polls.polls.tally(poll_id, 2, with_voters=True)
    assert tally.counts == (0, 0) and tally.voters == 0 and not tally.closed


async def test_a_vote_from_another_tenant_finds_no_poll(
    teams: Client, connector: StandInConnector, conversation: Conversation, content: Content
) -> None:
    await teams.post("/api/messages", json=mention(connector.url, 'poll "Lunch?" "Pizza" "Sushi"'))
    (posted,) = [c for c in connector.delivered if c.method == "POST"]
    vote = next(
        a["data"] for a in actions(posted.card) if a["data"].get("aic_action") == "poll.vote"
    )
    poll_id = vote["aic_value"].partition(":")[0]
    elsewhere = execute(connector.url, vote, 2)
    elsewhere["channelData"] = {**elsewhere["channelData"], "tenant": {"id": "other-tenant"}}
    elsewhere["conversation"] = {**elsewhere["conversation"], "tenantId": "other-tenant"}
    assert content.polls.messages.poll_missing in await shown(teams, elsewhere)
    tally = await conversation.polls.polls.tally(poll_id, 2, with_voters=True)
    assert tally.voters == 0
    # The same press from the poll's own tenant counts.
    said = await shown(teams, execute(connector.url, vote, 2))
    assert content.polls.messages.voted.format(option="Pizza") in said


async def test_a_refresh_of_a_poll_from_another_tenant_or_platform_shows_nothing_of_it(
    teams: Client, connector: StandInConnector, conversation: Conversation, content: Content
) -> None:
    """``poll.view`` (the refresh that draws a person's own view of a poll card) carries the
    poll's id in its data: a forged one naming another tenant's or a Slack poll must not
    show that poll's question, tallies or voters' names."""
    await teams.post(
        "/api/messages", json=mention(connector.url, 'poll "Secret plan?" "Pizza" "Sushi"')
    )
    (posted,) = [c for c in connector.delivered if c.method == "POST"]
    vote = next(
        a["data"] for a in actions(posted.card) if a["data"].get("aic_action") == "poll.vote"
    )
    poll_id = vote["aic_value"].partition(":")[0]
    await shown(teams, execute(connector.url, vote, 3))  # Person 003 votes, named on the card
    view = {"aic_action": "poll.view", "aic_value": poll_id}
    elsewhere = execute(connector.url, view, 2, trigger="automatic")
    elsewhere["channelData"] = {**elsewhere["channelData"], "tenant": {"id": "other-tenant"}}
    elsewhere["conversation"] = {**elsewhere["conversation"], "tenantId": "other-tenant"}
    said = await shown(teams, elsewhere)
    assert said == [content.polls.messages.poll_missing], said
    slack = Actor("slack", "T0001", "C0001", "U0001", "ada")
    (started,) = await conversation.polls.start(slack, '"Slack secret?" "A" "B"')
    slack_view = {"aic_action": "poll.view", "aic_value": started.meta["poll"]}
    said = await shown(teams, execute(connector.url, slack_view, 2, trigger="automatic"))
    assert said == [content.polls.messages.poll_missing], said
    # The poll's own tenant still gets its view, with the voter's name.
    said = await shown(teams, execute(connector.url, view, 2, trigger="automatic"))
    assert "Secret plan?" in said and "Person 003" in said, said
