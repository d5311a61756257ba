"""The reused-client adapter's serializer: the same JSON msrest itself would send."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes, Attachment, CardAction, Mention
from botframework.connector import models
from msrest import Serializer

from adapters.teams.adapter import CardSerializer, _model_json
from adapters.teams.delivery import card_activity
from adapters.teams.endpoint import parse_activity
from bot.replies import Action, Choice, ChoiceStyle, Fact, Reply
from tests.teams.conftest import payload

SENT_AT = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
MODELS = {k: v for k, v in models.__dict__.items() if isinstance(v, type)}


def test_card_bodies_serialise_exactly_as_msrest_does() -> None:
    reply = Reply(
        kind="faq.answer",
        facts=(Fact("Cost", "low"),),
        text="Because it can be self-hosted.\n\nMore *here*",
        header="Privacy",
        choices=(Choice("Yes", "quiz.start", "1", ChoiceStyle.PRIMARY), Choice("No", "menu")),
    )
    activity = card_activity(reply)
    activity.reply_to_id = "123"
    expected = Serializer(MODELS).body(activity, "Activity")
    content = activity.attachments[0].content
    got = CardSerializer(MODELS).body(activity, "Activity")
    assert got == expected
    assert activity.attachments[0].content is content, "the activity is left as it was"


def test_other_contents_go_through_msrest() -> None:
    activity = Activity(
        type="message", attachments=[Attachment(content_type="x", content={"n": {1, 2}})]
    )
    expected = Serializer(MODELS).body(activity, "Activity")
    assert CardSerializer(MODELS).body(activity, "Activity") == expected


def test_a_card_attachment_is_shared_by_deepcopy_and_serialises_the_same() -> None:
    import copy

    activity = card_activity(Reply(kind="faq.answer", header="Privacy", text="Self-hosted."))
    copied = copy.deepcopy(activity)
    assert copied.attachments[0] is not activity.attachments[0]
    assert copied.attachments[0].content is activity.attachments[0].content
    plain = Activity(
        type="message",
        attachments=[Attachment(content_type="x", content=activity.attachments[0].content)],
    )
    plain.attachments[0].content_type = activity.attachments[0].content_type
    plain.summary = activity.summary
    plain.attachment_layout = activity.attachment_layout
    plain.input_hint = activity.input_hint
    assert Serializer(MODELS).body(copied, "Activity") == Serializer(MODELS).body(plain, "Activity")


def _as_sent(activity: Activity) -> Activity:
    """``activity`` addressed the way botbuilder addresses a reply to a real message."""
    incoming = parse_activity(payload("personal_message", "http://127.0.0.1:9/"))
    reference = TurnContext.get_conversation_reference(incoming)
    sent: Activity = TurnContext.apply_conversation_reference(activity, reference)
    return sent


@pytest.mark.parametrize(
    "make",
    [
        lambda: card_activity(Reply(kind="faq.answer", header="Privacy", text="Self-hosted.")),
        lambda: MessageFactory.text("plain words"),
        lambda: MessageFactory.suggested_actions(
            [CardAction(type="imBack", title="Yes", value="yes")], "Sure?"
        ),
        lambda: Activity(type="message", text="hi", entities=[Mention(text="<at>Ada</at>")]),
        lambda: Activity(
            type="message", text="hi", timestamp=datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
        ),
        lambda: Activity(type=ActivityTypes.message, text="an enum for its type"),
        lambda: Activity(type="message", channel_data={"notification": {"alert": True}}),
    ],
)
def test_every_reply_we_send_serialises_exactly_as_msrest_would(make: Any) -> None:
    expected = Serializer(MODELS).body(_as_sent(make()), "Activity")
    assert CardSerializer(MODELS).body(_as_sent(make()), "Activity") == expected


def test_the_replies_we_send_take_the_direct_way() -> None:
    with_buttons = Reply(
        kind="faq.answer",
        header="Privacy",
        text="Self-hosted.",
        choices=(Choice("Related", Action.FAQ_SHOW, "cost"),),
        controls=(Choice("Helpful", Action.FAQ_FEEDBACK, "privacy:up"),),
    )
    for activity in (card_activity(with_buttons), MessageFactory.text("plain words")):
        assert _model_json(_as_sent(activity)) is not None
