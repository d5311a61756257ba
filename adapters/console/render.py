"""Rendering the core's neutral replies as plain terminal text with numbered buttons.

Everything is laid out for the terminal's width (``COLUMNS`` or the window's size; 80
when output is piped): paragraphs wrap, and tables wrap each cell inside its column,
with number columns right-aligned so their digits line up.
"""

from __future__ import annotations

import re
import shutil
import textwrap

from bot.replies import Choice, ChoiceStyle, Reply, Table

#: Narrower than this and nothing reads well; wider and lines get hard to follow.
MIN_WIDTH, MAX_WIDTH = 40, 100
#: Space between table columns.
GAP = "  "
#: A table column is not squeezed below this many characters.
MIN_COLUMN = 8
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?%?")


def terminal_width() -> int:
    """The width to lay text out for: the terminal's, within sensible bounds."""
    columns = shutil.get_terminal_size((80, 24)).columns
    return max(MIN_WIDTH, min(MAX_WIDTH, columns))


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if not paragraph.strip():
            lines.append("")
            continue
        lines += textwrap.wrap(
            paragraph,
            width,
            initial_indent=indent,
            subsequent_indent=" " * len(indent) + ("  " if indent else ""),
            break_on_hyphens=False,
        ) or [""]
    return lines


def _column_widths(table: Table, width: int) -> list[int]:
    """Each column's width: its longest cell, squeezed (widest first) to fit ``width``."""
    columns = len(table.header)
    natural = [max(len(row[i]) for row in (table.header, *table.rows)) for i in range(columns)]
    available = width - len(GAP) * (columns - 1)
    widths = list(natural)
    while sum(widths) > available:
        widest = max(range(columns), key=lambda i: widths[i])
        if widths[widest] <= MIN_COLUMN:
            break
        widths[widest] -= 1
    return widths


def _is_number_column(table: Table, index: int) -> bool:
    return bool(table.rows) and all(_NUMBER.fullmatch(row[index]) for row in table.rows)


def render_table(table: Table, width: int) -> list[str]:
    """The table as lines no wider than ``width``, cells wrapped inside their columns."""
    widths = _column_widths(table, width)
    numeric = [_is_number_column(table, i) for i in range(len(widths))]

    def row_lines(row: tuple[str, ...]) -> list[str]:
        cells = [
            textwrap.wrap(cell, w, break_on_hyphens=False) or [""]
            for cell, w in zip(row, widths, strict=True)
        ]
        height = max(len(c) for c in cells)
        lines = []
        for n in range(height):
            parts = []
            for cell, w, right in zip(cells, widths, numeric, strict=True):
                text = cell[n] if n < len(cell) else ""
                parts.append(text.rjust(w) if right else text.ljust(w))
            lines.append(GAP.join(parts).rstrip())
        return lines

    body = [row_lines(row) for row in table.rows]
    spaced = any(len(lines) > 1 for lines in body)
    out = row_lines(table.header)
    out.append(GAP.join("-" * w for w in widths))
    for index, lines in enumerate(body):
        if spaced and index:
            out.append("")
        out += lines
    return out


def buttons(reply: Reply) -> list[Choice]:
    """The reply's buttons in the order they are numbered on screen."""
    return [*reply.choices, *reply.controls]


def render(reply: Reply, width: int | None = None) -> str:
    """The reply as terminal text for ``width`` columns; buttons are numbered from 1."""
    width = terminal_width() if width is None else width
    lines: list[str] = []
    if reply.header:
        lines += _wrap(reply.header, width)
        lines.append("=" * min(len(reply.header), width))
    if reply.text:
        lines += _wrap(reply.text, width)
    for fact in reply.facts:
        lines += _wrap(f"{fact.title}: {fact.value}", width)
    for section in reply.sections:
        lines += ["", *_wrap(section.title, width)]
        for line in section.lines:
            lines += _wrap(line, width, indent="  - ")
        if section.note:
            lines += _wrap(section.note, width, indent="  ")
    if reply.table is not None:
        lines += ["", *render_table(reply.table, width)]
    for bar in reply.bars:
        lines += _wrap(f"{bar.label} {bar.line}", width)
        if bar.voters:
            lines += _wrap(", ".join(bar.voters), width, indent="    ")
    numbered = buttons(reply)
    if numbered:
        lines.append("")
        if reply.choices_title:
            lines += _wrap(reply.choices_title, width)
        for number, choice in enumerate(numbered, start=1):
            mark = (
                " (your answer)"
                if choice.style is ChoiceStyle.PRIMARY and choice.action == "quiz.answer"
                else ""
            )
            lines += _wrap(f"[{number}] {choice.label}{mark}", width, indent="  ")
    if reply.context:
        lines += ["", *_wrap(reply.context, width)]
    return "\n".join(lines).strip("\n") + "\n"
