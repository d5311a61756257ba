"""What a question asks for, beyond the words it shares with FAQ entries.

Two readings the FAQ matcher (:class:`bot.faq_matcher.FaqMatcher`) cannot make from word
overlap alone, both written in content (``intents`` and ``decline_rules`` in
``content/faq.yaml``):

- **Intents.** "Can you show me how the two compare?", "when is each side the right
  call?" and "help us decide" ask for what the bot already has, the comparison and the
  rule of thumb with the questionnaire, but share few words with those entries. A cue
  phrase names the intent; it counts only when the rest of the question names no topic of
  its own, so "how do they compare on cost?" is still the cost entry's question.
- **Decline rules.** A question about one vendor's prices, plans or models ("what does
  ChatGPT Plus cost?") shares words with the cost entry, yet the FAQ has nothing on it:
  answering with the generic entry would be wrong. A named product, or a price asked of a
  platform the FAQ only mentions, is declined outright; so is a phrase that asks for
  something the FAQ never covers (a recipe "from scratch", "the best open source model")
  and a how-to ("how do I fine-tune...", "how can we deploy...").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from bot.content import Faq
from bot.faq_text import normalise

#: Words that carry no topic of their own in a request ("show me the two options side by
#: side"): the two sides, the things being chosen between, and the verbs of asking.
_GENERIC = frozenset(
    "open closed source ai model tool two both side each other option approach one kind "
    "type which what when how why who should would could team us our we company setup "
    "business organisation proprietary vendor choose choice decide pick help go use "
    "using right best better good fit show see table explain walk through summarise "
    "summary give list key main quick overview guide lay break down put want need find "
    "figure out between vs versus against them they".split()
)
#: A version after a product name: "gpt4o", "llama3", "a100" stays "a100".
_VERSION = re.compile(r"[0-9][a-z0-9]*")
#: Where the closing clause of a question begins: after a sentence end, a comma or a dash.
_CLAUSE_BREAK = re.compile(r"[.,;:!?]\s+|\s[-\u2013\u2014]+\s")


@dataclass(frozen=True, slots=True)
class Reading:
    """What :class:`IntentRouter` made of a question."""

    #: The entry the question asks for by its intent, or None.
    entry: str | None = None
    #: Why the question is declined whatever the scores ("name gpt", "price"), or "".
    declined: str = ""
    #: The entry for the situation the question describes (a school: *educators*), or None.
    situation: str | None = None
    #: Whether the question closes by only asking which side to take ("which one?").
    which_one: bool = False


class IntentRouter:
    """Recognises the content's intents and decline rules in a normalised question."""

    def __init__(
        self,
        faq: Faq,
        tokens: Callable[[str], list[str]],
        vocabulary: Collection[str],
        topic: Callable[[str, str], float],
        generic: Collection[str] = _GENERIC,
    ) -> None:
        """Compile ``faq``'s rules.

        ``tokens`` is the matcher's tokeniser (synonyms folded, stopwords dropped),
        ``vocabulary`` the tokens its entries use, and ``topic(text, entry_id)`` the best
        score any *other* entry gets for ``text``: how strongly the rest of a request
        names a topic of its own.
        """
        self._normalise = normalise
        self._tokens = tokens
        self._vocabulary = frozenset(vocabulary)
        self._topic = topic
        self._ceiling = faq.intent_topic_ceiling
        self._generic = frozenset(t for word in generic for t in (word, *tokens(word)))
        self._intents = [
            (intent.entry, [normalise(cue) for cue in intent.cues if normalise(cue)])
            for intent in faq.intents
        ]
        rules = faq.decline_rules
        self._names = [normalise(name) for name in rules.names if normalise(name)]
        self._priced = [normalise(name) for name in rules.priced_names if normalise(name)]
        self._price_cues = [normalise(cue) for cue in rules.price_cues if normalise(cue)]
        self._phrases = [normalise(phrase) for phrase in rules.phrases if normalise(phrase)]
        openers = "|".join(re.escape(normalise(o)) for o in rules.how_to_openers if normalise(o))
        tasks = "|".join(re.escape(normalise(t)) for t in rules.how_to_tasks if normalise(t))
        # The task within two words of the opener: "how do i quickly fine tune".
        self._how_to = (
            re.compile(rf" (?:{openers}) (?:\S+ ){{0,2}}?(?:{tasks}) ")
            if openers and tasks
            else None
        )
        self._situations = [
            (item.answers, [normalise(cue) for cue in item.cues if normalise(cue)])
            for item in faq.situations
            if item.answers
        ]
        self._which_one = [normalise(cue) for cue in faq.which_one_cues if normalise(cue)]
        self._choose = next((i.entry for i in faq.intents if i.id == "decide"), "")

    def read(self, question: str) -> Reading:
        """The intent and decline rule that ``question`` meets, if any."""
        text = self._normalise(question)
        if not text:
            return Reading()
        padded = f" {text} "
        words = text.split()
        for name in self._names:
            if self._names_in(name, padded, words):
                return Reading(declined=f"name {name}")
        for phrase in self._phrases:
            if f" {phrase} " in padded:
                return Reading(declined=f"phrase {phrase}")
        if self._how_to is not None and (found := self._how_to.search(padded)):
            return Reading(declined=f"how to: {found.group(0).strip()}")
        if any(f" {cue} " in padded for cue in self._price_cues):
            for name in self._priced:
                if f" {name} " in padded:
                    return Reading(declined=f"price of {name}")
        situation = self._situation_in(padded)
        which_one = situation is not None and self._asks_which_one(question)
        for entry, cues in self._intents:
            for cue in cues:
                rest = padded.replace(f" {cue} ", " ")
                if f" {cue} " in padded and self._nothing_else(rest, entry):
                    return Reading(entry=entry, situation=situation, which_one=which_one)
        return Reading(situation=situation, which_one=which_one)

    def asks_which_one(self, question: str) -> bool:
        """Whether ``question`` closes by only asking which side to take ("which one?")."""
        return self._asks_which_one(question)

    def _asks_which_one(self, question: str) -> bool:
        closing = _CLAUSE_BREAK.split(question.strip().rstrip("?!. "))[-1]
        padded = f" {self._normalise(closing)} "
        for cue in self._which_one:
            if f" {cue} " in padded:
                return self._nothing_else(padded.replace(f" {cue} ", " "), self._choose)
        return False

    def situation(self, question: str) -> str | None:
        """The entry for the situation ``question`` describes anywhere in it, or None.

        A long message tells its situation in the preamble ("I teach at a primary school,
        ...") and asks "which one?" last, so this reads the whole message.
        """
        return self._situation_in(f" {self._normalise(question)} ")

    def _situation_in(self, padded: str) -> str | None:
        return next(
            (entry for entry, cues in self._situations if any(f" {c} " in padded for c in cues)),
            None,
        )

    @staticmethod
    def _names_in(name: str, padded: str, words: list[str]) -> bool:
        if " " in name:
            return f" {name} " in padded
        return any(
            word == name or (word.startswith(name) and _VERSION.fullmatch(word[len(name) :]))
            for word in words
        )

    def _nothing_else(self, rest: str, entry: str) -> bool:
        """Whether ``rest`` (the question without its cue) asks about nothing else.

        It may hold at most one word the FAQ never uses ("a checklist"; "a podcast about
        productivity" is something else), and no other entry may match it well ("on cost").
        """
        tokens = [t for t in self._tokens(rest) if t not in self._generic]
        unknown = sum(t not in self._vocabulary for t in tokens)
        if unknown > 1:
            return False
        return not tokens or self._topic(" ".join(tokens), entry) < self._ceiling
