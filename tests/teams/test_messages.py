"""``/api/messages`` with no Microsoft credentials, driven like the Bot Connector drives it.

Every activity is a recorded Teams payload posted to the real server; the replies are
asserted on what the stand-in connector at the activity's serviceUrl received.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, cast

import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.content import Content
from bot.store import StateStore
from tests.teams.conftest import StandInConnector, TeamsTestClient, payload
from tests.teams.poll_flow import text_blocks
from tests.wording import faq_answer, progress, shaped_like

CheckCard = Callable[[dict[str, Any]], None]
Client = TestClient[Any, Any]

PERSONAL_CHAT = "a:1pL2xQ9WmH3k7bE_personal-chat-with-ada"
CHANNEL_THREAD = "19:c1b2a3d4e5f6a7b8c9d0e1f2a3b4c5d6@thread.tacv2;messageid=1764338740112"
CARD_MESSAGE = "1764338600001"


def card_text(card: dict[str, Any]) -> str:
    """All the card's text (its fallbackText is every visible string, unescaped)."""
    return str(card["fallbackText"])


async def test_personal_question_gets_a_valid_faq_card(
    teams: Client, connector: StandInConnector, assert_valid_card: CheckCard, content: Content
) -> None:
    started = time.perf_counter()
    response = await teams.post("/api/messages", json=payload("personal_message", connector.url))
    elapsed = time.perf_counter() - started
    assert response.status == 201
    (call,) = connector.calls
    # A reply to the activity: POST .../activities/{id}
    assert (call.method, call.conversation_id, call.activity_id) == (
        "POST",
        PERSONAL_CHAT,
        "1764338531217",
    )
    assert call.body["type"] == "message"
    assert call.body["replyToId"] == "1764338531217"
    assert_valid_card(call.card)
    assert faq_answer(content, "privacy") in card_text(call.card)
    assert elapsed < 15, "Teams gives a bot 15 seconds"


async def test_a_message_is_acknowledged_before_its_reply_is_sent(
    teams: Client, connector: StandInConnector, content: Content
) -> None:
    # (the conftest class, seen through pytest's own import of conftest.py)
    client = cast(TeamsTestClient, teams)
    connector.hold = asyncio.Event()
    activity = payload("personal_message", connector.url)
    response = await client.post_without_waiting("/api/messages", json=activity)
    assert response.status == 201
    # The 201 came back while the turn was still running (its reply not yet answered).
    assert teams.endpoint.running == 1
    connector.hold.set()
    await client.turns_finished()
    (call,) = connector.delivered
    assert faq_answer(content, "privacy") in card_text(call.card)
    # A redelivery while (or after) the first turn runs is still answered once.
    again = await teams.post("/api/messages", json=activity)
    assert again.status == 200
    assert len(connector.calls) == 1


async def test_channel_mention_is_removed_and_answered_in_the_thread(
    teams: Client, connector: StandInConnector, assert_valid_card: CheckCard, content: Content
) -> None:
    response = await teams.post("/api/messages", json=payload("channel_mention", connector.url))
    assert response.status == 201
    (call,) = connector.calls
    assert call.conversation_id == CHANNEL_THREAD
    assert call.activity_id == "1764338740112"
    assert_valid_card(call.card)
    # Answered as the FAQ entry: "<at>AI Choice</at>" did not reach the matcher.
    assert faq_answer(content, "privacy") in card_text(call.card)


async def test_bare_mention_gets_the_menu(
    teams: Client, connector: StandInConnector, content: Content
) -> None:
    activity = payload("channel_mention", connector.url, text="<at>AI Choice</at>")
    assert (await teams.post("/api/messages", json=activity)).status == 201
    assert content.strings.menu_quiz in card_text(connector.calls[0].card)


async def test_compare_and_help_words(
    teams: Client, connector: StandInConnector, assert_valid_card: CheckCard, content: Content
) -> None:
    for index, word in enumerate(["compare", "help", "<at>AI Choice</at> ai-choice"]):
        activity = payload("channel_mention", connector.url, id=f"m{index}", text=word)
        assert (await teams.post("/api/messages", json=activity)).status == 201
    compare, help_card, start = (call.card for call in connector.calls)
    for card in (compare, help_card, start):
        assert_valid_card(card)
    assert any(e["type"] == "Table" for e in compare["body"])
    assert content.strings.help_header in card_text(help_card)
    assert progress(content, 1) in card_text(start)


