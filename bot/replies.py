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


class Action(StrEnum):
    """Every action the core puts on a button; a press comes back with one of these.

    A platform hands back whatever string its button carried, so the core looks it up
    with :meth:`parse`: a button from an older version gets the friendly "I no longer
    know that button" answer, never an exception.
    """

    QUIZ_START = "quiz.start"
    QUIZ_ANSWER = "quiz.answer"
    QUIZ_BACK = "quiz.back"
    QUIZ_RESTART = "quiz.restart"
    QUIZ_EXPLAIN = "quiz.explain"
    QUIZ_RESULT = "quiz.result"  # back from the explanation to the result
    QUIZ_SHARE = "quiz.share"
    POLL_VOTE = "poll.vote"
    POLL_CLOSE = "poll.close"
    POLL_EXPORT = "poll.export"
    POLL_VIEW = "poll.view"  # a person's own view of a poll's message (Teams refreshes)
    POLL_ADD_OPTION = "poll.add_option"  # value: the poll id; the typed option comes as text
    POLL_REMIND = "poll.remind"  # the creator reminds those who haven't voted
    POLL_DELETE = "poll.delete"  # remove a poll's message and every key of it
    POLL_EDIT = "poll.edit"  # open the form to edit a poll's question and option labels
    POLL_EDIT_SAVE = "poll.edit_save"  # the filled-in edit form (its inputs come with it)
    POLL_STOP = "poll.stop"  # stop a scheduled or recurring poll (value: the schedule id)
    FAQ_SHOW = "faq.show"
    FAQ_FEEDBACK = "faq.feedback"
    MENU_ASK = "menu.ask"
    MENU_SHOW = "menu.show"
    COMPARE_SHOW = "compare.show"
    HELP_SHOW = "help.show"
    EXPERT_ASK = "expert.ask"  # hand a question to the workspace's experts
    EXPERT_ANSWER = "expert.answer"  # an expert opens the answer form
    EXPERT_SUBMIT = "expert.submit"  # the answer form sent back (its inputs on the press)
    EXPERT_ASSIGN = "expert.assign"
    EXPERT_CLOSE = "expert.close"
    EXPERT_SAME = "expert.same"  # "this is the same as…": the picker of closest entries
    EXPERT_PHRASING = "expert.phrasing"  # attach the asker's wording to the picked entry
    EXPERT_RETRACT = "expert.retract"  # take a learned entry out of the FAQ

    @classmethod
    def parse(cls, text: str) -> Action | None:
        """The action named ``text``, or None for one the core does not have."""
        return cls._value2member_map_.get(text)  # type: ignore[return-value]


class ReplyKind(StrEnum):
    """What a reply is, for tests, metrics and logs. Front ends never decide anything
    from it: what a platform needs to know travels in a :class:`Reply` field."""

    MENU = "menu"
    HELP = "help"
    COMPARE = "compare"
    ERROR = "error"
    ASK_PROMPT = "ask.prompt"
    SMALL_TALK = "smalltalk"
    QUIZ_QUESTION = "quiz.question"
    QUIZ_RESULT = "quiz.result"
    QUIZ_EXPLAIN = "quiz.explain"
    QUIZ_SHARE = "quiz.share"
    QUIZ_EXPIRED = "quiz.expired"
    QUIZ_STALE = "quiz.stale"  # a press on a card from an earlier run or step
    FAQ_ANSWER = "faq.answer"
    FAQ_UNSURE = "faq.unsure"
    FAQ_UNKNOWN = "faq.unknown"
    FAQ_EMPTY = "faq.empty"
    FAQ_TOO_LONG = "faq.too_long"
    FAQ_FEEDBACK = "faq.feedback"
    POLL = "poll"  # a poll's shared message
    POLL_VOTED = "poll.voted"
    POLL_QUIZ = "poll.quiz"
    POLL_CLOSED = "poll.closed"
    POLL_CLOSED_BY_YOU = "poll.closed_by_you"
    POLL_MISSING = "poll.missing"
    POLL_REFUSED = "poll.refused"
    POLL_ERROR = "poll.error"
    POLL_EXPORT = "poll.export"
    POLL_OWN_VIEW = "poll.own_view"  # the poll's message as one person sees it
    POLL_YOUR_VOTE = "poll.your_vote"
    POLL_VIEW = "poll.view"  # a person's own view of a poll's message (Teams refreshes)
    EXPERT_ASKED = "expert.asked"  # the asker's private confirmation
    EXPERT_TICKET = "expert.ticket"  # the card in the experts' place
    EXPERT_FORM = "expert.form"  # the answer form
    EXPERT_ANSWER = "expert.answer"  # the answer delivered to the asker
    EXPERT_NOTE = "expert.note"  # a short private note to an expert (done, refused)
    EXPERT_SETUP = "expert.setup"  # the experts' place was chosen (or refused)
    EXPERT_OPEN = "expert.open"  # the list of old open tickets
    FAQ_LEARNED = "faq.learned"  # an answer from a learned entry
    POLL_ADD_FORM = "poll.add_form"  # asks for a new option (a dialog, or the box on the poll)
    POLL_OPTION_ADDED = "poll.option_added"
    POLL_REMINDER = "poll.reminder"  # a non-voter's reminder (private, or one in the thread)
    POLL_REMINDED = "poll.reminded"  # the creator's count of people reminded
    POLL_REMINDING = "poll.reminding"  # reminders under way; the count comes later
    POLL_SCHEDULED = "poll.scheduled"  # a poll stored to post later (or again and again)
    POLL_LIST = "poll.list"  # a person's scheduled and open polls, with Stop / Close / Delete
    POLL_STOPPED = "poll.stopped"
    POLL_DELETED = "poll.deleted"
    POLL_EDITED = "poll.edited"
    POLL_EDIT_FORM = "poll.edit_form"  # the form to edit a poll (a modal where there are)


