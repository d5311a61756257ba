"""Neutral :class:`bot.replies.Reply` → Adaptive Card 1.5, as a plain dict.

Pure: no botbuilder, no I/O. Every card this module makes validates against the Adaptive
Card 1.5 schema (tests check each one).

The core's text is plain, but a TextBlock, a Fact and a table cell interpret a markdown
subset (and the Agents Playground also reads HTML tags in it); :func:`plain` escapes what
either would act on, so a question typed as ``**bold** [link](http://x)`` or
``Use <model>?`` shows exactly as typed. Button titles are never parsed as markdown and go
out unchanged.

Teams never wraps a button title: a long one is cut off. So when any of a reply's main
choices is longer than :data:`LONG_LABEL`, the choices are shown as numbered lines of text
that wrap, with short numbered buttons under them.
"""

from __future__ import annotations

import re
from typing import Any

from bot.replies import (
    TICKED,
    Attachment,
    Bar,
    Choice,
    ChoiceStyle,
    Field,
    Form,
    Reply,
    Section,
    Table,
)

#: The content type of an Adaptive Card attachment and of an invoke response carrying one.
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"

#: Keys under which a button carries the core's Choice.action / Choice.value.
ACTION_KEY = "aic_action"
VALUE_KEY = "aic_value"

Card = dict[str, Any]
Element = dict[str, Any]

# Markdown's inline marks, and "<", ">" and "&", which an HTML-reading renderer would take
# for a tag or an entity ("<model>" vanished, "&lt;" became "<").
_INLINE_MARKUP = re.compile(r"([\\`*_~\[\]<>&])")
# What markdown reads at the start of a line: lists ("- x", "1. x"), headings, quotes, rules.
_BLOCK_MARKUP = re.compile(r"^(\s*)(?:([-+=>#])|(\d+)([.)])(?=\s|$))", re.MULTILINE)
#: The longest main-choice title that shows whole on a phone-width card (about 340 px of
#: bold 14 px text); any longer one turns the choices into numbered lines.
LONG_LABEL = 40
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
    if section.note:
        items.append(_text_block(section.note, isSubtle=True, size="small", spacing="small"))
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


def execute_action(action_name: str, value: str) -> Element:
    """A title-less Action.Execute carrying the core's action and value (a card's refresh)."""
    return {
        "type": "Action.Execute",
        "verb": action_name,
        "data": {ACTION_KEY: action_name, VALUE_KEY: value},
    }


def action(choice: Choice, title: str = "") -> Element:
    """A button: Action.Execute (Universal Actions) with Action.Submit as its fallback.

    Both carry the core's action and value in ``data``; the Execute's ``verb`` is the action.
    ``title`` replaces the label on the button (a number), the label becoming its tooltip.
    """
    verb = str(choice.action)  # plain JSON: the action's name, not the enum
    data = {ACTION_KEY: verb, VALUE_KEY: choice.value}
    label = title or choice.label
    submit: Element = {"type": "Action.Submit", "title": label, "data": data}
    execute: Element = {
        "type": "Action.Execute",
        "title": label,
        "verb": verb,
        "data": dict(data),
        "fallback": submit,
    }
    if title:
        execute["tooltip"] = submit["tooltip"] = choice.label
    style = _STYLES.get(choice.style)
    if style:
        execute["style"] = submit["style"] = style
    return execute


def _choices(choices: tuple[Choice, ...]) -> list[Element]:
    """The main buttons; numbered lines with short numbered buttons when a title is long."""
    if all(len(choice.label) <= LONG_LABEL for choice in choices):
        return [{"type": "ActionSet", "actions": [action(c) for c in choices]}]
    rows = [
        _text_block(f"{number}. {choice.label}", spacing="small")
        for number, choice in enumerate(choices, 1)
    ]
    buttons = [action(choice, str(number)) for number, choice in enumerate(choices, 1)]
    return [*rows, {"type": "ActionSet", "actions": buttons}]


def _input(field: Field) -> list[Element]:
    """A field's labelled Input.Text (or, for a tick box, an Input.Toggle sending
    :data:`bot.replies.TICKED` ticked and "" not), with its error under it. What is typed
    or ticked comes back in the data of any Action.Execute on the card, under the field's
    name."""
    box: Element
    if field.toggle:
        box = {
            "type": "Input.Toggle",
            "id": field.name,
            "title": field.label,
            "valueOn": TICKED,
            "valueOff": "",
            "value": TICKED if field.value == TICKED else "",
            "spacing": "small",
        }
    else:
        box = {
            "type": "Input.Text",
            "id": field.name,
            "label": field.label,
            "maxLength": field.max_length,
            "spacing": "small",
        }
        if field.value:
            box["value"] = field.value
        if field.placeholder:
            box["placeholder"] = field.placeholder
        if field.multiline:
            box["isMultiline"] = True
    shown = [box]
    if field.error:
        shown.append(_text_block(field.error, color="attention", size="small", spacing="none"))
    return shown


def _form_body(form: Form, titled: bool) -> list[Element]:
    """A form's inputs (under its title when ``titled``) and its note."""
    body: list[Element] = [_text_block(form.title, weight="bolder")] if titled else []
    for field in form.fields:
        body += _input(field)
    if form.note:
        body.append(_text_block(form.note, isSubtle=True, size="small", spacing="small"))
    return body


def _sends(choice: Choice, form: Form) -> bool:
    """True when ``choice`` is the form's own submit (the opener that sends the form)."""
    return (choice.action, choice.value) == (form.submit.action, form.submit.value)


def _menu_forms(reply: Reply) -> list[Form]:
    """The reply's forms opened from its menu: shown inside the menu card."""
    openers = {str(c.action) for c in reply.menu}
    return [f for f in reply.forms if f.opened_by and str(f.opened_by) in openers]


def menu_card(reply: Reply) -> Element:
    """The reply's menu as an Action.ShowCard titled ``menu_title`` ("Manage"): each form
    opened from it inline (its inputs and submit, in place of its opener), then the other
    menu actions."""
    forms = _menu_forms(reply)
    body: list[Element] = []
    actions: list[Element] = []
    for form in forms:
        body += _form_body(form, titled=True)
        actions.append(action(form.submit))
    opened = {str(f.opened_by) for f in forms}
    actions += [action(c) for c in reply.menu if str(c.action) not in opened]
    shown: Card = {"type": "AdaptiveCard", "body": body, "actions": actions}
    return {"type": "Action.ShowCard", "title": reply.menu_title, "card": shown}


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
        body += _choices(reply.choices)
    # A form not behind the menu sits on the card, above the buttons (the one that sends
    # it among them: "Add an option" beside its box).
    menu_forms = _menu_forms(reply)
    inline = [f for f in reply.forms if f not in menu_forms]
    for form in inline:
        body += _form_body(form, titled=False)
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
    controls = list(reply.controls)
    controls += [
        f.submit for f in inline if not any(_sends(c, f) for c in (*controls, *reply.choices))
    ]
    if controls:
        card["actions"] = [action(c) for c in controls]
    if reply.menu:
        card["actions"] = [*card.get("actions", []), menu_card(reply)]
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


def with_refresh(card: Card, refresh: Element, user_ids: list[str]) -> Card:
    """``card`` refreshed for ``user_ids`` by ``refresh`` (an Action.Execute) whenever they
    see it: Universal Actions' user-specific views (at most 60 people, Teams' limit)."""
    if not user_ids:
        return card
    return {**card, "refresh": {"action": refresh, "userIds": user_ids[-MAX_VIEWERS:]}}


#: How many people Teams shows a user-specific view of one card to.
MAX_VIEWERS = 60
