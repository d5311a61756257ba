"""Neutral :class:`bot.replies.Reply` → Slack Block Kit, as a pure translation.

Every string the core hands over is plain text, so everything that lands in ``mrkdwn``
(section text, context) is escaped: ``&``, ``<``, ``>`` so a ``<!channel>`` a person typed
can never become a live mention or link, and the formatting characters so a ``*`` or ``_``
in a poll question or a name never turns the rest of the line bold or italic (see
:func:`escape_mrkdwn`). ``plain_text`` (header, button labels) is not parsed by Slack, so
it is shown as-is, on one line.

Block Kit's limits are kept here, in one place: at most 50 blocks in a message (100 on
App Home), 150 characters in a header, 3,000 in a section, 25 elements in an actions
block, 75 in a button label, 2,000 in a button value, 255 in an ``action_id``.
"""

from __future__ import annotations

import re
from typing import Any

from bot.replies import Bar, Choice, ChoiceStyle, Reply, Table, fit_label

Block = dict[str, Any]

MAX_BLOCKS = 50
MAX_HOME_BLOCKS = 100
MAX_HEADER = 150
MAX_SECTION_TEXT = 3000
MAX_CONTEXT_TEXT = 2000
MAX_ACTIONS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTION_ID = 255
#: Slack truncates a message's ``text`` beyond 40,000 characters; notifications need far less.
MAX_FALLBACK_TEXT = 3000

#: Separates the core's action from the button's index inside an ``action_id``.
ACTION_SEPARATOR = "|"


#: Characters Slack's mrkdwn reads as formatting: bold, italic, strike, code, and the
#: fullwidth forms Slack treats the same way. Runs are cut short so a token stays small.
_FORMATTING = re.compile(r"[*_~`＊＿～｀]{1,50}")
#: A ``>`` (already ``&gt;``) that opens a line would make it a block quote.
_QUOTE_AT_LINE_START = re.compile(r"^&gt;", re.MULTILINE)
_SOFT_HYPHEN = "\u00ad"


def escape_control(text: str) -> str:
    """``text`` with Slack's three control characters escaped (``&``, ``<``, ``>``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_mrkdwn(text: str) -> str:
    """``text`` shown exactly as typed inside ``mrkdwn``: no mention, link or formatting.

    mrkdwn has no escape character for ``*``, ``_``, ``~`` and backticks. Each run of them
    becomes a date token with an invalid format, ``<!date^00000000^{_}|*>``: Slack shows
    the token's fallback text verbatim and unformatted, so the text reads and copies as
    the same characters (the technique jsx-slack's ``<Escape>`` uses). A zero-width space
    beside the character would not do: Slack takes it as a word boundary, which turns
    formatting *on* mid-word. A line opening with ``>`` gets an invisible soft hyphen
    first, so it is not a block quote.
    """
    text = _FORMATTING.sub(
        lambda run: f"<!date^00000000^{{_}}|{run.group()}>", escape_control(text)
    )
    return _QUOTE_AT_LINE_START.sub(_SOFT_HYPHEN + "&gt;", text)


def one_line(text: str) -> str:
    """``text`` with its line breaks turned into single spaces (headers, button labels)."""
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def encode_action_id(action: str, index: int) -> str:
    """The ``action_id`` for the ``index``-th button: unique within a message, ≤255 chars."""
    suffix = f"{ACTION_SEPARATOR}{index}"
    return action[: MAX_ACTION_ID - len(suffix)] + suffix


def action_id_pattern(action: str) -> re.Pattern[str]:
    """What every ``action_id`` :func:`encode_action_id` makes for ``action`` looks like:
    Bolt dispatches a press to ``action``'s listener by it."""
    return re.compile(rf"^{re.escape(action)}{re.escape(ACTION_SEPARATOR)}\d+$")


def split_text(text: str, limit: int = MAX_SECTION_TEXT) -> list[str]:
    """``text`` cut into pieces of at most ``limit`` characters.

    Cuts at a line break, else a space, else anywhere, but never inside an escaped
    entity such as ``&amp;`` or a ``<!date…>`` token.
    """
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
            opening = rest.rfind("<", 0, cut)
            if opening > 0 and opening > rest.rfind(">", 0, cut):  # inside a <!date…> token
                cut = opening
            ampersand = rest.rfind("&", max(0, cut - 5), cut)
            if ampersand > 0 and ";" not in rest[ampersand:cut]:
                cut = ampersand
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest.strip():
        pieces.append(rest)
    return [piece for piece in pieces if piece.strip()]


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": fit_label(one_line(text), limit), "emoji": True}


def _sections(mrkdwn: str) -> list[Block]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
        for piece in split_text(mrkdwn)
    ]


def _bold(text: str) -> str:
    return f"*{escape_mrkdwn(text)}*"


