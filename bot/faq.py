"""FAQ replies: an answer with related questions and feedback buttons, suggestions, or an
honest "I don't know" — plus the small-talk replies that keep greetings out of the FAQ.

The editor's loop, all in Redis and with no user identity:

- every question is counted by its normalised text (``faq:{asked}`` sorted set, at most
  :data:`MAX_TRACKED_QUESTIONS` distinct ones) with its latest outcome, entry and score
  (``faq:{asked}:last`` hash), both in one atomic step (one hash tag, so one Cluster slot);
- 👍 / 👎 are counted against the entry (``faq:feedback`` hash);
- :func:`build_report` turns both into the list an editor works through
  (``ai-choice faq report``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import Any

from bot.content import Content, Faq, FaqEntry
from bot.faq_matcher import FaqMatcher, Match
from bot.faq_situations import SituationNotes
from bot.faq_text import normalise
from bot.limits import MAX_QUESTION_CHARS, too_long
from bot.replies import Action, Choice, ChoiceStyle, Reply, ReplyKind, Visibility, fit_label
from bot.small_talk import SmallTalkMatcher
from bot.store import StateStore, StoreUnavailable

log = logging.getLogger(__name__)

#: How many distinct questions are kept; the least asked make way for new ones.
MAX_TRACKED_QUESTIONS = 2000
#: Where questions are counted (a sorted set) and their latest outcome kept (``ASKED_LAST``).
ASKED = ("faq", "{asked}")
ASKED_LAST = (*ASKED, "last")
#: 👍 / 👎 counters, two per FAQ entry.
FEEDBACK = ("faq", "feedback")
#: Longest question text kept, in characters.
MAX_QUESTION_LENGTH = 200
#: An answer scoring less than this above the answer threshold counts as low-confidence.
LOW_CONFIDENCE_BAND = 0.1


class FaqDesk:
    """Answers questions from the content's FAQ."""

    def __init__(self, content: Content, store: StateStore) -> None:
        self.content = content
        self.store = store
        self.matcher = FaqMatcher(content.faq)
        self._entries = {e.id: e for e in content.faq.entries}
        self._small_talk = SmallTalkMatcher(content.faq)
        self._notes = SituationNotes(content.faq)

    def small_talk(self, text: str) -> Reply | None:
        """A friendly reply to a greeting, thanks and the like; None for anything else."""
        item = self._small_talk.find(text)
        return None if item is None else Reply(kind=ReplyKind.SMALL_TALK, text=item.reply)

    async def ask(self, question: str) -> Reply:
        """The reply to a question typed by a person; the question is counted for editors."""
        strings = self.content.strings
        if too_long(question, MAX_QUESTION_CHARS):
            return self.too_long_reply()
        if not normalise(question):
            return Reply(kind=ReplyKind.FAQ_EMPTY, text=strings.empty_question)
        small = self.small_talk(question)
        if small is not None:
            return small
        match = self.matcher.match(question)
        await self.record(question, match)
        return self.reply_for(match, question)

    def too_long_reply(self) -> Reply:
        """The friendly refusal of a question over :data:`MAX_QUESTION_CHARS` characters."""
        text = self.content.strings.question_too_long.format(max=f"{MAX_QUESTION_CHARS:,}")
        return Reply(kind=ReplyKind.FAQ_TOO_LONG, text=text)

    async def record(self, question: str, match: Match) -> None:
        """Count ``question`` with its outcome; a Redis outage never costs the answer."""
        text = normalise(question)[:MAX_QUESTION_LENGTH]
        if match.answered and match.entry is not None:
            outcome, entry_id = "answered", match.entry.id
        elif match.suggestions:
            outcome, entry_id = "unsure", match.suggestions[0].entry.id
        else:
            outcome, entry_id = "unknown", None
        detail = {"outcome": outcome, "entry": entry_id, "score": round(match.score, 4)}
        try:
            await self.store.count_member(
                *ASKED, member=text, detail=json.dumps(detail), cap=MAX_TRACKED_QUESTIONS
            )
        except StoreUnavailable:
            log.warning("could not count an FAQ question: store unavailable")

    def reply_for(self, match: Match, question: str = "") -> Reply:
        """Turn a matcher decision into what the person sees.

        An answer to a ``question`` that describes a situation content has a note for
        ("we're a school...") ends with that note.
        """
        strings = self.content.strings
        if match.answered and match.entry is not None:
            note = self._notes.note(question, match.entry.id) if question else ""
            return self.answer_reply(match.entry, match.score, note)
        if match.suggestions:
            return Reply(
                kind=ReplyKind.FAQ_UNSURE,
                text=strings.faq_unsure,
                choices_title=strings.faq_suggestions_title,
                choices=tuple(
                    Choice(fit_label(s.entry.question), Action.FAQ_SHOW, s.entry.id)
                    for s in match.suggestions
                ),
                visibility=Visibility.SHARED,
                meta={"score": f"{match.score:.3f}"},
            )
        return Reply(
            kind=ReplyKind.FAQ_UNKNOWN,
            text=strings.faq_unknown,
            choices=(
                Choice(strings.menu_quiz, Action.QUIZ_START, style=ChoiceStyle.PRIMARY),
                Choice(strings.menu_compare, Action.COMPARE_SHOW),
                Choice(strings.menu_help, Action.HELP_SHOW),
            ),
            visibility=Visibility.SHARED,
            meta={"score": f"{match.score:.3f}"},
        )

    def answer_reply(self, entry: FaqEntry, score: float = 1.0, note: str = "") -> Reply:
        """An entry's answer, what it offers and its related questions as buttons, 👍 / 👎.

        An entry that helps people decide (the rule of thumb, the difference) also offers
        the questionnaire and the comparison, first.
        """
        strings = self.content.strings
        offers = {
            "quiz": Choice(strings.menu_quiz, Action.QUIZ_START, style=ChoiceStyle.PRIMARY),
            "compare": Choice(strings.menu_compare, Action.COMPARE_SHOW),
        }
        related = tuple(offers[o] for o in entry.offers) + tuple(
            Choice(fit_label(self._entries[r].question), Action.FAQ_SHOW, r) for r in entry.related
        )
        return Reply(
            kind=ReplyKind.FAQ_ANSWER,
            header=entry.question,
            text=f"{entry.answer}\n\n{note}" if note else entry.answer,
            choices_title=strings.faq_related_title if related else "",
            choices=related,
            controls=(
                Choice(strings.faq_helpful, Action.FAQ_FEEDBACK, f"{entry.id}:up"),
                Choice(strings.faq_not_helpful, Action.FAQ_FEEDBACK, f"{entry.id}:down"),
            ),
            visibility=Visibility.SHARED,
            meta={"entry": entry.id, "score": f"{score:.3f}"},
        )

    def show(self, entry_id: str) -> Reply | None:
        """The answer for a suggestion or related-question button; None if it is gone."""
        entry = self._entries.get(entry_id)
        return None if entry is None else self.answer_reply(entry)

    async def feedback(self, value: str) -> Reply | None:
        """Count a 👍 / 👎 given as ``entry_id:up|down``; None when the value is not one."""
        entry_id, _, vote = value.partition(":")
        if entry_id not in self._entries or vote not in ("up", "down"):
            return None
        await self.store.increment(*FEEDBACK, field=f"{entry_id}:{vote}")
        strings = self.content.strings
        return Reply(
            kind=ReplyKind.FAQ_FEEDBACK,
            text=strings.faq_thanks if vote == "up" else strings.faq_feedback_sorry,
        )


