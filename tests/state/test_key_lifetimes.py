"""Every key the bot leaves in Redis expires, or is one of the documented bounded ones.

One test runs the main flows through the real front ends (Slack over signed HTTP, Teams
through ``/api/messages``) on one store, then scans every key under the test's prefix.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.bounded_keys import BOUNDED_KEYS
from bot.conversation import Conversation
from bot.poll_store import POLL_TTL_SECONDS
from bot.replies import Action
from bot.store import StateStore
from tests.slack import experts_kit as experts
from tests.slack.conftest import SlackBot, button, direct, load_payload, mention
from tests.slack.polls_kit import CHANNEL, CREATOR, controls, person, press, start_poll
from tests.slack.slack_stand_in import Call
from tests.teams import poll_flow
from tests.teams.conftest import StandInConnector, payload

Client = TestClient[Any, Any]
#: Keys the flows below must have written, as patterns of the key under the prefix.
REACHED = (
    r"quiz:slack:T0001:U0QUIZ",
    r"quiz:slack:T0001:U2147483697",
    r"quiz:teams:.+",
    r"poll:\{[0-9a-f]+\}:(meta|state|votes|counts|names|profiles|reminded|remind-job)",
    r"slack:user:T0001:.+",
    r"slack:event:T0001:.+",
    r"teams:(conversation|welcome|activity):.+",
    r"poll-schedule:[0-9a-f]+",
    r"poll-mine:slack:T0001:.+",
    r"poll-series:slack:T0001:.+",
    r"experts:\{experts\}:ticket:[0-9a-f]+",
    r"experts:place:slack:T0001",
    r"experts:asked:slack:T0001:.+",
)
QUIZ_USER = {"id": "U0QUIZ", "username": "quinn", "name": "quinn", "team_id": "T0001"}


async def slack_questionnaire(
    bot: SlackBot, blocks: list[dict[str, Any]], name: str, **who: Any
) -> None:
    """Answer all ten questions by pressing the first option each time."""
    for step in range(10):
        url = f"{name}-{step}"
        await bot.interact(bot.press_payload(button(blocks, "quiz.answer"), url, **who))
        await bot.slack.response_named(url)
        blocks = bot.slack.responses(url)[0].body["blocks"]


async def slack_flows(bot: SlackBot, conversation: Conversation) -> None:
    """The questionnaire, FAQ with feedback, polls (named, timed, anonymous) and events."""
    bot.slack.users[CREATOR] = person(CREATOR, name="steve")
    ack = await bot.slash("")
    await slack_questionnaire(bot, ack["blocks"], "quiz")
    for question in ("is open source better for privacy?", "can you reset my vpn password"):
        await bot.slash(f"ask {question}")
    answer = await bot.slash("ask is open source AI cheaper?")
    await bot.press(button(answer["blocks"], "faq.feedback", 0), "thumbs-up")
    await bot.press(button(answer["blocks"], "faq.feedback", 1), "thumbs-down")

    poll = await start_poll(bot, conversation, '"Lunch?" "Pizza" "Salad" --closes-in 4h')
    await press(bot, poll, poll.vote_button(0), "U0ANN", "ann")
    await press(bot, poll, poll.vote_button(1), "U0BOB", "bob")
    await press(bot, poll, controls(poll.blocks)["poll.close"], CREATOR, "steve")
    await press(bot, poll, controls(poll.blocks)["poll.export"], CREATOR, "steve")
    await bot.slack.wait_for(bot.slack.uploaded_files)

    await bot.slash('poll "Standup?" "Good" "Bad" --repeat weekdays --at 09:30 --closes-in 2h')
    await bot.slash('poll "Offsite?" "Lisbon" "Porto" --post-in 1d')

    anonymous = await start_poll(bot, conversation, "--anonymous --closes-in 2d")
    await bot.interact(
        bot.press_payload(
            anonymous.vote_button(3),
            "not-sure",
            user=QUIZ_USER,
            container={"type": "message", "message_ts": anonymous.ts, "channel_id": CHANNEL},
        )
    )
    await bot.slack.wait_for(lambda: len(bot.slack.responses("not-sure")) == 2)
    blocks = bot.slack.responses("not-sure")[1].body["blocks"]
    await slack_questionnaire(bot, blocks, "vote", user=QUIZ_USER)
    await bot.slack.wait_for(lambda: len(bot.slack.responses("vote-9")) == 2)

    await slack_reminders(bot, conversation)
    await bot.event(mention("<@UBOT0001> is open source better for privacy?", "Ev0MENTION77"))
    await bot.event(direct("what is a hybrid approach?", "Ev0DIRECT077"))
    await bot.event(load_payload("event_app_home_opened"))
    await bot.slack.wait_for(lambda: bot.slack.api_calls("views.publish"))
    await bot.slack.wait_for(lambda: len(bot.slack.api_calls("chat.postMessage")) >= 4)
    await experts_flows(bot, conversation)


async def experts_flows(bot: SlackBot, conversation: Conversation) -> None:
    """Questions to the experts: one answered into the FAQ, one answered by a phrasing
    added to an entry, one left open."""
    experts.people(bot.slack)
    await experts.choose_experts_channel(bot)
    for learn, text in ((True, experts.DECLINED), (False, "can interns use our chatgpt plan?")):
        card = await experts.ticket_card(bot, bot.slack, conversation, text)
        ticket = button(card["blocks"], Action.EXPERT_ANSWER)["value"]
        if learn:
            await bot.interact(experts.submission(ticket, experts.ANN, "Yes, ask IT.", learn=True))
        else:
            entry = conversation.content.faq.entries[0].id
            value = f"{ticket}:{entry}"
            picked = {
                "action_id": f"{Action.EXPERT_PHRASING.value}|0",
                "value": value,
                "text": {"type": "plain_text", "text": "same"},
            }
            await bot.press(picked, "same", **experts.expert_press(experts.BOB))
        await experts.until_state(conversation, ticket, "answered")
    await experts.ticket_card(bot, bot.slack, conversation, "who runs our chatgpt pilot?")


async def slack_reminders(bot: SlackBot, conversation: Conversation) -> None:
    """A timed reminder still to come, a Remind press, and a burst a stopped server left."""
    reminders = conversation.polls.reminders
    reminders.send_interval = 0
    bot.slack.members[CHANNEL] = [CREATOR, "U0ANN", "U0BOB"]
    timed = await start_poll(bot, conversation, '"Tea?" "Yes" "No" --remind-in 1d')
    await press(bot, timed, controls(timed.blocks)["poll.remind"], CREATOR, "steve")

    async def stop_at_the_first_reminder(call: Call) -> None:
        if call.name == "chat.postMessage" and bot.slack.direct_messages():
            bot.slack.on_call = None
            await reminders.stop()

    left = await start_poll(bot, conversation, '"Coffee?" "Yes" "No"')
    reminders.answer_within = 0
    bot.slack.on_call = stop_at_the_first_reminder
    await press(bot, left, controls(left.blocks)["poll.remind"], CREATOR, "steve")
    await bot.slack.wait_for(lambda: bot.slack.on_call is None, what="the first reminder")


async def teams_flows(teams: Client, connector: StandInConnector) -> None:
    """Added to a team, a question in a personal chat, a poll in a channel with votes."""
    for name in ("conversation_update_team", "installation_update_add"):
        assert (await teams.post("/api/messages", json=payload(name, connector.url))).status == 201
    for text in ("is open source AI better for privacy?", "start"):
        message = payload("personal_message", connector.url, text=text, id=f"personal-{text}")
        assert (await teams.post("/api/messages", json=message)).status == 201
    started = poll_flow.mention(connector.url, 'poll "Tea?" "Yes" "No"')
    assert (await teams.post("/api/messages", json=started)).status == 201
    card = poll_flow.posts(connector)[-1]
    options = poll_flow.buttons(card)
    for voter in (2, 3):
        await poll_flow.banner(teams, poll_flow.execute(connector.url, options["Yes"], by=voter))
    # Multiple choice and an option added by a voter (the card's box sent with its button).
    started = poll_flow.mention(connector.url, 'poll "Snacks?" "Tea" "Cake" --multi 2 --allow-add')
    assert (await teams.post("/api/messages", json=started)).status == 201
    options = poll_flow.buttons(poll_flow.posts(connector)[-1])
    for option in ("Tea", "Cake"):
        await poll_flow.banner(teams, poll_flow.execute(connector.url, options[option], by=2))
    add = next(d for d in options.values() if d["aic_action"] == "poll.add_option")
    add = {**add, "option": "Fruit"}
    await poll_flow.banner(teams, poll_flow.execute(connector.url, add, by=3))


async def lifetimes(client: aioredis.Redis, prefix: str) -> dict[str, int]:
    """Every key under ``prefix`` (without it) and its TTL in seconds (-1: none)."""
    return {
        key.removeprefix(prefix + ":"): int(await client.ttl(key))
        async for key in client.scan_iter(match=f"{prefix}:*", count=500)
    }


async def test_after_the_main_flows_every_key_expires_or_is_bounded(
    bot: SlackBot,
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    store: StateStore,
    redis_client: aioredis.Redis,
) -> None:
    conversation.polls.refresh_window = 0.05
    await slack_flows(bot, conversation)
    await teams_flows(teams, connector)
    await asyncio.sleep(0.1)
    await conversation.polls.drain()

    found = await lifetimes(redis_client, store.prefix)
    bounded = {b.name for b in BOUNDED_KEYS}
    forever = sorted(k for k, ttl in found.items() if ttl == -1 and k not in bounded)
    assert forever == []
    # The flows reached every kind of key (so the scan above had something to check).
    for kind in REACHED:
        assert any(re.fullmatch(kind, k) for k in found), (kind, sorted(found))
    assert bounded <= set(found), sorted(bounded - set(found))
    # A voter's priorities expire with the poll's votes (90 days after they were written).
    for key, ttl in found.items():
        if key.endswith(":profiles"):
            votes = found[key.removesuffix("profiles") + "votes"]
            assert 0 <= POLL_TTL_SECONDS - ttl < 60 and abs(ttl - votes) < 60


async def test_every_teams_activity_keeps_the_conversation_reference(
    teams: Client, connector: StandInConnector, store: StateStore, redis_client: aioredis.Redis
) -> None:
    """The reference saved at install expires, but every activity there (in any channel of
    the team, or a thread) starts its time again."""
    install = payload("installation_update_add", connector.url)
    assert (await teams.post("/api/messages", json=install)).status == 201
    team = install["conversation"]["id"]
    key = store.key("teams", "conversation", team)
    assert await redis_client.ttl(key) > 0
    await redis_client.expire(key, 60)
    started = poll_flow.mention(connector.url, "is open source better for privacy?")
    assert started["channelData"]["team"]["id"] == team
    assert (await teams.post("/api/messages", json=started)).status == 201
    assert await redis_client.ttl(key) > 60


def readme_bounded_rows(readme: str) -> list[tuple[str, str]]:
    """The rows of the README's table of keys kept without a TTL."""
    section = readme.split("<!-- bounded-keys -->", 2)[1]
    return [
        (cells[0].strip().strip("`"), cells[1].strip())
        for line in section.splitlines()
        if line.startswith("| `")
        for cells in [line.strip("|").split("|")]
    ]


def test_the_readme_lists_exactly_the_bounded_keys(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    assert readme_bounded_rows(readme) == [(b.name, b.bound) for b in BOUNDED_KEYS]
