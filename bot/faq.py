"""FAQ replies: an answer with related questions and feedback buttons, suggestions, or an
honest "I don't know" — plus the small-talk replies that keep greetings out of the FAQ.

Feedback is counted in Redis against the entry (``faq:feedback`` hash), with no user
identity.
"""

from __future__ import annotations

from bot.content import Content, FaqEntry
from bot.faq_matcher import FaqMatcher, Match, normalise
from bot.replies import Choice, ChoiceStyle, Reply, Visibility, fit_label
from bot.store import StateStore


class FaqDesk:
    """Answers questions from the content's FAQ."""

    def __init__(self, content: Content, store: StateStore) -> None:
        self.content = content
        self.store = store
        self.matcher = FaqMatcher(content.faq)
        self._entries = {e.id: e for e in content.faq.entries}
        self._small_talk = {
            normalise(pattern): item.reply
            for item in content.faq.small_talk
            for pattern in item.patterns
        }

    def small_talk(self, text: str) -> Reply | None:
        """A friendly reply to a greeting, thanks and the like; None for anything else."""
        reply = self._small_talk.get(normalise(text))
        return None if reply is None else Reply(kind="smalltalk", text=reply)

    def ask(self, question: str) -> Reply:
        """The reply to a question typed by a person."""
        strings = self.content.strings
        if not normalise(question):
            return Reply(kind="faq.empty", text=strings.empty_question)
        small = self.small_talk(question)
        if small is not None:
            return small
        return self.reply_for(self.matcher.match(question))

    def reply_for(self, match: Match) -> Reply:
        """Turn a matcher decision into what the person sees."""
        strings = self.content.strings
        if match.answered and match.entry is not None:
            return self.answer_reply(match.entry, match.score)
        if match.suggestions:
            return Reply(
                kind="faq.unsure",
                text=strings.faq_unsure,
                choices_title=strings.faq_suggestions_title,
                choices=tuple(
                    Choice(fit_label(s.entry.question), "faq.show", s.entry.id)
                    for s in match.suggestions
                ),
                visibility=Visibility.SHARED,
                meta={"score": f"{match.score:.3f}"},
            )
        return Reply(
            kind="faq.unknown",
            text=strings.faq_unknown,
            choices=(
                Choice(strings.menu_quiz, "quiz.start", style=ChoiceStyle.PRIMARY),
                Choice(strings.menu_compare, "compare.show"),
                Choice(strings.menu_help, "help.show"),
            ),
            visibility=Visibility.SHARED,
            meta={"score": f"{match.score:.3f}"},
        )

    def answer_reply(self, entry: FaqEntry, score: float = 1.0) -> Reply:
        """An entry's answer, its related questions as buttons and 👍 / 👎."""
        strings = self.content.strings
        related = tuple(
            Choice(fit_label(self._entries[r].question), "faq.show", r) for r in entry.related
        )
        return Reply(
            kind="faq.answer",
            header=entry.question,
            text=entry.answer,
            choices_title=strings.faq_related_title if related else "",
            choices=related,
            controls=(
                Choice(strings.faq_helpful, "faq.feedback", f"{entry.id}:up"),
                Choice(strings.faq_not_helpful, "faq.feedback", f"{entry.id}:down"),
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
        await self.store.increment("faq", "feedback", field=f"{entry_id}:{vote}")
        strings = self.content.strings
        return Reply(
            kind="faq.feedback",
            text=strings.faq_thanks if vote == "up" else strings.faq_feedback_sorry,
        )
