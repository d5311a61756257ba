"""Matching a free-text question to an FAQ entry, offline, in well under a millisecond.

Each entry's question and alternate phrasings become sparse TF-IDF vectors over word
unigrams, word bigrams and character 4-grams (the n-grams forgive typos and word
forms); synonyms from content are folded to one spelling first. A question's score for
an entry is the best cosine similarity against any of its phrasings.

The decision rule: answer when the best entry clears ``answer_threshold`` and leads the
runner-up by ``answer_margin``; otherwise offer up to three entries that clear
``suggest_threshold``; otherwise admit not knowing.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass

from bot.content import Faq, FaqEntry, SmallTalk

# Words that carry no meaning for matching. Question words stay: "why" and "how" matter.
_STOPWORDS = frozenset(
    "a an the is are am was were be been being do does did i we you me us our your my it its "
    "this that these those to of for in on at by with and or so as if can could would should "
    "will shall may might must there their they them he she his her please just really about "
    "any some get got go".split()
)
_WORD = re.compile(r"[a-z0-9]+")
_SUGGESTION_COUNT = 3
_NGRAM = 3
#: The two sides; a question about one side should not match a phrasing about the other.
_SIDES = frozenset({"open", "closed"})
#: How much a phrasing's score keeps when it is about the other side only.
_OTHER_SIDE_FACTOR = 0.6
#: Small talk is short; a longer message is a question even if it starts with "hi".
_SMALL_TALK_MAX_WORDS = 6
#: Letters typed three or more times in a row ("heyyy", "thanksss").
_STRETCHED = re.compile(r"([a-z])\1{2,}")
#: Texting shorthand, spelled out before small talk is looked up.
_SHORTHAND = {
    "u": "you",
    "r": "are",
    "ur": "your",
    "thx": "thanks",
    "thnx": "thanks",
    "thanx": "thanks",
}
#: Words that address the bot or pad a greeting without changing what it is.
_FILLER = frozenset("bot ai choice mate pal buddy folks all everyone so ok okay then again".split())


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An entry offered as a possible meaning, with its score."""

    entry: FaqEntry
    score: float


@dataclass(frozen=True, slots=True)
class Match:
    """What the matcher concluded about one question."""

    answered: bool
    entry: FaqEntry | None
    score: float
    suggestions: tuple[Suggestion, ...]