class Tone(StrEnum):
    """How a short note stands out (a confirmation, a refusal); front ends map it to a
    colour or leave it plain."""

    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


class ChoiceStyle(StrEnum):
    """A hint for how prominent a button is; front ends may ignore it."""

    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True, slots=True)
class Choice:
    """A button. Pressing it comes back to the core as ``ButtonPress(action, value)``."""

    label: str
    #: An :class:`Action` (a plain string is accepted while the poll code still writes them).
    action: Action | str
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


#: What a ticked :attr:`Field.toggle` comes back as in ``ButtonPress.inputs``.
TICKED = "yes"


@dataclass(frozen=True, slots=True)
class Field:
    """One input of a :class:`Form` (a text input, or a tick box when ``toggle``); what
    was typed or ticked comes back under ``name``."""

    name: str
    label: str
    value: str = ""
    max_length: int = 200
    #: Left empty, it may be sent empty (the core says what it means).
    optional: bool = False
    #: A hint shown in the empty input ("Up to 75 characters").
    placeholder: str = ""
    #: Set on a refusal: what to fix in what was typed here, shown beside the input
    #: (under it in a dialog, which stays open; under the box on a message).
    error: str = ""
    #: Several lines of text rather than one (an expert's answer).
    multiline: bool = False
    #: A yes-or-no tick box labelled ``label`` rather than a text input ("Add to the
    #: FAQ"): ticked, it comes back as :data:`TICKED`, else as "" (never typed text).
    toggle: bool = False


@dataclass(frozen=True, slots=True)
class Form:
    """A few text inputs and the button that sends them (a poll's edit form, the one box
    of a poll's "Add an option").

    ``submit`` comes back as a press with every field's text in ``ButtonPress.inputs``
    (by :attr:`Field.name`). ``opened_by`` is the action of the button or menu entry the
    form belongs to. Where forms open as a dialog of their own, pressing
    that opener answers with the form and the front end opens it; where inputs sit on the
    message, the form is shown there instead: beside the opener's button when the
    opener is one of :attr:`Reply.controls` (the opener stays when it is the submit
    itself), inside the menu card in the opener's place when it is a :attr:`Reply.menu`
    entry. A refusal answers with the form again, its fields' ``error`` set.
    """

    title: str
    fields: tuple[Field, ...]
    submit: Choice
    #: A line under the inputs (what the form keeps, what it cannot do).
    note: str = ""
    opened_by: Action | str = ""

    def errors(self) -> dict[str, str]:
        """What to fix, by field name (empty when nothing was refused)."""
        return {f.name: f.error for f in self.fields if f.error}


@dataclass(frozen=True, slots=True)
class Reply:
    """One message the core wants shown."""

    #: What this reply is (a :class:`ReplyKind`), for tests, metrics and logs; front ends
    #: never branch on it. A plain string is accepted while the poll code still writes them.
    kind: ReplyKind | str
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
    #: The private note shown where the person acted once ``attachment`` has been
    #: delivered somewhere else (a poll's CSV sent to their direct messages).
    delivered_note: Reply | None = None
    #: The person asked to show this to everyone (a shared result): it goes to the channel
    #: even when the button was pressed on a message only they could see.
    shares: bool = False
    #: A poll's id when this is a new poll's message: the front end posts it where the
    #: poll was started and hands the core its place (``PollService.attach_message``).
    new_poll: str = ""
    #: What the person sees, privately, when this shared message could not be posted
    #: (the bot is not in the channel).
    not_posted: Reply | None = None
    #: Set on a short note (a vote confirmation, a refusal): how it stands out. None for a
    #: full reply.
    tone: Tone | None = None
    #: Actions kept out of the way (a poll's Edit and Delete): an overflow menu, or a card
    #: behind a ``menu_title`` button.
    menu: tuple[Choice, ...] = ()
    menu_title: str = ""
    #: Forms to fill in (see :class:`Form`). As the answer to a press the first one opens as
    #: a dialog where the platform has them; on a message, platforms that show inputs
    #: inline put each beside its opener, or behind the menu.
    forms: tuple[Form, ...] = ()

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
