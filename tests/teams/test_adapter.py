"""The reused-client adapter's serializer: the same JSON msrest itself would send."""

from __future__ import annotations

from botbuilder.schema import Activity, Attachment
from botframework.connector import models
from msrest import Serializer

from adapters.teams.adapter import CardSerializer
from adapters.teams.delivery import card_activity
from bot.replies import Choice, ChoiceStyle, Fact, Reply

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
