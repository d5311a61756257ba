"""Rendering: every kind of reply the core makes is valid, escaped Block Kit."""

from __future__ import annotations

import re

from adapters.slack.blocks import (
    MAX_BLOCKS,
    MAX_HEADER,
    action_id_pattern,
    encode_action_id,
    escape_mrkdwn,
    fallback_text,
    home_view,
    render_blocks,
    split_text,
)
from bot.conversation import Conversation
from bot.events import Actor, ButtonPress, Command, Message
from bot.replies import Bar, Choice, ChoiceStyle, Fact, Reply, Section, Table
from tests.slack.block_kit import block_kit_problems, view_problems

ACTOR = Actor(platform="slack", workspace="T0001", channel="C1", user="U1", user_name="ann")


async def every_reply_kind(conversation: Conversation) -> dict[str, Reply]:
    """One reply of each kind the core makes, from the real content."""
    found: dict[str, Reply] = {}

    async def keep(event: Command | ButtonPress | Message) -> Reply:
        reply = (await conversation.handle(event))[0]
        found.setdefault(reply.kind, reply)
        return reply

    for name in ("menu", "help", "compare", "frobnicate", "explain"):
        await keep(Command(ACTOR, name))
    for text in ("is open source better for privacy?", "privacy", "zebra crossings", "", "hi"):
        await keep(Message(ACTOR, text))
    await keep(Command(ACTOR, "ask", ""))
    question = await keep(Command(ACTOR, "start"))
    while question.kind == "quiz.question":
        question = await keep(ButtonPress(ACTOR, "quiz.answer", question.choices[-1].value))
    run = next(c.value for c in question.controls if c.action == "quiz.explain")
    for action, value in [
        ("quiz.explain", run),
        ("quiz.share", run),
        ("faq.feedback", "privacy:up"),
        ("menu.ask", ""),
        ("quiz.answer", "nope:nope"),
        ("no.such.action", ""),
    ]:
        await keep(ButtonPress(ACTOR, action, value))
    entry = conversation.content.faq.entries[0].id
    await keep(ButtonPress(ACTOR, "faq.feedback", f"{entry}:down"))
    return found


def busy_reply() -> Reply:
    """A reply at and past every Block Kit limit at once."""
    many = tuple(
        Choice("x" * 100, f"poll.vote.{'a' * 300}", "v" * 3000, ChoiceStyle.DANGER)
        for _ in range(30)
    )
    return Reply(
        kind="poll.results",
        header="H" * 200,
        text=("<!channel> & friends " * 400).strip(),
        facts=tuple(Fact(f"fact {i}", "<b>value</b>") for i in range(5)),
        sections=tuple(Section(f"s{i}", ("line & <line>",) * 3) for i in range(60)),
        table=Table(("", "A", "B"), (("row", "<a>", "&b"),)),
        bars=(Bar("Open source", 12, "▇▇▇▇▁▁▁▁ 12 votes (40%)", ("ann", "<@U1>")),),
        choices_title="Vote",
        choices=many,
        controls=(Choice("Close", "poll.close", style=ChoiceStyle.PRIMARY),),
        context="c & " * 2000,
    )


async def test_every_reply_kind_renders_as_valid_block_kit(conversation: Conversation) -> None:
    replies = await every_reply_kind(conversation)
    expected = {
        "menu", "help", "compare", "quiz.question", "quiz.result", "quiz.explain",
        "quiz.share", "quiz.expired", "faq.answer", "faq.feedback", "faq.empty", "ask.prompt",
    }  # fmt: skip
    assert expected <= set(replies), sorted(replies)
    for kind, reply in replies.items():
        blocks = render_blocks(reply)
        assert block_kit_problems(blocks) == [], kind
        assert fallback_text(reply), kind
        assert view_problems(home_view(reply)) == [], kind


def test_a_reply_past_every_limit_is_cut_to_fit() -> None:
    reply = busy_reply()
    blocks = render_blocks(reply)
    assert block_kit_problems(blocks) == []
    assert len(blocks) == MAX_BLOCKS
    assert blocks[-1]["type"] == "context"  # buttons and context survive the cut
    assert sum(len(b["elements"]) for b in blocks if b["type"] == "actions") == 31
    assert view_problems(home_view(reply)) == []
    assert "<" not in fallback_text(reply)


def test_bars_keep_the_contract_line() -> None:
    reply = Reply(kind="poll.results", bars=(Bar("Open source", 12, "▇▇▇▇▁▁▁▁ 12 votes (40%)"),))
    (block,) = render_blocks(reply)
    assert block["text"] == {
        "type": "plain_text",
        "text": "Open source ▇▇▇▇▁▁▁▁ 12 votes (40%)",
        "emoji": False,
    }


def test_user_text_never_becomes_a_mention_or_link() -> None:
    reply = Reply(
        kind="help",
        text='I don\'t know the command "<!channel>".',
        sections=(Section("<!here>", ("<@U123> <https://evil.example|click>",)),),
        context="<!subteam^S1>",
    )
    blocks = render_blocks(reply)
    assert block_kit_problems(blocks) == []
    text = str(blocks)
    for live in ("<!channel>", "<!here>", "<@U123>", "<https://", "<!subteam"):
        assert live not in text
    assert "&lt;!channel&gt;" in text


