"""The neutral view model the core answers with; every front end renders it its own way.

A :class:`Reply` says *what* to show (header, text, facts, a table, result bars, buttons)
and *how it travels* (private or shared, a new message or one that replaces the message
the pressed button sat on). It never says how it looks on a given platform.

All text here is plain: front ends escape it for their own markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Visibility(StrEnum):
    """Who sees a reply."""

    PRIVATE = "private"  # only the person who acted (ephemeral, personal chat, invoke response)
    SHARED = "shared"  # everyone in the channel or thread


class Placement(StrEnum):
    """Where a reply goes relative to the message the event came from."""

    NEW = "new"  # a new message
    REPLACE = "replace"  # update the message whose button was pressed, in place


class ChoiceStyle(StrEnum):
    """A hint for how prominent a button is; front ends may ignore it."""

    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True, slots=True)
class Choice:
    """A button. Pressing it comes back to the core as ``ButtonPress(action, value)``."""

    label: str
    action: str
    value: str = ""
    style: ChoiceStyle = ChoiceStyle.DEFAULT


@dataclass(frozen=True, slots=True)
class Fact:
    """A short title with a one-line value (a reason, a setting, a count)."""

    title: str
    value: str


@dataclass(frozen=True, slots=True)
class Section:
    """A titled block of lines, shown as a list (next steps, trade-offs)."""

    title: str
    lines: tuple[str, ...] = ()
    #: A small line under the list saying where it comes from; not one of its items.
    note: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    """A small table: a header row and body rows with the same number of cells."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Bar:
    """One option's result line, already worded by the core.

    ``line`` is the contract's form, e.g. ``▇▇▇▇▁▁▁▁ 12 votes (40%)``; ``voters`` the
    names to list under it (empty for anonymous polls).
    """

    label: str
    count: int
    line: str
    voters: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file that goes with a reply (a poll's results as CSV)."""

    filename: str
    content: str
    mime_type: str = "text/csv"


@dataclass(frozen=True, slots=True)
class Reply:
    """One message the core wants shown."""

    #: What this reply is, for front ends and tests: ``menu``, ``quiz.question``,
    #: ``quiz.result``, ``faq.answer``, ``faq.unsure``, ``compare``, ``help``, ``error``...
    kind: str
    header: str = ""
    text: str = ""
    facts: tuple[Fact, ...] = ()
    sections: tuple[Section, ...] = ()
    table: Table | None = None
    bars: tuple[Bar, ...] = ()
    #: A short heading shown above the main buttons ("Related", "Closest questions I know").
    choices_title: str = ""
    #: The main buttons (answer options, suggestions).
    choices: tuple[Choice, ...] = ()
    #: Secondary buttons (back, restart, feedback, share).
    controls: tuple[Choice, ...] = ()
    #: A small line at the bottom (progress, provenance).
    context: str = ""
    visibility: Visibility = Visibility.PRIVATE
    placement: Placement = Placement.NEW
    #: Data a front end may need but must not show as-is (ids, scores).
    meta: dict[str, str] = field(default_factory=dict)
    #: A file to deliver with the reply, privately to the person who asked.
    attachment: Attachment | None = None
    #: Platform user ids to whom a shared message is also shown as a view of their own
    #: (their vote marked); front ends that have per-person views use it, others ignore it.
    viewers: tuple[str, ...] = ()

    def all_text(self) -> str:
        """Every visible string in the reply, joined; what tests and the console read."""
        parts: list[str] = [self.header, self.text]
        parts += [f"{f.title}: {f.value}" for f in self.facts]
        for section in self.sections:
            parts.append(section.title)
            parts += section.lines
            parts.append(section.note)
        if self.table is not None:
            parts.append(" | ".join(self.table.header))
            parts += [" | ".join(row) for row in self.table.rows]
        parts += [f"{b.label} {b.line}" for b in self.bars]
        parts.append(self.choices_title)
        parts += [c.label for c in (*self.choices, *self.controls)]
        parts.append(self.context)
        return "\n".join(p for p in parts if p)


#: The longest button label every front end can show whole (Slack's limit).
MAX_LABEL = 75


def fit_label(text: str, limit: int = MAX_LABEL) -> str:
    """``text`` shortened with an ellipsis so it fits on a button."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