def execute_press(service_url: str, index: int, data: dict[str, str]) -> dict[str, Any]:
    """An adaptiveCard/action invoke for a press on a button carrying ``data``."""
    value = {
        "action": {"type": "Action.Execute", "verb": data["aic_action"], "data": data},
        "trigger": "manual",
    }
    return payload("card_action_invoke", service_url, id=f"invoke-{index}", value=value)


def submit_press(service_url: str, index: int, data: dict[str, str]) -> dict[str, Any]:
    """An Action.Submit press: a message activity with ``value``, replying to the card."""
    return payload("card_submit", service_url, id=f"submit-{index}", value=data)


def first_answer(card: dict[str, Any]) -> dict[str, str]:
    """The data of the card's first answer button (the Execute action's data)."""
    action_set = next(e for e in card["body"] if e["type"] == "ActionSet")
    data: dict[str, str] = action_set["actions"][0]["data"]
    return data


async def test_questionnaire_through_universal_actions(
    teams: Client, connector: StandInConnector, assert_valid_card: CheckCard, content: Content
) -> None:
    a_question = shaped_like(content.strings.progress)
    # "Take the questionnaire" on the menu card: the question is a NEW message.
    response = await teams.post(
        "/api/messages",
        json=execute_press(connector.url, 0, {"aic_action": "quiz.start", "aic_value": ""}),
    )
    assert response.status == 200
    body = await response.json()
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.activity.message"
    card = connector.calls[-1].card
    steps = 0
    while a_question.search(card_text(card)):
        steps += 1
        response = await teams.post(
            "/api/messages", json=execute_press(connector.url, steps, first_answer(card))
        )
        assert response.status == 200
        body = await response.json()
        # Each answer updates the card in place through the invoke response.
        assert body["statusCode"] == 200
        assert body["type"] == "application/vnd.microsoft.card.adaptive"
        card = body["value"]
        assert_valid_card(card)
    assert steps >= 8
    assert shaped_like(content.strings.result_header).match(card["body"][0]["text"])
    assert len(connector.calls) == 1, "answers never post new messages"


async def test_questionnaire_through_submit_fallback(
    teams: Client, connector: StandInConnector, assert_valid_card: CheckCard, content: Content
) -> None:
    a_question = shaped_like(content.strings.progress)
    start = {"aic_action": "quiz.start", "aic_value": ""}
    assert (
        await teams.post("/api/messages", json=submit_press(connector.url, 0, start))
    ).status == 201
    card = connector.calls[-1].card
    steps = 0
    while a_question.search(card_text(card)):
        steps += 1
        before = len(connector.calls)
        press = submit_press(connector.url, steps, first_answer(card))
        assert (await teams.post("/api/messages", json=press)).status == 201
        (update,) = connector.calls[before:]
        # The card's own message is updated in place: PUT .../activities/{replyToId}.
        assert (update.method, update.activity_id) == ("PUT", CARD_MESSAGE)
        assert update.body["id"] == CARD_MESSAGE
        card = update.card
        assert_valid_card(card)
    assert steps >= 8
    assert shaped_like(content.strings.result_header).match(card["body"][0]["text"])


async def test_redelivered_activity_is_handled_once(
    teams: Client, connector: StandInConnector, store: StateStore, redis_client: aioredis.Redis
) -> None:
    activity = payload("personal_message", connector.url)
    first = await teams.post("/api/messages", json=activity)
    again = await teams.post("/api/messages", json=activity)
    assert (first.status, again.status) == (201, 200)
    assert len(connector.calls) == 1
    assert await redis_client.ttl(store.key("teams", "activity", activity["id"])) > 3000


async def test_malformed_bodies_are_400(
    teams: Client, connector: StandInConnector, store: StateStore, redis_client: aioredis.Redis
) -> None:
    good = payload("personal_message", connector.url)
    no_type = {k: v for k, v in good.items() if k != "type"}
    no_conversation = {k: v for k, v in good.items() if k != "conversation"}
    no_service_url = {k: v for k, v in good.items() if k != "serviceUrl"}
    cases: list[tuple[bytes | str, str]] = [
        (b"not json", "application/json"),
        (b'{"type": "message"', "application/json"),
        (b"[1, 2]", "application/json"),
        (b"\xff\xfe", "application/json"),
        (b"", "application/json"),
        (b"type=message", "application/x-www-form-urlencoded"),
        (b"{}", "text/plain"),
    ]
    for data, content_type in cases:
        response = await teams.post(
            "/api/messages", data=data, headers={"Content-Type": content_type}
        )
        assert response.status == 400, (data, content_type)
    for body in (
        no_type,
        no_conversation,
        no_service_url,
        {**good, "type": 5},
        {**good, "timestamp": "yesterday"},
        {**good, "entities": [1]},
        {**good, "conversation": "x"},
    ):
        assert (await teams.post("/api/messages", json=body)).status == 400, body
    assert connector.calls == []
    assert [k async for k in redis_client.scan_iter(match=f"{store.prefix}:*")] == []


