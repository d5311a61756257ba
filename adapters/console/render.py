"""Rendering the core's neutral replies as plain terminal text with numbered buttons."""

from __future__ import annotations

import textwrap

from bot.replies import Choice, ChoiceStyle, Reply

WIDTH = 78


def _wrap(text: str, indent: str = "") -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if not paragraph.strip():
            lines.append("")
            continue
        lines += textwrap.wrap(
            paragraph, WIDTH, initial_indent=indent, subsequent_indent=" " * len(indent) + "  "
        ) or [""]
    return lines


def buttons(reply: Reply) -> list[Choice]:
    """The reply's buttons in the order they are numbered on screen."""
    return [*reply.choices, *reply.controls]


def render(reply: Reply) -> str:
    """The reply as terminal text; buttons are numbered from 1."""
    lines: list[str] = []
    if reply.header:
        lines += [reply.header, "=" * min(len(reply.header), WIDTH)]
    if reply.text:
        lines += _wrap(reply.text)
    for fact in reply.facts:
        lines += _wrap(f"{fact.title}: {fact.value}")
    for section in reply.sections:
        lines += ["", section.title]
        for line in section.lines:
            lines += _wrap(line, indent="  - ")
        if section.note:
            lines += _wrap(section.note, indent="  ")
    if reply.table is not None:
        lines.append("")
        widths = [
            max(len(row[i]) for row in (reply.table.header, *reply.table.rows))
            for i in range(len(reply.table.header))
        ]
        first = min(widths[0], 26)
        for row in (reply.table.header, *reply.table.rows):
            cells = [row[0].ljust(first), *row[1:]]
            lines += _wrap(" | ".join(cells))
    for bar in reply.bars:
        lines.append(f"{bar.label} {bar.line}")
        if bar.voters:
            lines += _wrap(", ".join(bar.voters), indent="    ")
    numbered = buttons(reply)
    if numbered:
        lines.append("")
        if reply.choices_title:
            lines.append(reply.choices_title)
        for number, choice in enumerate(numbered, start=1):
            mark = (
                " (your answer)"
                if choice.style is ChoiceStyle.PRIMARY and choice.action == "quiz.answer"
                else ""
            )
            lines.append(f"  [{number}] {choice.label}{mark}")
    if reply.context:
        lines += ["", *_wrap(reply.context)]
    return "\n".join(lines).strip("\n") + "\n"