def normalise(text: str) -> str:
    """Lower case, accents and punctuation removed, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(text.replace("-", "")))


class FaqMatcher:
    """An index over the FAQ's phrasings, built once at start-up."""

    def __init__(self, faq: Faq) -> None:
        self.faq = faq
        self._canonical: dict[str, str] = {}
        for canonical, variants in faq.synonyms.items():
            for variant in variants:
                self._canonical[normalise(variant).replace(" ", "")] = canonical
        self._vocabulary: frozenset[str] = frozenset()
        docs: list[tuple[int, Counter[str]]] = []
        self._doc_sides: list[frozenset[str]] = []
        for index, entry in enumerate(faq.entries):
            for text in (entry.question, *entry.phrasings):
                docs.append((index, self._features(text)))
                self._doc_sides.append(self._sides(text))
        self._vocabulary = frozenset(
            f[2:] for _, features in docs for f in features if f.startswith("w:")
        )
        document_frequency: Counter[str] = Counter()
        for _, features in docs:
            document_frequency.update(features.keys())
        count = len(docs)
        self._idf = {
            f: math.log((1 + count) / (1 + df)) + 1.0 for f, df in document_frequency.items()
        }
        # Words the FAQ never uses weigh like the rarest known ones, so a question that is
        # mostly about something else scores low instead of matching on its one known word.
        self._unknown_idf = math.log(1 + count) + 1.0
        self._doc_entry: list[int] = []
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for doc_index, (entry_index, features) in enumerate(docs):
            vector = self._weigh(features)
            self._doc_entry.append(entry_index)
            for feature, weight in vector.items():
                self._postings[feature].append((doc_index, weight))

    def tokens(self, text: str) -> list[str]:
        """The words that count for matching: synonyms folded, stopwords dropped."""
        return self._tokens(text)

    def _tokens(self, text: str) -> list[str]:
        words = normalise(text).split()
        folded = [self._canonical.get(w, w) for w in words]
        return [w for w in folded if w not in _STOPWORDS]

    def _sides(self, text: str) -> frozenset[str]:
        return _SIDES.intersection(self._tokens(text))

    def _features(self, text: str) -> Counter[str]:
        tokens = self._tokens(text)
        features: Counter[str] = Counter()
        for token in tokens:
            # A word the FAQ never uses is most likely a typo: let its character
            # n-grams find the word it was meant to be, rather than count as a new word.
            if not self._vocabulary or token in self._vocabulary:
                features["w:" + token] += 2
            padded = f"<{token}>"
            for i in range(max(1, len(padded) - _NGRAM + 1)):
                features["c:" + padded[i : i + _NGRAM]] += 1
        for left, right in itertools.pairwise(tokens):
            if not self._vocabulary or {left, right} <= self._vocabulary:
                features[f"b:{left}_{right}"] += 2
        return features

    def _weigh(self, features: Counter[str]) -> dict[str, float]:
        vector = {
            f: (1 + math.log(n)) * self._idf.get(f, self._unknown_idf) for f, n in features.items()
        }
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {f: v / norm for f, v in vector.items()}

    def scores(self, question: str) -> list[tuple[FaqEntry, float]]:
        """Every entry with a score above zero, best first."""
        query = self._weigh(self._features(question))
        doc_scores: dict[int, float] = defaultdict(float)
        for feature, weight in query.items():
            for doc_index, doc_weight in self._postings.get(feature, ()):
                doc_scores[doc_index] += weight * doc_weight
        sides = self._sides(question)
        best: dict[int, float] = {}
        for doc_index, value in doc_scores.items():
            doc_sides = self._doc_sides[doc_index]
            if sides and doc_sides and not sides & doc_sides:
                value *= _OTHER_SIDE_FACTOR
            entry_index = self._doc_entry[doc_index]
            if value > best.get(entry_index, 0.0):
                best[entry_index] = value
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        return [(self.faq.entries[i], round(min(s, 1.0), 4)) for i, s in ranked]

    def match(self, question: str) -> Match:
        """Answer, suggest, or admit not knowing, by the content's thresholds."""
        return self.decide(self.scores(question))

    def decide(self, ranked: list[tuple[FaqEntry, float]]) -> Match:
        """Apply the decision rule to :meth:`scores`' ranking."""
        if not ranked:
            return Match(False, None, 0.0, ())
        top_entry, top_score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        faq = self.faq
        answered = top_score >= faq.answer_threshold and top_score - runner_up >= faq.answer_margin
        # When answering, the suggestions are the runners-up ("you may also mean").
        candidates = ranked[1:] if answered else ranked
        suggestions = tuple(
            Suggestion(e, s)
            for e, s in candidates[:_SUGGESTION_COUNT]
            if s >= faq.suggest_threshold
        )
        return Match(answered, top_entry if answered else None, top_score, suggestions)


class SmallTalkMatcher:
    """Recognises greetings, thanks and the like, so they get a friendly reply.

    A message is small talk when, once normalised, it is one of the content's patterns,
    allowing for stretched letters ("heyyy"), words that only address the bot ("bot",
    "mate"), texting shorthand ("u", "r") and a greeting in front of another pattern
    ("hi, what can you do"). Anything longer than a few words is left to the FAQ.
    """

    def __init__(self, faq: Faq) -> None:
        self._replies: dict[str, SmallTalk] = {}
        for item in faq.small_talk:
            for pattern in item.patterns:
                self._replies.setdefault(normalise(pattern), item)
                self._replies.setdefault(self._key(pattern), item)

    @staticmethod
    def _key(text: str) -> str:
        words = _STRETCHED.sub(r"\1", normalise(text)).split()
        words = [_SHORTHAND.get(w, w) for w in words]
        return " ".join(w for w in words if w not in _FILLER)

    def find(self, text: str) -> SmallTalk | None:
        """The small-talk item ``text`` is, or None when it is something else."""
        exact = self._replies.get(normalise(text))
        if exact is not None:
            return exact
        words = self._key(text).split()
        if not words or len(words) > _SMALL_TALK_MAX_WORDS:
            return None
        # "hi, what can you do": a greeting in front of another pattern answers the latter.
        while words:
            found = self._replies.get(" ".join(words))
            if found is not None or words[0] not in self._replies:
                return found
            words = words[1:]
        return None
