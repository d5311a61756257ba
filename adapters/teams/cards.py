"""Neutral :class:`bot.replies.Reply` → Adaptive Card 1.5, as a plain dict.

Pure: no botbuilder, no I/O. Every card this module makes validates against the Adaptive
Card 1.5 schema (tests check each one).

The core's text is plain, but a TextBlock, a Fact and a table cell interpret a markdown
subset; :func:`plain` escapes what that subset would act on, so a question typed as
``**bold** [link](http://x)`` shows exactly as typed. Button titles are never parsed as
markdown and go out unchanged.
"""

from __future__ import annotations

import re
from typing import Any

from bot.replies import Attachment, Bar, Choice, ChoiceStyle, Reply, Section, Table

#: The content type of an Adaptive Card attachment and of an invoke response carrying one.
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"

#: Keys under which a button carries the core's Choice.action / Choice.value.
ACTION_KEY = "aic_action"
VALUE_KEY = "aic_value"

Card = dict[str, Any]
Element = dict[str, Any]

_INLINE_MARKUP = re.compile(r"([\\`*_~\[\]])")
# What markdown reads at the start of a line: lists ("- x", "1. x"), headings, quotes, rules.
_BLOCK_MARKUP = re.compile(r"^(\s*)(?:([-+=>#])|(\d+)([.)])(?=\s|$))", re.MULTILINE)
_STYLES = {ChoiceStyle.PRIMARY: "positive", ChoiceStyle.DANGER: "destructive"}


def plain(text: str) -> str:
    """``text`` escaped so the card's markdown subset shows it literally."""
    escaped = _INLINE_MARKUP.sub(r"\\\1", text)
    return _BLOCK_MARKUP.sub(_escape_line_start, escaped)


def _escape_line_start(match: re.Match[str]) -> str:
    """``- x`` → ``\\- x``; ``12. x`` → ``12\\. x``: the line no longer starts a block."""
    indent, symbol, digits, punct = match.groups()
    return f"{indent}\\{symbol}" if symbol else f"{indent}{digits}\\{punct}"


def _text_block(text: str, **style: Any) -> Element:
    return {"type": "TextBlock", "text": plain(text), "wrap": True, **style}


def _paragraphs(text: str) -> list[Element]:
    """One TextBlock per line; a blank line becomes extra space above the next one."""
    blocks: list[Element] = []
    gap = False
    for line in text.splitlines():
        if not line.strip():
            gap = True
            continue
        block = _text_block(line)
        if blocks:
            block["spacing"] = "medium" if gap else "small"
        blocks.append(block)
        gap = False
    return blocks


def _section(section: Section) -> Element:
    items: list[Element] = [_text_block(section.title, weight="bolder")]
    # A literal bullet, not a markdown list marker, so the line itself stays plain.
    items += [_text_block(f"• {line}", spacing="small") for line in section.lines]
    return {"type": "Container", "items": items, "spacing": "medium"}


def _cell_text(text: str, header: bool) -> Element:
    return _text_block(text, weight="bolder") if header else _text_block(text)


def _table_as_columns(table: Table) -> Element:
    """The same table as rows of ColumnSets: for hosts that cannot show a Table."""
    rows: list[Element] = []
    for index, row in enumerate((table.header, *table.rows)):
        columns = [
            {"type": "Column", "width": "stretch", "items": [_cell_text(cell, index == 0)]}
            for cell in row
        ]
        rows.append({"type": "ColumnSet", "columns": columns, "separator": index > 0})
    return {"type": "Container", "items": rows}


def _table(table: Table) -> Element:
    """A 1.5 Table (header row first), falling back to ColumnSets on older hosts."""
    width = len(table.header)
    rows = [
        {
            "type": "TableRow",
            "cells": [
                {"type": "TableCell", "items": [_cell_text(cell, index == 0)]} for cell in row
            ],
        }
        for index, row in enumerate((table.header, *table.rows))
    ]
    return {
        "type": "Table",
        "columns": [{"type": "TableColumnDefinition", "width": 1} for _ in range(width)],
        "rows": rows,
        "firstRowAsHeader": True,
        "showGridLines": True,
        "spacing": "medium",
        "fallback": _table_as_columns(table),
    }