async def test_added_to_a_team_welcomes_and_stores_the_reference(
    teams: Client,
    connector: StandInConnector,
    store: StateStore,
    assert_valid_card: CheckCard,
    content: Content,
) -> None:
    update = payload("conversation_update_team", connector.url)
    install = payload("installation_update_add", connector.url)
    assert (await teams.post("/api/messages", json=update)).status == 201
    assert (await teams.post("/api/messages", json=install)).status == 201
    # Teams sends both when the app is added: one welcome, to the conversation itself.
    (call,) = connector.calls
    assert (call.method, call.conversation_id, call.activity_id) == (
        "POST",
        "19:team0a1b2c3d4e5f@thread.tacv2",
        None,
    )
    assert_valid_card(call.card)
    assert content.strings.menu_quiz in card_text(call.card)
    reference = await store.get_json("teams", "conversation", "19:team0a1b2c3d4e5f@thread.tacv2")
    assert reference == {
        "service_url": connector.url,
        "channel_id": "msteams",
        "conversation_id": "19:team0a1b2c3d4e5f@thread.tacv2",
        "conversation_type": "channel",
        "tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "team_id": "19:team0a1b2c3d4e5f@thread.tacv2",
        "bot_id": "28:0e5d2c1b-aaaa-bbbb-cccc-1234567890ab",
        "bot_name": "AI Choice",
    }


async def test_installed_in_a_personal_chat_welcomes(
    teams: Client, connector: StandInConnector, store: StateStore, content: Content
) -> None:
    conversation = {"conversationType": "personal", "id": PERSONAL_CHAT}
    install = payload("installation_update_add", connector.url, conversation=conversation)
    del install["channelData"]["team"]
    assert (await teams.post("/api/messages", json=install)).status == 201
    (call,) = connector.calls
    assert (call.conversation_id, call.activity_id) == (PERSONAL_CHAT, None)
    assert content.strings.menu_quiz in card_text(call.card)
    reference = await store.get_json("teams", "conversation", PERSONAL_CHAT)
    assert reference["conversation_type"] == "personal"
    assert reference["team_id"] == ""
    assert reference["tenant_id"] == "72f988bf-86f1-41af-91ab-2d7cd011db47"


async def test_someone_else_joining_is_not_a_welcome(
    teams: Client, connector: StandInConnector
) -> None:
    update = payload("conversation_update_team", connector.url, membersAdded=[{"id": "29:someone"}])
    assert (await teams.post("/api/messages", json=update)).status == 201
    assert connector.calls == []


async def test_user_text_stays_plain_in_the_card(
    teams: Client, connector: StandInConnector, assert_valid_card: CheckCard
) -> None:
    activity = payload("personal_message", connector.url, text="ask **bold** [link](http://x)")
    assert (await teams.post("/api/messages", json=activity)).status == 201
    card = connector.calls[0].card
    assert_valid_card(card)
    texts = [block["text"] for block in card["body"] if block["type"] == "TextBlock"]
    assert texts, card["body"]
    for text in texts:
        assert "**" not in text.replace("\\*", "")
        assert "](" not in text.replace("\\]", "")


async def test_throttled_send_is_retried(
    teams: Client, connector: StandInConnector, assert_valid_card: CheckCard
) -> None:
    connector.fail_with = [429]
    response = await teams.post("/api/messages", json=payload("personal_message", connector.url))
    assert response.status == 201
    assert [c.status for c in connector.calls] == [429, 200]
    assert connector.calls[0].body == connector.calls[1].body
    assert_valid_card(connector.delivered[0].card)


async def test_throttled_update_is_retried(teams: Client, connector: StandInConnector) -> None:
    start = {"aic_action": "quiz.start", "aic_value": ""}
    await teams.post("/api/messages", json=submit_press(connector.url, 0, start))
    connector.fail_with = [429, 502]
    press = submit_press(connector.url, 1, first_answer(connector.calls[-1].card))
    assert (await teams.post("/api/messages", json=press)).status == 201
    assert [(c.method, c.status) for c in connector.calls[1:]] == [
        ("PUT", 429),
        ("PUT", 502),
        ("PUT", 200),
    ]


