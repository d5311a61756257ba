"""Matching a free-text question to an FAQ entry, offline, in well under a millisecond.

The index, the scores and the decision rule; how text becomes terms (synonyms, stopwords,
stemming, typos, n-grams) is :mod:`bot.faq_text`, and greetings never get this far
(:mod:`bot.small_talk`). Each entry's question and alternate phrasings become sparse
TF-IDF vectors over those terms. A question's score for an entry is half its best cosine
similarity against any one phrasing and half against all the entry's phrasings together
(its centroid), a phrasing about the other side only keeping part of its score, all
multiplied by the share of the question's weight carried by words the FAQ knows (the
coverage gate).

Meaning comes in from a small static embedding model (:mod:`bot.faq_semantic`): a small
share of each entry's similarity in meaning breaks near-ties in the ranking.

The decision rule: answer when the best entry clears ``answer_threshold`` and leads the
runner-up by ``answer_margin``, and leads the closest of the content's ``decline_topics`` (nearby
topics the FAQ does not cover) by ``decline_margin``; or, when the words name the best entry
only weakly (at least ``semantic_floor``), when it is also close in meaning (at least
``semantic_threshold``), leads the runner-up by ``answer_margin`` on the ranking score and
does not trail the closest decline topic by more than ``semantic_decline_margin``.
Or, when the best entry clearly leads (at least ``lead_floor``, ``lead_ratio`` times the
runner-up, not below the closest decline topic, ``lead_meaning`` close in meaning).
Or, for a question about AI tools at all (``domain_terms``), when the best entry leads
``domain_ratio`` times from ``domain_floor`` and no decline topic is closer.
A question of at most ``short_question_words`` meaningful words is answered only when the
best entry leads by ``short_question_margin``. Otherwise offer up to three entries that
clear ``suggest_threshold``; otherwise admit not knowing.

Before that rule: a long message is also scored by its closing question
(:mod:`bot.faq_gist`); a request for the comparison or for help deciding lifts its entry,
and a named product, a price, a how-to or a ranking of models is declined outright
(:mod:`bot.faq_intents`); "which one?" asked from a situation content knows (anywhere in
the message) gets that situation's entry.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from bot.content import Faq, FaqEntry
from bot.faq_gist import gist
from bot.faq_intents import IntentRouter, Reading
from bot.faq_semantic import SemanticIndex, default_embedder
from bot.faq_text import Tokeniser, features, word_feature

_SUGGESTION_COUNT = 3
#: The two sides; a question about one side should not match a phrasing about the other.
_SIDES = frozenset({"open", "closed"})
#: How much a phrasing's score keeps when it is about the other side only.
_OTHER_SIDE_FACTOR = 0.6
#: How much an entry's centroid (all its phrasings together) weighs against its best phrasing.
CENTROID_WEIGHT = 0.5
#: How much of an entry's similarity in meaning is added to its score for ranking.
SEMANTIC_RANK_WEIGHT = 0.1
#: How much the closing question of a long message weighs against the whole message.
GIST_WEIGHT = 0.7


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An entry offered as a possible meaning, with its score."""

    entry: FaqEntry
    score: float


class Ranking(list[tuple[FaqEntry, float]]):
    """Entries with their word scores, best first, and what else the decision rule reads.

    ``decline`` is how close the closest decline topic is; ``meaning`` maps an entry id to
    its similarity in meaning (empty when the matcher runs on words alone); ``words`` is
    how many meaningful words the question had. The order is by word score plus a small
    share of meaning, so it can differ slightly from the order of the word scores.
    """

    decline: float = 0.0
    words: int = 0
    #: Whether the question is about the FAQ's domain (``domain_terms``, or both sides).
    domain: bool = False
    meaning: dict[str, float]
    reading: Reading

    def __init__(self, items: Iterable[tuple[FaqEntry, float]] = ()) -> None:
        super().__init__(items)
        self.meaning = {}
        self.reading = Reading()


@dataclass(frozen=True, slots=True)
class Match:
    """What the matcher concluded about one question."""

    answered: bool
    entry: FaqEntry | None
    score: float
    suggestions: tuple[Suggestion, ...]


def ranking_score(words: float, meaning: float) -> float:
    """The score entries are ranked by: the word score plus a small share of meaning."""
    return words + SEMANTIC_RANK_WEIGHT * meaning


