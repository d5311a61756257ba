"""Rendering neutral replies as Adaptive Cards: valid 1.5, complete, and plain text kept plain."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from markdown_it import MarkdownIt

from adapters.teams.cards import ACTION_KEY, VALUE_KEY, plain, render_card
from bot.conversation import Conversation
from bot.events import Actor, ButtonPress, Message
from bot.replies import Bar, Choice, ChoiceStyle, Fact, Reply, Section, Table
from tests.teams.conftest import actions

CheckCard = Callable[[dict[str, Any]], None]
ACTOR = Actor(platform="teams", workspace="tenant", channel="a:chat", user="u1", user_name="Ada")


def texts(card: dict[str, Any]) -> list[str]:
    """Every TextBlock text and Fact title/value anywhere in the card, in order."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                found.append(node["text"])
            if "title" in node and "value" in node and "type" not in node:
                found.extend((node["title"], node["value"]))
            for key, value in node.items():
                if key != "fallback":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


async def test_every_core_reply_renders_as_a_valid_card(
    conversation: Conversation, assert_valid_card: CheckCard
) -> None:
    replies: list[Reply] = [conversation.menu(), conversation.help(), conversation.comparison()]
    replies += await conversation.handle(Message(ACTOR, "is open source better for privacy?"))
    replies += await conversation.handle(Message(ACTOR, "what about cheese"))
    reply = (await conversation.handle(ButtonPress(ACTOR, "quiz.start")))[0]
    while reply.kind == "quiz.question":
        replies.append(reply)
        reply = (
            await conversation.handle(ButtonPress(ACTOR, "quiz.answer", reply.choices[0].value))
        )[0]
    replies.append(reply)
    assert reply.kind == "quiz.result"
    run = next(c.value for c in reply.controls if c.action == "quiz.explain")
    replies += await conversation.handle(ButtonPress(ACTOR, "quiz.explain", run))
    replies += await conversation.handle(ButtonPress(ACTOR, "quiz.share", run))
    kinds = {r.kind for r in replies}
    assert {"menu", "help", "compare", "faq.answer", "quiz.question", "quiz.result"} <= kinds
    for reply in replies:
        card = render_card(reply)
        assert_valid_card(card)
        assert card["fallbackText"]


def test_all_fields_render_and_validate(assert_valid_card: CheckCard) -> None:
    reply = Reply(
        kind="everything",
        header="Header",
        text="First line\nSecond line\n\nNew paragraph",
        facts=(Fact("Votes", "12"),),
        sections=(Section("Next steps", ("one", "two")),),
        table=Table(("", "Open", "Closed"), (("Cost", "free", "paid"), ("Privacy", "yes", "no"))),
        bars=(Bar("Open source", 12, "▇▇▇▇▁▁▁▁ 12 votes (40%)", ("Ada", "Grace")),),
        choices_title="Pick one",
        choices=(Choice("Yes", "x.yes", "1", ChoiceStyle.PRIMARY), Choice("No", "x.no", "2")),
        controls=(Choice("Stop", "x.stop", style=ChoiceStyle.DANGER),),
        context="Question 1 of 10",
    )
    card = render_card(reply)
    assert_valid_card(card)
    body = card["body"]
    assert body[0] == {
        "type": "TextBlock",
        "text": "Header",
        "wrap": True,
        "weight": "bolder",
        "size": "medium",
        "style": "heading",
    }
    assert [b["text"] for b in body[1:4]] == ["First line", "Second line", "New paragraph"]
    assert body[3]["spacing"] == "medium"
    assert {
        "type": "FactSet",
        "facts": [{"title": "Votes", "value": "12"}],
        "spacing": "medium",
    } in body
    table = next(e for e in body if e["type"] == "Table")
    assert table["firstRowAsHeader"] is True
    assert len(table["rows"]) == 3
    assert table["fallback"]["type"] == "Container"  # ColumnSets for hosts without Table
    shown = texts(card)
    assert "• one" in shown
    assert "Open source ▇▇▇▇▁▁▁▁ 12 votes (40%)" in shown
    assert "Ada, Grace" in shown
    context = body[-1]
    assert context["isSubtle"] is True and context["size"] == "small"
    assert context["text"] == "Question 1 of 10"
    execute = actions(card)
    assert [a["verb"] for a in execute] == ["x.yes", "x.no", "x.stop"]
    first = execute[0]
    assert first["data"] == {ACTION_KEY: "x.yes", VALUE_KEY: "1"}
    assert first["style"] == "positive"
    assert first["fallback"] == {
        "type": "Action.Submit",
        "title": "Yes",
        "data": {ACTION_KEY: "x.yes", VALUE_KEY: "1"},
        "style": "positive",
    }
    assert card["actions"][0]["style"] == "destructive"


def test_table_alone_as_columnsets_is_valid(assert_valid_card: CheckCard) -> None:
    card = render_card(Reply(kind="t", table=Table(("a", "b"), (("1", "2"),))))
    fallback_card = {**card, "body": [card["body"][0]["fallback"]]}
    assert_valid_card(fallback_card)


USER_TEXT = [
    "**bold** [link](http://x)",
    "_italic_ and *star* and `code` and ~~strike~~",
    "- not a list",
    "1. not numbered",
    "# not a heading",
    "> not a quote",
    "back\\slash \\*escaped\\*",
    "a [b] (c) <d>",
]


@pytest.mark.parametrize("typed", USER_TEXT)
def test_user_text_renders_literally(typed: str) -> None:
    """markdown-it (the parser the Adaptive Cards JS renderer uses) shows the text as typed."""
    markdown = MarkdownIt("commonmark", {"html": False})
    escaped = plain(typed)
    rendered = markdown.renderInline(escaped) if "\n" not in typed else markdown.render(escaped)
    assert "<strong>" not in rendered and "<em>" not in rendered and "<a " not in rendered
    assert "<code>" not in rendered and "<s>" not in rendered
    block = markdown.render(escaped)
    assert not block.startswith(("<ul", "<ol", "<h1", "<blockquote"))
    # The visible text is exactly what was typed.
    tokens = markdown.parseInline(escaped)[0].children or []
    visible = "".join(t.content for t in tokens if t.type == "text")
    assert visible == typed


def test_user_text_in_a_card_is_escaped(assert_valid_card: CheckCard) -> None:
    question = "**bold** [link](http://x)"
    card = render_card(Reply(kind="faq.unknown", header=question, text=question, context=question))
    assert_valid_card(card)
    assert texts(card) == [r"\*\*bold\*\* \[link\](http://x)"] * 3
    button = render_card(Reply(kind="x", choices=(Choice(question, "faq.show", "id"),)))
    assert actions(button)[0]["title"] == question  # titles are never markdown


def test_the_schema_check_has_teeth(card_schema_validator: Any) -> None:
    """The validator the tests use rejects what Adaptive Card 1.5 does not allow."""
    good = render_card(Reply(kind="x", text="hi", choices=(Choice("Go", "a.b"),)))
    assert card_schema_validator.is_valid(good)
    assert not card_schema_validator.is_valid({**good, "msteams": {"width": "Full"}})
    bad_block = {**good, "body": [{"type": "TextBlock", "text": "x", "weight": "heavy"}]}
    assert not card_schema_validator.is_valid(bad_block)
    bad_action = {**good, "actions": [{"type": "Action.Execute", "title": "x", "verb": 3}]}
    assert not card_schema_validator.is_valid(bad_action)
