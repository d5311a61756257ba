"""The editor's loop through Teams: questions @mentioned in a channel and a 👎 pressed on
the answer card show up in ``ai-choice faq report`` with real counts.

Every activity is a recorded Teams payload posted to the real ``/api/messages``; the
button pressed is the one on the card the stand-in Bot Connector received.
"""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from adapters.teams.cards import ACTION_KEY, VALUE_KEY
from bot.content import Content
from bot.faq import ASKED, build_report
from bot.store import StateStore
from tests.teams.conftest import ConnectorCall, StandInConnector, actions, payload
from tests.wording import faq_question

Client = TestClient[Any, Any]

CHANNEL_THREAD = "19:c1b2a3d4e5f6a7b8c9d0e1f2a3b4c5d6@thread.tacv2;messageid=1764338740112"
PRIVACY = "is open source ai better for privacy"
UNKNOWN = "can you reset my vpn password"


async def mention(
    teams: Client, connector: StandInConnector, activity_id: str, text: str
) -> ConnectorCall:
    """@mention the bot in the channel thread with ``text``; the one reply it sent."""
    before = len(connector.calls)
    activity = payload(
        "channel_mention", connector.url, id=activity_id, text=f"<at>AI Choice</at> {text}\n"
    )
    response = await teams.post("/api/messages", json=activity)
    assert response.status == 201, await response.text()
    (reply,) = connector.calls[before:]
    assert (reply.conversation_id, reply.activity_id) == (CHANNEL_THREAD, activity_id)
    return reply


def execute_press(service_url: str, card_message: str, button: dict[str, Any]) -> dict[str, Any]:
    """The ``adaptiveCard/action`` invoke Teams sends when ``button`` (an Action.Execute on
    the card posted as ``card_message`` in the channel thread) is pressed."""
    channel = payload("channel_mention", service_url)
    action = {k: button[k] for k in ("type", "title", "verb", "data")}
    return payload(
        "card_action_invoke",
        service_url,
        id="f:0b8f4e2a-faq-report-not-helpful",
        conversation=channel["conversation"],
        channelData=channel["channelData"],
        replyToId=card_message,
        value={"action": action, "trigger": "manual"},
    )


async def test_teams_questions_and_a_thumbs_down_show_in_the_faq_report(
    teams: Client, connector: StandInConnector, store: StateStore, content: Content
) -> None:
    """The editor sees the unanswered question twice and the privacy answer with one 👎."""
    strings = content.strings
    answer = await mention(
        teams, connector, "1764338740112", "Is open source AI better for privacy?"
    )
    assert answer.card["body"][0]["text"] == faq_question(content, "privacy")
    not_helpful = [b for b in actions(answer.card) if b["title"] == strings.faq_not_helpful]
    assert len(not_helpful) == 1, actions(answer.card)
    (button,) = not_helpful
    assert button["type"] == "Action.Execute"
    assert button["verb"] == button["data"][ACTION_KEY] == "faq.feedback"
    assert button["data"][VALUE_KEY]

    for activity_id, text in (
        ("1764338750001", UNKNOWN),
        ("1764338760002", "Can you reset my VPN password?"),
    ):
        unknown = await mention(teams, connector, activity_id, text)
        assert strings.faq_unknown in unknown.card["fallbackText"]

    # The answer card was posted as message "reply-1" (the stand-in numbers its replies).
    posted = len(connector.calls)
    response = await teams.post(
        "/api/messages", json=execute_press(connector.url, "reply-1", button)
    )
    assert response.status == 200
    shown = await response.json()
    assert shown["statusCode"] == 200
    assert shown["value"] == strings.faq_feedback_sorry
    assert connector.calls[posted:] == [], "the thanks is for the presser, not the channel"

    report = await build_report(store, content.faq)
    assert [(q.question, q.count, q.outcome) for q in report.unanswered] == [
        (UNKNOWN, 2, "unknown")
    ]
    assert [(d.entry, d.question, d.down, d.up) for d in report.downvoted] == [
        ("privacy", "Is open source AI better for privacy?", 1, 0)
    ]
    assert report.low_confidence == [], "the privacy question was answered confidently"
    assert dict(await store.ranked_members(*ASKED)) == {PRIVACY: 1, UNKNOWN: 2}