class FaqMatcher:
    """An index over the FAQ's phrasings, built once at start-up."""

    def __init__(self, faq: Faq, *, semantic: bool = True) -> None:
        """Index ``faq``; with ``semantic`` (and the model installed) similarity in meaning too."""
        self.faq = faq
        texts: list[tuple[int, str]] = [
            (index, text)
            for index, entry in enumerate(faq.entries)
            for text in (entry.question, *entry.phrasings)
        ]
        self._text = Tokeniser(faq.synonyms, (text for _, text in texts))
        self._vocabulary = self._text.vocabulary
        docs = [(index, self._features(self.tokens(text))) for index, text in texts]
        self._doc_sides = [self._sides(text) for _, text in texts]
        document_frequency: Counter[str] = Counter()
        for _, counts in docs:
            document_frequency.update(counts.keys())
        count = len(docs)
        self._idf = {
            f: math.log((1 + count) / (1 + df)) + 1.0 for f, df in document_frequency.items()
        }
        # Words the FAQ never uses weigh like the rarest known ones, so a question that is
        # mostly about something else scores low instead of matching on its one known word.
        self._unknown_idf = math.log(1 + count) + 1.0
        self._doc_entry: list[int] = []
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for doc_index, (entry_index, counts) in enumerate(docs):
            vector = self._weigh(counts)
            self._doc_entry.append(entry_index)
            for feature, weight in vector.items():
                self._postings[feature].append((doc_index, weight))
        # One "centroid" document per entry: all its phrasings together.
        self._centroids: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for index in range(len(faq.entries)):
            merged: Counter[str] = Counter()
            for entry_index, counts in docs:
                if entry_index == index:
                    merged.update(counts)
            for feature, weight in self._weigh(merged).items():
                self._centroids[feature].append((index, weight))
        self._domain = frozenset(t for term in faq.domain_terms for t in self.tokens(term))
        self._build_decline_index(faq, texts)
        self._router = IntentRouter(faq, self.tokens, self._vocabulary, self._other_topic)
        embedder = default_embedder() if semantic else None
        self._semantic = (
            None
            if embedder is None
            else SemanticIndex(embedder, [(e.question, *e.phrasings) for e in faq.entries])
        )

    @property
    def semantic(self) -> bool:
        """Whether similarity in meaning takes part (the model was found and asked for)."""
        return self._semantic is not None

    def _build_decline_index(self, faq: Faq, texts: list[tuple[int, str]]) -> None:
        """A second index over the decline topics, in a space where their words count too.

        The entries' own scores are untouched (so is every ranking); this only measures
        how close a question is to a topic the FAQ does not cover.
        """
        self._decline_postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._decline_vocabulary = self._vocabulary
        self._decline_idf: dict[str, float] = {}
        self._decline_unknown_idf = 1.0
        decline_texts = [q for questions in faq.decline_topics.values() for q in questions]
        if not decline_texts:
            return
        self._decline_vocabulary = self._vocabulary.union(
            t for text in decline_texts for t in self.tokens(text)
        )
        vocabulary = self._decline_vocabulary
        entry_docs = [features(self.tokens(text), vocabulary) for _, text in texts]
        decline_docs = [features(self.tokens(text), vocabulary) for text in decline_texts]
        document_frequency: Counter[str] = Counter()
        for counts in (*entry_docs, *decline_docs):
            document_frequency.update(counts.keys())
        count = len(entry_docs) + len(decline_docs)
        self._decline_idf = {
            f: math.log((1 + count) / (1 + df)) + 1.0 for f, df in document_frequency.items()
        }
        self._decline_unknown_idf = math.log(1 + count) + 1.0
        for doc_index, counts in enumerate(decline_docs):
            vector = self._weigh(counts, self._decline_idf, self._decline_unknown_idf)
            for feature, weight in vector.items():
                self._decline_postings[feature].append((doc_index, weight))

    def _decline_score(self, tokens: list[str]) -> float:
        """How close a question (its ``tokens``) is to the nearest decline topic (0: none)."""
        if not self._decline_postings:
            return 0.0
        counts = features(tokens, self._decline_vocabulary)
        query = self._weigh(counts, self._decline_idf, self._decline_unknown_idf)
        doc_scores: dict[int, float] = defaultdict(float)
        for feature, weight in query.items():
            for doc_index, doc_weight in self._decline_postings.get(feature, ()):
                doc_scores[doc_index] += weight * doc_weight
        best = max(doc_scores.values(), default=0.0)
        best *= self._coverage(tokens, self._decline_idf, self._decline_unknown_idf)
        return round(min(best, 1.0), 4)

    def tokens(self, text: str) -> list[str]:
        """The words that count for matching: synonyms folded, stopwords dropped."""
        return self._text.tokens(text)

    def _sides(self, text: str) -> frozenset[str]:
        return _SIDES.intersection(self.tokens(text))

    def _features(self, tokens: list[str]) -> Counter[str]:
        """``tokens`` as features of the entries' space (only words the entries use)."""
        return features(tokens, self._vocabulary)

    def _weigh(
        self,
        counts: Counter[str],
        idf: dict[str, float] | None = None,
        unknown_idf: float | None = None,
    ) -> dict[str, float]:
        if idf is None:
            idf, unknown_idf = self._idf, self._unknown_idf
        default = self._unknown_idf if unknown_idf is None else unknown_idf
        vector = {f: (1 + math.log(n)) * idf.get(f, default) for f, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {f: v / norm for f, v in vector.items()}

    def scores(self, question: str) -> Ranking:
        """Every entry with a score above zero, best first (and the decline score).

        A long message that ends with a question of its own (:func:`bot.faq_gist.gist`) is
        scored twice, whole and by that question, and the question weighs more.
        """
        whole = self._score_text(question)
        part = gist(question) if GIST_WEIGHT else None
        ranking = whole if part is None else self._blend(whole, self._score_text(part))
        # The request and the product named are the closing question's, not the preamble's;
        # the situation may be told anywhere.
        return self._read(part or question, ranking, question)

    def _other_topic(self, text: str, entry_id: str) -> float:
        """The best word score for ``text`` of any entry but ``entry_id``."""
        return max((s for e, s in self._score_text(text) if e.id != entry_id), default=0.0)

    def _read(self, question: str, ranking: Ranking, whole: str) -> Ranking:
        """Note the question's intent and decline rule; an intent lifts its entry.

        ``question`` is the closing question of the message ``whole`` (or all of it).
        """
        reading = self._router.read(question)
        if reading.situation is None and whole != question and not reading.declined:
            situation = self._router.situation(whole)
            if situation is not None:
                which_one = self._router.asks_which_one(question)
                reading = replace(reading, situation=situation, which_one=which_one)
        ranking.reading = reading
        if reading.entry is None or not self.faq.intent_boost:
            return ranking
        entry = next(e for e in self.faq.entries if e.id == reading.entry)
        scores = {e.id: s for e, s in ranking}
        lifted = round(min(1.0, scores.get(entry.id, 0.0) + self.faq.intent_boost), 4)
        if entry.id not in scores:
            ranking.append((entry, lifted))
        ranking[:] = [(e, lifted if e.id == entry.id else s) for e, s in ranking]
        ranking.sort(key=lambda item: -ranking_score(item[1], ranking.meaning.get(item[0].id, 0.0)))
        return ranking

    def _blend(self, whole: Ranking, part: Ranking) -> Ranking:
        """``part`` (the gist) weighed ``GIST_WEIGHT`` against ``whole``, entry by entry."""
        entries = {e.id: e for e, _ in (*whole, *part)}
        words_whole = {e.id: s for e, s in whole}
        words_part = {e.id: s for e, s in part}

        def mix(a: float, b: float) -> float:
            return round((1 - GIST_WEIGHT) * a + GIST_WEIGHT * b, 4)

        scores = {i: mix(words_whole.get(i, 0.0), words_part.get(i, 0.0)) for i in entries}
        meaning = {
            i: mix(whole.meaning.get(i, 0.0), part.meaning.get(i, 0.0))
            for i in entries
            if whole.meaning or part.meaning
        }
        order = sorted(entries, key=lambda i: (-ranking_score(scores[i], meaning.get(i, 0.0)), i))
        result = Ranking((entries[i], scores[i]) for i in order if scores[i] > 0)
        result.meaning = meaning
        result.decline = mix(whole.decline, part.decline)
        result.words = max(whole.words, part.words)
        result.domain = whole.domain or part.domain
        return result

    def _score_text(self, question: str) -> Ranking:
        tokens = self.tokens(question)
        query = self._weigh(self._features(tokens))
        doc_scores: dict[int, float] = defaultdict(float)
        for feature, weight in query.items():
            for doc_index, doc_weight in self._postings.get(feature, ()):
                doc_scores[doc_index] += weight * doc_weight
        sides = _SIDES.intersection(tokens)
        per_entry: dict[int, list[float]] = defaultdict(list)
        for doc_index, value in doc_scores.items():
            doc_sides = self._doc_sides[doc_index]
            if sides and doc_sides and not sides & doc_sides:
                value *= _OTHER_SIDE_FACTOR
            per_entry[self._doc_entry[doc_index]].append(value)
        best: dict[int, float] = {}
        for entry_index, values in per_entry.items():
            best[entry_index] = max(values)
        centroid: dict[int, float] = defaultdict(float)
        for feature, weight in query.items():
            for entry_index, doc_weight in self._centroids.get(feature, ()):
                centroid[entry_index] += weight * doc_weight
        for entry_index, value in centroid.items():
            old = best.get(entry_index, 0.0)
            best[entry_index] = (1 - CENTROID_WEIGHT) * old + CENTROID_WEIGHT * value
        # The coverage gate: a question mostly about something else scores low everywhere.
        coverage = self._coverage(tokens)
        best = {i: v * coverage for i, v in best.items()}
        best = {i: rounded for i, v in best.items() if (rounded := round(min(v, 1.0), 4)) > 0}
        meaning: list[float] = []
        if self._semantic is not None and best:
            meaning = self._semantic.similarities(question)
        ranked = sorted(
            best.items(),
            key=lambda item: (
                -ranking_score(item[1], meaning[item[0]] if meaning else 0.0),
                item[0],
            ),
        )
        result = Ranking((self.faq.entries[i], s) for i, s in ranked)
        if result:
            result.decline = self._decline_score(tokens)
            result.words = len(tokens)
            result.domain = bool(self._domain.intersection(tokens)) or set(tokens) >= _SIDES
            if meaning:
                result.meaning = {self.faq.entries[i].id: meaning[i] for i, _ in ranked}
        return result

    def _coverage(
        self,
        tokens: list[str],
        idf_table: dict[str, float] | None = None,
        unknown_idf: float | None = None,
    ) -> float:
        """The share of the question's weight carried by words the FAQ knows."""
        if idf_table is None:
            idf_table = self._idf
        unknown = self._unknown_idf if unknown_idf is None else unknown_idf
        known = total = 0.0
        for token in tokens:
            idf = idf_table.get(word_feature(token))
            if idf is None:
                total += unknown
            else:
                known += idf
                total += idf
        return known / total if total else 0.0

    def match(self, question: str) -> Match:
        """Answer, suggest, or admit not knowing, by the content's thresholds."""
        return self.decide(self.scores(question))

    def decide(self, ranked: list[tuple[FaqEntry, float]]) -> Match:
        """Apply the decision rule to :meth:`scores`' ranking."""
        if not ranked:
            return Match(False, None, 0.0, ())
        top_entry, top_score = ranked[0]
        faq = self.faq
        rivals = self._rivals(ranked)
        runner_up = max((score for _, score in rivals), default=0.0)
        reading: Reading = getattr(ranked, "reading", Reading())
        if reading.declined:
            # A named product or a price the FAQ does not cover: no answer, no guesses.
            return Match(False, None, top_score, ())
        decline = getattr(ranked, "decline", 0.0)
        meanings: dict[str, float] = getattr(ranked, "meaning", {})
        meaning = meanings.get(top_entry.id)
        lead = self._ranking_lead([ranked[0], *rivals], meanings)
        answered = (
            (
                top_score >= faq.answer_threshold
                and top_score - runner_up >= faq.answer_margin
                and (not decline or top_score - decline >= faq.decline_margin)
            )
            or (
                meaning is not None
                and top_score >= faq.semantic_floor
                and meaning >= faq.semantic_threshold
                and (not decline or top_score - decline >= faq.semantic_decline_margin)
                and lead >= faq.answer_margin
            )
            or (
                top_score >= faq.lead_floor
                and top_score >= faq.lead_ratio * runner_up
                and top_score >= decline
                and meaning is not None
                and meaning >= faq.lead_meaning
            )
            or (
                getattr(ranked, "domain", False)
                and top_score >= faq.domain_floor
                and top_score >= faq.domain_ratio * runner_up
                and top_score >= decline
            )
        )
        words = getattr(ranked, "words", 0)
        if answered and 0 < words <= faq.short_question_words:
            # "ai tools": a word or two that many entries share; answer only a clear winner
            # (over every other entry, siblings too).
            answered = self._ranking_lead(ranked, meanings) >= faq.short_question_margin
        if answered and reading.entry is None:
            ranked, top_entry = self._specific_over_generic(ranked)
        ranked, top_entry, answered = self._situation(reading, ranked, top_entry, answered)
        # When answering, the suggestions are the runners-up ("you may also mean").
        candidates = ranked[1:] if answered else ranked
        suggestions = tuple(
            Suggestion(e, s)
            for e, s in candidates[:_SUGGESTION_COUNT]
            if s >= faq.suggest_threshold
        )
        return Match(answered, top_entry if answered else None, top_score, suggestions)

    def _situation(
        self,
        reading: Reading,
        ranked: list[tuple[FaqEntry, float]],
        top_entry: FaqEntry,
        answered: bool,
    ) -> tuple[list[tuple[FaqEntry, float]], FaqEntry, bool]:
        """A situation's own entry answers "which one for us?" asked from that situation.

        "We're a school with student records, which one?" reads as the generic *choose*
        entry (answered, or best but too weak to answer); the school's entry is the better
        answer when the generic one was answered or the school's is near the top.
        Returns the ranking with that entry first.
        """
        wanted = reading.situation
        if wanted is None:
            return ranked, top_entry, answered
        if wanted == top_entry.id:
            return ranked, top_entry, answered or reading.which_one
        near = [e.id for e, _ in ranked[:_SUGGESTION_COUNT]]
        # Only a question that reads as "which one?": it closes by asking only that, or its
        # best entry is a generic one (answered, or the situation's entry is near the top);
        # "when does the school term start?" is not one.
        generic = top_entry.id in self.faq.situation_replaces and (answered or wanted in near)
        if not (generic or reading.which_one):
            return ranked, top_entry, answered
        entry = next(e for e in self.faq.entries if e.id == wanted)
        rest = [(e, s) for e, s in ranked if e.id != wanted]
        score = dict((e.id, s) for e, s in ranked).get(wanted, 0.0)
        return [(entry, score), *rest], entry, True

    def _specific_over_generic(
        self, ranked: list[tuple[FaqEntry, float]]
    ) -> tuple[list[tuple[FaqEntry, float]], FaqEntry]:
        """The ranking with a close entry of a topic of its own first, ahead of a generic one.

        "Which kind can we audit for bias?" shares "which kind" with the generic *choose*
        entry and "audit", "bias" with the audit entry; the specific entry is the answer
        when it scores at least ``generic_yield`` of the generic one.
        """
        generic = set(self.faq.situation_replaces)
        top_entry, top_score = ranked[0]
        if top_entry.id not in generic:
            return ranked, top_entry
        specific = next(((e, s) for e, s in ranked[1:] if e.id not in generic), None)
        if specific is None or specific[1] < self.faq.generic_yield * top_score:
            return ranked, top_entry
        rest = [item for item in ranked if item[0].id != specific[0].id]
        return [specific, *rest], specific[0]

    def _rivals(self, ranked: list[tuple[FaqEntry, float]]) -> list[tuple[FaqEntry, float]]:
        """The entries after the best one that compete with it (its siblings skipped)."""
        top = ranked[0][0]
        if not self.faq.margin_skips_related:
            return ranked[1:]
        return [
            (e, s) for e, s in ranked[1:] if e.id not in top.related and top.id not in e.related
        ]

    @staticmethod
    def _ranking_lead(ranked: list[tuple[FaqEntry, float]], meanings: dict[str, float]) -> float:
        """How far the best entry leads the runner-up on the ranking score (words + meaning)."""
        keys = [ranking_score(score, meanings.get(e.id, 0.0)) for e, score in ranked]
        return keys[0] - max(keys[1:], default=0.0)