@dataclass(frozen=True, slots=True)
class AskedQuestion:
    """A normalised question, how often it was asked, and how it was last handled."""

    question: str
    count: int
    outcome: str
    entry: str | None
    score: float


@dataclass(frozen=True, slots=True)
class DownvotedEntry:
    """An FAQ entry people marked as not helpful, with its 👎 and 👍 counts."""

    entry: str
    question: str
    down: int
    up: int


@dataclass(frozen=True, slots=True)
class FaqReport:
    """What an editor works through, each list most frequent first."""

    unanswered: list[AskedQuestion]
    low_confidence: list[AskedQuestion]
    downvoted: list[DownvotedEntry]

    def as_json(self) -> dict[str, Any]:
        """The report as plain JSON-ready data."""
        return {
            "unanswered": [asdict(q) for q in self.unanswered],
            "low_confidence": [asdict(q) for q in self.low_confidence],
            "downvoted": [asdict(d) for d in self.downvoted],
        }

    def as_text(self) -> str:
        """The report as lines for a terminal."""
        lines = [f"Unanswered questions ({len(self.unanswered)}):"]
        lines += [f"  {q.count:5}  {q.question}" for q in self.unanswered] or ["  (none)"]
        lines.append(f"Low-confidence matches ({len(self.low_confidence)}):")
        lines += [
            f"  {q.count:5}  {q.question}  -> {q.entry} ({q.outcome}, score {q.score:.2f})"
            for q in self.low_confidence
        ] or ["  (none)"]
        lines.append(f"Most 👎'd answers ({len(self.downvoted)}):")
        lines += [
            f"  {d.down:5}  {d.entry}: {d.question}  (👍 {d.up})" for d in self.downvoted
        ] or ["  (none)"]
        return "\n".join(lines)


async def build_report(store: StateStore, faq: Faq, limit: int = 50) -> FaqReport:
    """Unanswered questions, low-confidence matches and the most 👎'd answers."""
    asked = await store.ranked_members(*ASKED)
    details = await store.get_fields(*ASKED_LAST, fields=[q for q, _ in asked])
    unanswered: list[AskedQuestion] = []
    low: list[AskedQuestion] = []
    low_line = faq.answer_threshold + LOW_CONFIDENCE_BAND
    for question, count in asked:
        detail = json.loads(details.get(question, "{}"))
        item = AskedQuestion(
            question,
            count,
            str(detail.get("outcome", "unknown")),
            detail.get("entry"),
            float(detail.get("score", 0.0)),
        )
        if item.outcome == "unknown":
            unanswered.append(item)
        elif item.outcome == "unsure" or item.score < low_line:
            low.append(item)
    entries = {e.id: e for e in faq.entries}
    votes = await store.counters(*FEEDBACK)
    downvoted = [
        DownvotedEntry(entry_id, entries[entry_id].question, down, votes.get(f"{entry_id}:up", 0))
        for key, down in votes.items()
        for entry_id, _, vote in [key.partition(":")]
        if vote == "down" and down > 0 and entry_id in entries
    ]
    downvoted.sort(key=lambda d: (-d.down, d.up, d.entry))
    return FaqReport(unanswered[:limit], low[:limit], downvoted[:limit])