def _table_lines(table: Table) -> list[str]:
    """Block Kit has no table: one line per row, ``*Row* — Column: cell / Column: cell``."""
    columns = table.header[1:]
    lines = []
    for first, *cells in table.rows:
        named = [
            f"{escape_mrkdwn(column)}: {escape_mrkdwn(cell)}" if column else escape_mrkdwn(cell)
            for column, cell in zip(columns, cells, strict=False)
        ]
        label = _bold(first) if first else ""
        lines.append(" — ".join(part for part in (label, " / ".join(named)) if part))
    return lines


def _button(choice: Choice, index: int) -> Block:
    button: Block = {
        "type": "button",
        "text": _plain(choice.label, MAX_BUTTON_TEXT),
        "action_id": encode_action_id(choice.action, index),
    }
    if choice.value:
        button["value"] = choice.value[:MAX_BUTTON_VALUE]
    if choice.style is ChoiceStyle.PRIMARY:
        button["style"] = "primary"
    elif choice.style is ChoiceStyle.DANGER:
        button["style"] = "danger"
    return button


def _actions(choices: tuple[Choice, ...], first_index: int, block_id: str) -> list[Block]:
    buttons = [_button(choice, first_index + i) for i, choice in enumerate(choices)]
    return [
        {"type": "actions", "block_id": f"{block_id}{n}", "elements": buttons[i : i + MAX_ACTIONS]}
        for n, i in enumerate(range(0, len(buttons), MAX_ACTIONS))
    ]


def _content_blocks(reply: Reply) -> list[Block]:
    """Everything above the buttons: text, facts, bars (results first), sections, table."""
    blocks: list[Block] = []
    if reply.text:
        blocks += _sections(escape_mrkdwn(reply.text))
    if reply.facts:
        blocks += _sections(
            "\n".join(f"{_bold(f.title)}: {escape_mrkdwn(f.value)}" for f in reply.facts)
        )
    for bar in reply.bars:
        blocks += _bar_blocks(bar)
    for section in reply.sections:
        lines = [_bold(section.title)] if section.title else []
        lines += [f"• {escape_mrkdwn(line)}" for line in section.lines]
        if section.note:
            lines.append(f"_{escape_mrkdwn(section.note)}_")
        blocks += _sections("\n".join(lines))
    if reply.table is not None and reply.table.rows:
        blocks += _sections("\n".join(_table_lines(reply.table)))
    return blocks


def _bar_blocks(bar: Bar) -> list[Block]:
    """One poll option: the contract's line exactly (``Open source ▇▇▁▁ 2 votes (50%)``),
    as plain text so no label can turn into markup, and who voted for it underneath."""
    blocks: list[Block] = [
        {
            "type": "section",
            "text": {
                "type": "plain_text",
                "text": f"{one_line(bar.label)} {bar.line}",
                "emoji": False,
            },
        }
    ]
    if bar.voters:
        names = _first_piece(escape_mrkdwn(", ".join(bar.voters)), MAX_CONTEXT_TEXT)
        blocks.append({"type": "context", "elements": [_md(names)]})
    return blocks


def render_blocks(reply: Reply, max_blocks: int = MAX_BLOCKS) -> list[Block]:
    """The Block Kit blocks showing ``reply``, within Slack's limits.

    When a reply would need more than ``max_blocks`` blocks, text blocks are dropped
    from the end of the content (the buttons and the context line always stay).
    """
    head: list[Block] = []
    if len(reply.header) > MAX_HEADER:  # a long poll question: shown whole, in bold
        head += _sections(_bold(one_line(reply.header)))
    elif reply.header:
        head.append({"type": "header", "text": _plain(reply.header, MAX_HEADER)})
    body = _content_blocks(reply)
    tail: list[Block] = []
    if reply.choices:
        if reply.choices_title:
            tail += _sections(_bold(reply.choices_title))
        tail += _actions(reply.choices, 0, "choices")
    if reply.controls:
        tail += _actions(reply.controls, len(reply.choices), "controls")
    if reply.context:
        context = _first_piece(escape_mrkdwn(reply.context), MAX_CONTEXT_TEXT)
        tail.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    room = max_blocks - len(head) - len(tail)
    if len(body) > room:
        body = [*body[: max(room - 1, 0)], {"type": "section", "text": _md("…")}]
    return (head + body + tail)[:max_blocks]


def _md(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def _first_piece(text: str, limit: int) -> str:
    pieces = split_text(text, limit)
    return pieces[0] if pieces else "…"


def fallback_text(reply: Reply) -> str:
    """The message's top-level ``text``: what notifications and screen readers show."""
    text = " — ".join(part for part in (reply.header, reply.text) if part)
    text = text or reply.all_text() or reply.kind
    # Notifications show no formatting, so only the control characters need escaping.
    return _first_piece(escape_control(text), MAX_FALLBACK_TEXT)


def home_view(reply: Reply) -> dict[str, Any]:
    """An App Home tab (``views.publish``) showing ``reply``."""
    return {"type": "home", "blocks": render_blocks(reply, MAX_HOME_BLOCKS)}