async def test_persistent_failure_gives_up_without_a_500(
    teams: Client, connector: StandInConnector
) -> None:
    connector.fail_with = [503]
    response = await teams.post("/api/messages", json=payload("personal_message", connector.url))
    assert response.status == 201  # logged; 503 is not one to retry
    assert [c.status for c in connector.calls] == [503]


async def test_unknown_invoke_data_is_a_card_error(
    teams: Client, connector: StandInConnector
) -> None:
    invoke = payload("card_action_invoke", connector.url)
    invoke["value"]["action"]["data"] = {"something": "else"}
    response = await teams.post("/api/messages", json=invoke)
    assert response.status == 200
    body = await response.json()
    assert body["statusCode"] == 400
    assert body["type"] == "application/vnd.microsoft.error"


def titles(card: dict[str, Any]) -> list[str]:
    """Every button title on the card (Execute actions and their Submit fallbacks)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Action."):
                found.append(str(node.get("title", "")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


async def test_no_button_title_is_too_long_to_show_whole(
    teams: Client, connector: StandInConnector, assert_valid_card: CheckCard
) -> None:
    """Teams cuts a button title that does not fit (it never wraps one): long options and
    FAQ suggestions become numbered lines of text with short numbered buttons."""
    from adapters.teams.cards import LONG_LABEL

    cards: list[dict[str, Any]] = []
    response = await teams.post(
        "/api/messages",
        json=execute_press(connector.url, 0, {"aic_action": "quiz.start", "aic_value": ""}),
    )
    assert response.status == 200
    card = connector.calls[-1].card
    for step in range(1, 11):
        cards.append(card)
        response = await teams.post(
            "/api/messages", json=execute_press(connector.url, step, first_answer(card))
        )
        card = (await response.json())["value"]
    cards.append(card)
    question_two = cards[1]
    # Question 2's first option is 49 characters: shown as text, pressed as "1".
    assert "1\\. Our own engineers, who already run infrastructure" in [
        b["text"] for b in question_two["body"] if b["type"] == "TextBlock"
    ]
    assert titles(question_two)[:6] == ["1", "1", "2", "2", "3", "3"]
    for text in ("how do I deploy an open source model", "privacy", "which one is cheaper?"):
        activity = payload("personal_message", connector.url, text=text, id=f"ask-{text}")
        assert (await teams.post("/api/messages", json=activity)).status == 201
        cards.append(connector.calls[-1].card)
    for shown in cards:
        assert_valid_card(shown)
        too_long = [t for t in titles(shown) if len(t) > LONG_LABEL]
        assert not too_long, too_long


async def test_angle_brackets_show_as_typed(
    teams: Client, connector: StandInConnector, assert_valid_card: CheckCard
) -> None:
    """The Playground's renderer reads HTML in a TextBlock ("<model>" vanished): escaped,
    markdown-it with HTML on (as the Playground's renderer) shows the text as typed."""
    from markdown_it import MarkdownIt

    markdown = MarkdownIt("commonmark", {"html": True})
    title = "Use <model> or a <b>vendor</b> API?"
    activity = payload("personal_message", connector.url, text=f'poll "{title}" "A" "B"')
    assert (await teams.post("/api/messages", json=activity)).status == 201
    poll = connector.calls[-1].card
    help_ = payload("personal_message", connector.url, text="help", id="help-1")
    assert (await teams.post("/api/messages", json=help_)).status == 201
    help_card = connector.calls[-1].card
    for card, typed in ((poll, title), (help_card, "• ask <question>: for example")):
        assert_valid_card(card)
        blocks = [b["text"] for b in text_blocks(card)]
        block = next(b for b in blocks if b.startswith(typed[:3]))
        tokens = markdown.parseInline(block)[0].children or []
        assert not [t for t in tokens if t.type == "html_inline"], tokens
        visible = "".join(t.content for t in tokens if t.type == "text")
        assert visible.startswith(typed), visible


async def test_share_to_channel_only_outside_personal_chats(
    teams: Client, connector: StandInConnector
) -> None:
    """In a personal chat "Share to channel" would repost into the same chat: not offered."""
    personal = execute_press(connector.url, 0, {"aic_action": "quiz.start", "aic_value": ""})
    assert (await teams.post("/api/messages", json=personal)).status == 200
    card = connector.calls[-1].card
    step = 0
    while "Question" in card_text(card):
        step += 1
        response = await teams.post(
            "/api/messages", json=execute_press(connector.url, step, first_answer(card))
        )
        card = (await response.json())["value"]
    assert card["body"][0]["text"].startswith("Recommendation")
    assert "Share to channel" not in titles(card)
    assert "Why? Every dimension" in titles(card)
    # The same questionnaire in a channel thread keeps it.
    from tests.teams.poll_flow import execute

    start = execute(connector.url, {"aic_action": "quiz.start", "aic_value": ""}, by=5)
    start["id"] = "share-start"
    assert (await teams.post("/api/messages", json=start)).status == 200
    card = connector.calls[-1].card
    while "Question" in card_text(card):
        step += 1
        press = execute(connector.url, first_answer(card), by=5)
        press["id"] = f"share-{step}"
        response = await teams.post("/api/messages", json=press)
        card = (await response.json())["value"]
    assert "Share to channel" in titles(card)


def _hybrid_answers(conversation: Any, run: str) -> list[str]:
    """Answers (``run:step:option`` values) that come out Hybrid, found with the real scoring."""
    import itertools
    import random

    from bot.scoring import score

    questions = conversation.content.questionnaire.questions
    rng = random.Random(12)
    for _ in itertools.repeat(None, 5000):
        answers = {q.id: rng.choice(q.options).id for q in questions}
        if score(conversation.content, answers).outcome == "hybrid":
            return [f"{run}:{step}:{answers[q.id]}" for step, q in enumerate(questions)]
    raise AssertionError("no hybrid answers found")


async def test_hybrid_result_and_why_table_say_what_they_mean(
    teams: Client, connector: StandInConnector, conversation: Any
) -> None:
    """ "Hybrid (a strong lean)" said nothing about the mix, and the Why table showed
    "+0 neither": the header names the side a hybrid leans on, a zero is a plain 0."""
    start = execute_press(connector.url, 100, {"aic_action": "quiz.start", "aic_value": ""})
    assert (await teams.post("/api/messages", json=start)).status == 200
    run = first_answer(connector.calls[-1].card)["aic_value"].partition(":")[0]
    card: dict[str, Any] = {}
    for step, value in enumerate(_hybrid_answers(conversation, run), 101):
        data = {"aic_action": "quiz.answer", "aic_value": value}
        response = await teams.post("/api/messages", json=execute_press(connector.url, step, data))
        card = (await response.json())["value"]
    header = card["body"][0]["text"]
    assert header.startswith("Recommendation: Hybrid ("), header
    assert "lean)" not in header
    assert any(
        side in header
        for side in ("leaning on open source", "leaning on closed source", "an even mix of both")
    )
    why = execute_press(connector.url, 200, {"aic_action": "quiz.explain", "aic_value": run})
    assert (await teams.post("/api/messages", json=why)).status == 200
    table = connector.calls[-1].card
    rows = [
        [cell["items"][0]["text"] for cell in row["cells"]]
        for element in table["body"]
        if element["type"] == "Table"
        for row in element["rows"][1:]
    ]
    assert rows
    assert not [row for row in rows if row[1] in ("+0", "-0")], rows
    assert all(row[2] == "no lean" for row in rows if row[1] == "0")


async def test_no_share_on_a_team_poll_questionnaire_result_in_a_personal_chat(
    teams: Client, connector: StandInConnector
) -> None:
    from tests.teams.poll_flow import buttons, execute

    personal = payload("personal_message", connector.url, text="poll", id="team-poll")
    assert (await teams.post("/api/messages", json=personal)).status == 201
    poll = connector.calls[-1].card
    chat = {"conversation": personal["conversation"], "channelData": personal["channelData"]}
    step = 0

    async def press(data: dict[str, str]) -> dict[str, Any]:
        nonlocal step
        step += 1
        activity = execute(connector.url, data, by=7) | chat | {"id": f"team-{step}"}
        response = await teams.post("/api/messages", json=activity)
        card: dict[str, Any] = (await response.json())["value"]
        return card

    card = await press(buttons(poll)["Not sure — help me decide"])
    while "Question" in card_text(card):
        card = await press(first_answer(card))
    assert "Recommendation" in card_text(card)
    assert "Share to channel" not in titles(card)