def _bar(bar: Bar) -> list[Element]:
    # One line, exactly as the contract words it: "Open source ▇▇▇▇▁▁▁▁ 12 votes (40%)".
    blocks = [_text_block(f"{bar.label} {bar.line}", spacing="medium")]
    if bar.voters:
        blocks.append(_text_block(", ".join(bar.voters), isSubtle=True, size="small"))
    return blocks


def _attachment(attachment: Attachment) -> Element:
    """A text file shown in the card: its name, then one monospace line per line.

    Cards cannot carry files; a poll export is small text, so it is shown to copy from.
    """
    items: list[Element] = [_text_block(attachment.filename, weight="bolder")]
    items += [
        _text_block(line, fontType="monospace", spacing="none")
        for line in attachment.content.splitlines()
        if line
    ]
    return {"type": "Container", "items": items, "spacing": "medium", "style": "emphasis"}


def action(choice: Choice) -> Element:
    """A button: Action.Execute (Universal Actions) with Action.Submit as its fallback.

    Both carry the core's action and value in ``data``; the Execute's ``verb`` is the action.
    """
    data = {ACTION_KEY: choice.action, VALUE_KEY: choice.value}
    submit: Element = {"type": "Action.Submit", "title": choice.label, "data": data}
    execute: Element = {
        "type": "Action.Execute",
        "title": choice.label,
        "verb": choice.action,
        "data": dict(data),
        "fallback": submit,
    }
    style = _STYLES.get(choice.style)
    if style:
        execute["style"] = submit["style"] = style
    return execute


def render_card(reply: Reply) -> Card:
    """The Adaptive Card 1.5 showing ``reply``."""
    body: list[Element] = []
    if reply.header:
        body.append(_text_block(reply.header, weight="bolder", size="medium", style="heading"))
    body += _paragraphs(reply.text)
    if reply.facts:
        facts = [{"title": plain(f.title), "value": plain(f.value)} for f in reply.facts]
        body.append({"type": "FactSet", "facts": facts, "spacing": "medium"})
    # Results first: a poll's lines are what people open it for.
    for bar in reply.bars:
        body += _bar(bar)
    body += [_section(section) for section in reply.sections]
    if reply.table is not None:
        body.append(_table(reply.table))
    if reply.attachment is not None:
        body.append(_attachment(reply.attachment))
    if reply.choices_title:
        body.append(_text_block(reply.choices_title, weight="bolder", spacing="medium"))
    if reply.choices:
        body.append({"type": "ActionSet", "actions": [action(c) for c in reply.choices]})
    if reply.context:
        body.append(_text_block(reply.context, isSubtle=True, size="small", spacing="medium"))
    card: Card = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": body,
        # Shown by hosts too old for 1.5; it may be read as markdown too, so escaped.
        "fallbackText": plain(reply.all_text()),
    }
    if reply.controls:
        card["actions"] = [action(c) for c in reply.controls]
    return card


def with_notes(card: Card, before: list[tuple[str, str]], after: list[tuple[str, str]]) -> Card:
    """``card`` with short notes (text, colour) above and below its body: a confirmation
    shown only to the person who pressed a button."""

    def note(text: str, color: str) -> Element:
        return _text_block(text, weight="bolder", color=color, spacing="medium")

    body = [note(*n) for n in before] + list(card["body"]) + [note(*n) for n in after]
    texts = [plain(text) for text, _ in before] + [card["fallbackText"]]
    texts += [plain(text) for text, _ in after]
    return {**card, "body": body, "fallbackText": "\n".join(texts)}