def test_action_ids_match_their_actions_pattern_only_and_stay_unique() -> None:
    answer = action_id_pattern("quiz.answer")
    assert answer.match(encode_action_id("quiz.answer", 3))
    assert not answer.match(encode_action_id("quiz.answers", 3))
    assert not answer.match("quizXanswer|3")  # the dot is literal
    assert not answer.match("legacy_action")
    assert not answer.match("quiz.answer|b")
    assert len(encode_action_id("x" * 400, 12)) == 255
    reply = Reply(
        kind="quiz.question",
        choices=(Choice("A", "quiz.answer", "q:a"), Choice("B", "quiz.answer", "q:b")),
        controls=(Choice("Back", "quiz.back"),),
    )
    ids = [e["action_id"] for b in render_blocks(reply) for e in b.get("elements", [])]
    assert ids == ["quiz.answer|0", "quiz.answer|1", "quiz.back|2"]


def test_long_text_splits_at_lines_and_never_inside_an_entity() -> None:
    text = escape_mrkdwn("&" * 5000)
    pieces = split_text(text, 3000)
    assert all(len(p) <= 3000 for p in pieces)
    assert "".join(pieces) == text
    assert all(p.endswith(";") for p in pieces)
    lines = "\n".join(["word " * 100] * 20)
    assert all(len(p) <= 3000 for p in split_text(lines))


#: How :func:`escape_mrkdwn` shows a run of formatting characters as themselves.
LITERAL = re.compile(r"<!date\^00000000\^\{_\}\|([*_~`＊＿～｀]+)>")
MARKUP = "*_~`＊＿～｀"
TYPED = "*bold* _it_ ~gone~ `code` ＊wide＊ snake_case a*b*c"


def shown_as(text: str) -> str:
    """What Slack displays for an escaped mrkdwn text (tokens → their fallback)."""
    plain = LITERAL.sub(lambda token: token.group(1), text)
    return (
        plain.replace("\u00ad", "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    )


def test_formatting_characters_in_person_text_are_shown_as_typed() -> None:
    """Wherever text lands in mrkdwn (text, sections, facts, table, voters, context, a long
    question), ``*``, ``_``, ``~`` and backticks are literal: only the adapter's own bold
    markers remain as markup, and Slack shows exactly what was typed."""
    long_question = f"{TYPED} " * 4
    assert len(long_question) > MAX_HEADER
    reply = Reply(
        kind="poll",
        header=long_question,
        text=TYPED,
        facts=(Fact(TYPED, TYPED),),
        bars=(Bar("Yes", 1, "▇ 1 vote (100%)", (TYPED,)),),
        sections=(Section(TYPED, (TYPED,)),),
        table=Table(("", TYPED), ((TYPED, TYPED),)),
        context=f"Started by {TYPED}",
    )
    blocks = render_blocks(reply)
    assert block_kit_problems(blocks) == []
    mrkdwn = [
        element["text"]
        for block in blocks
        for element in [block.get("text"), *block.get("elements", [])]
        if isinstance(element, dict) and element.get("type") == "mrkdwn"
    ]
    assert len(mrkdwn) == 7
    for text in mrkdwn:
        bare = LITERAL.sub("", text)
        own_bold = re.sub(r"(^|\n|— |• )\*[^*\n]*\*", "", bare)  # *title*, *row*
        assert not any(ch in own_bold for ch in MARKUP), text
        assert TYPED in shown_as(text), text
    assert shown_as(mrkdwn[0]) == f"*{long_question.strip()}*"


def test_a_line_that_opens_with_a_quote_mark_is_not_a_block_quote() -> None:
    (block,) = render_blocks(Reply(kind="poll.voted", text="> not a quote\nand > fine"))
    assert block["text"]["text"] == "\u00ad&gt; not a quote\nand &gt; fine"


def test_headers_and_buttons_are_one_line() -> None:
    reply = Reply(
        kind="poll",
        header="Lunch\non\r\nFriday?",
        bars=(Bar("Pizza\nplease", 1, "▇ 1 vote (100%)"),),
        choices=(
            Choice("Pizza\nplease", "poll.vote", "p:0"),
            Choice("Salad\u2028bowl", "poll.vote", "p:1"),
        ),
    )
    blocks = render_blocks(reply)
    assert block_kit_problems(blocks) == []
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Lunch on Friday?", "emoji": True},
    }
    assert blocks[1]["text"]["text"] == "Pizza please ▇ 1 vote (100%)"
    labels = [e["text"]["text"] for e in blocks[2]["elements"]]
    assert labels == ["Pizza please", "Salad bowl"]


def test_long_text_never_splits_inside_a_literal_token() -> None:
    text = escape_mrkdwn("x" * 2990 + "*" * 10 + "y" * 100)
    pieces = split_text(text, 3000)
    assert all(len(p) <= 3000 for p in pieces)
    assert "".join(pieces) == text
    assert [LITERAL.sub("", p).count("<") for p in pieces] == [0, 0]
