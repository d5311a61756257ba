"""Matching a free-text question to an FAQ entry, offline, in well under a millisecond.

Each entry's question and alternate phrasings become sparse TF-IDF vectors over word
unigrams, word bigrams and character 3-grams (the n-grams forgive typos and word
forms); synonyms from content are folded to one spelling first. A question's score for
an entry is the best cosine similarity against any of its phrasings.

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
A question of at most ``short_question_words`` meaningful words is answered only when the
best entry leads by ``short_question_margin``. Otherwise offer up to three entries that
clear ``suggest_threshold``; otherwise admit not knowing.

Before that rule: a long message is also scored by its closing question
(:mod:`bot.faq_gist`); a request for the comparison or for help deciding lifts its entry,
and a named product or price is declined outright (:mod:`bot.faq_intents`); "which one?"
asked from a situation content knows gets that situation's entry.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from bot.content import Faq, FaqEntry, SmallTalk
from bot.faq_gist import gist
from bot.faq_intents import IntentRouter, Reading
from bot.faq_semantic import SemanticIndex, default_embedder

# Words that carry no meaning for matching. Question words stay: "why" and "how" matter.
_STOPWORDS = frozenset(
    "a an the is are am was were be been being do does did i we you me us our your my it its "
    "this that these those to of for in on at by with and or so as if can could would should "
    "will shall may might must there their they them he she his her please just really about "
    "any some get got go".split()
    # Fillers, texting shorthand and the ends of contractions ("what's", "don't").
    + "actually really basically exactly even still also lol pls plz tbh imo btw kinda sorta "
    "gonna wanna like im s t m re ve ll d u ur r ya hey hi guys thanks thx ok okay "
    "tell wondering wonder curious question".split()
    # How someone feels about a question is not what it is about ("I'm nervous that...").
    + "worried worry worries worrying nervous anxious afraid scared concerned uneasy "
    "fear fears feel honestly".split()
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


STEM = True
TYPOS = True
GATE_POWER = 1.0
_TYPO_MIN_LENGTH = 5
TOP2_WEIGHT = 0.0
CENTROID_WEIGHT = 0.5
ANSWER_WEIGHT = 0.0
#: How much of an entry's similarity in meaning is added to its score for ranking.
SEMANTIC_RANK_WEIGHT = 0.1
#: How much the closing question of a long message weighs against the whole message.
GIST_WEIGHT = 0.7
#: Informal spellings, folded before anything else.
_SPELLING: dict[str, str] = {}
#: Words a light stemmer must leave alone.
_STEM_EXCEPTIONS = frozenset(
    "is was has does this thus its yes us bus gas plus bias series news less unless "
    "always perhaps towards across process access business analysis basis various "
    "during thing nothing something anything everything bring string spring king ring "
    "need seed feed speed indeed".split()
)


def stem(word: str) -> str:
    """A light, consistent stemmer: plural and -ing/-ed endings off, a final e dropped."""
    if len(word) <= 3 or word in _STEM_EXCEPTIONS or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "shes", "ches", "xes", "zes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    elif word.endswith("ing") and len(word) > 5:
        word = word[:-3]
        if len(word) > 2 and word[-1] == word[-2] and word[-1] not in "lsz":
            word = word[:-1]
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
        if len(word) > 2 and word[-1] == word[-2] and word[-1] not in "lsz":
            word = word[:-1]
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


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


def normalise(text: str) -> str:
    """Lower case, accents and punctuation removed, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(text.replace("-", "")))


class FaqMatcher:
    """An index over the FAQ's phrasings, built once at start-up."""

    def __init__(self, faq: Faq, *, semantic: bool = True) -> None:
        """Index ``faq``; with ``semantic`` (and the model installed) similarity in meaning too."""
        self.faq = faq
        self._canonical: dict[str, str] = {}
        # Multi-word variants by their first word, longest first ("black box").
        self._phrases: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for canonical, variants in faq.synonyms.items():
            for variant in (canonical, *variants):
                words = tuple(normalise(variant).split())
                if len(words) > 1:
                    self._phrases[words[0]].append((words, canonical))
                key = "".join(words)
                self._canonical[key] = canonical
                self._canonical.setdefault(stem(key), canonical)
        for phrases in self._phrases.values():
            phrases.sort(key=lambda item: -len(item[0]))
        self._vocabulary: frozenset[str] = frozenset()
        self._known: frozenset[str] = frozenset()
        self._corrections: dict[str, set[str]] = {}
        # A correction is one letter away, so no word longer than this can have one.
        self._longest_correctable = 0
        self._frequency: Counter[str] = Counter()
        texts: list[tuple[int, str]] = [
            (index, text)
            for index, entry in enumerate(faq.entries)
            for text in (entry.question, *entry.phrasings)
        ]
        self._frequency = Counter(t for _, text in texts for t in self._tokens(text))
        self._vocabulary = frozenset(self._frequency)
        if TYPOS:
            # Deletion neighbourhoods (SymSpell): a typo and the word it was meant to be
            # meet when at most one letter is dropped from each.
            self._known = self._vocabulary
            surface: Counter[str] = Counter()
            for _, text in texts:
                surface.update(normalise(text).split())
            for canonical, variants in faq.synonyms.items():
                surface.update(w for v in (canonical, *variants) for w in normalise(v).split())
            self._frequency = surface
            corrections: dict[str, set[str]] = defaultdict(set)
            for word in surface:
                if len(word) >= _TYPO_MIN_LENGTH and word.isalpha():
                    corrections[word].add(word)
                    for i in range(len(word)):
                        corrections[word[:i] + word[i + 1 :]].add(word)
            self._corrections = dict(corrections)
            self._longest_correctable = 1 + max((len(w) for w in corrections), default=0)
        docs = [(index, self._features(text)) for index, text in texts]
        self._doc_sides = [self._sides(text) for _, text in texts]
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
        # One "centroid" document per entry: all its phrasings together.
        self._centroids: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._answers: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for index, entry in enumerate(faq.entries):
            merged: Counter[str] = Counter()
            for entry_index, features in docs:
                if entry_index == index:
                    merged.update(features)
            for feature, weight in self._weigh(merged).items():
                self._centroids[feature].append((index, weight))
            answer = self._weigh(self._features(entry.answer, known_only=True))
            for feature, weight in answer.items():
                self._answers[feature].append((index, weight))
        self._build_decline_index(faq, texts)
        self._router = IntentRouter(faq, self._tokens, self._vocabulary, self._other_topic)
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
            t for text in decline_texts for t in self._tokens(text)
        )
        vocabulary = self._decline_vocabulary
        entry_docs = [self._features(text, vocabulary=vocabulary) for _, text in texts]
        decline_docs = [self._features(text, vocabulary=vocabulary) for text in decline_texts]
        document_frequency: Counter[str] = Counter()
        for features in (*entry_docs, *decline_docs):
            document_frequency.update(features.keys())
        count = len(entry_docs) + len(decline_docs)
        self._decline_idf = {
            f: math.log((1 + count) / (1 + df)) + 1.0 for f, df in document_frequency.items()
        }
        self._decline_unknown_idf = math.log(1 + count) + 1.0
        for doc_index, features in enumerate(decline_docs):
            vector = self._weigh(features, self._decline_idf, self._decline_unknown_idf)
            for feature, weight in vector.items():
                self._decline_postings[feature].append((doc_index, weight))

    def decline_score(self, question: str, tokens: list[str] | None = None) -> float:
        """How close ``question`` is to the nearest decline topic (0 when there are none)."""
        if not self._decline_postings:
            return 0.0
        if tokens is None:
            tokens = self._tokens(question)
        features = self._features(question, tokens=tokens, vocabulary=self._decline_vocabulary)
        query = self._weigh(features, self._decline_idf, self._decline_unknown_idf)
        doc_scores: dict[int, float] = defaultdict(float)
        for feature, weight in query.items():
            for doc_index, doc_weight in self._decline_postings.get(feature, ()):
                doc_scores[doc_index] += weight * doc_weight
        best = max(doc_scores.values(), default=0.0)
        if GATE_POWER:
            best *= (
                self._coverage(tokens, self._decline_idf, self._decline_unknown_idf) ** GATE_POWER
            )
        return round(min(best, 1.0), 4)

    def tokens(self, text: str) -> list[str]:
        """The words that count for matching: synonyms folded, stopwords dropped."""
        return self._tokens(text)

    def _tokens(self, text: str) -> list[str]:
        words = normalise(text).split()
        tokens: list[str] = []
        i = 0
        while i < len(words):
            word = words[i]
            for phrase, canonical in self._phrases.get(word, ()):
                if tuple(words[i : i + len(phrase)]) == phrase:
                    tokens.append(canonical)
                    i += len(phrase)
                    break
            else:
                i += 1
                if word in _STOPWORDS:
                    continue
                folded = self._fold(word)
                if self._known and folded not in self._known:
                    corrected = self._correct(word)
                    if corrected != word:
                        folded = self._fold(corrected)
                tokens.append(folded)
        return [t for t in tokens if t not in _STOPWORDS]

    def _fold(self, word: str) -> str:
        folded = self._canonical.get(word)
        if folded is None:
            stemmed = stem(word) if STEM else word
            folded = self._canonical.get(stemmed, stemmed)
        return folded

    def _correct(self, word: str) -> str:
        """A known word one typing slip away from ``word``, else ``word``.

        A dropped letter ("sorce") is corrected from five letters up; an extra, swapped or
        wrong letter only from six up, since shorter words are too often other real words
        ("mins" is not "minus", "main" is not "mean").

        A word too long to be one slip from any known word is left as it is without trying:
        trying costs time quadratic in its length (a 200,000-letter "word" took seconds).
        """
        if not _TYPO_MIN_LENGTH <= len(word) <= self._longest_correctable or not word.isalpha():
            return word
        candidates = {c for c in self._corrections.get(word, ()) if c != word}
        if len(word) >= _TYPO_MIN_LENGTH + 1:
            for i in range(len(word)):
                candidates.update(self._corrections.get(word[:i] + word[i + 1 :], ()))
        # Typing slips rarely hit the first letter; "tell" is not a typo of "well".
        candidates = {c for c in candidates if c[0] == word[0]}
        if not candidates:
            return word
        return max(sorted(candidates), key=lambda c: self._frequency[c])

    def _sides(self, text: str) -> frozenset[str]:
        return _SIDES.intersection(self._tokens(text))

    def _features(
        self,
        text: str,
        known_only: bool = False,
        tokens: list[str] | None = None,
        vocabulary: frozenset[str] | None = None,
    ) -> Counter[str]:
        if vocabulary is None:
            vocabulary = self._vocabulary
        if tokens is None:
            tokens = self._tokens(text)
        if known_only:
            tokens = [t for t in tokens if t in vocabulary]
        features: Counter[str] = Counter()
        for token in tokens:
            # A word the FAQ never uses is most likely a typo: let its character
            # n-grams find the word it was meant to be, rather than count as a new word.
            if not vocabulary or token in vocabulary:
                features["w:" + token] += 2
            padded = f"<{token}>"
            for i in range(max(1, len(padded) - _NGRAM + 1)):
                features["c:" + padded[i : i + _NGRAM]] += 1
        for left, right in itertools.pairwise(tokens):
            if not vocabulary or {left, right} <= vocabulary:
                features[f"b:{left}_{right}"] += 2
        return features

    def _weigh(
        self,
        features: Counter[str],
        idf: dict[str, float] | None = None,
        unknown_idf: float | None = None,
    ) -> dict[str, float]:
        if idf is None:
            idf, unknown_idf = self._idf, self._unknown_idf
        default = self._unknown_idf if unknown_idf is None else unknown_idf
        vector = {f: (1 + math.log(n)) * idf.get(f, default) for f, n in features.items()}
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
        # The request and the product named are the closing question's, not the preamble's.
        return self._read(part or question, ranking)

    def _other_topic(self, text: str, entry_id: str) -> float:
        """The best word score for ``text`` of any entry but ``entry_id``."""
        return max((s for e, s in self._score_text(text) if e.id != entry_id), default=0.0)

    def _read(self, question: str, ranking: Ranking) -> Ranking:
        """Note the question's intent and decline rule; an intent lifts its entry."""
        reading = self._router.read(question)
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
        return result

    def _score_text(self, question: str) -> Ranking:
        tokens = self._tokens(question)
        query = self._weigh(self._features(question, tokens=tokens))
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
            values.sort(reverse=True)
            top = values[0]
            if TOP2_WEIGHT:
                pair = values[:2]
                top = (1 - TOP2_WEIGHT) * top + TOP2_WEIGHT * sum(pair) / len(pair)
            best[entry_index] = top
        if CENTROID_WEIGHT:
            centroid: dict[int, float] = defaultdict(float)
            for feature, weight in query.items():
                for entry_index, doc_weight in self._centroids.get(feature, ()):
                    centroid[entry_index] += weight * doc_weight
            for entry_index, value in centroid.items():
                old = best.get(entry_index, 0.0)
                best[entry_index] = (1 - CENTROID_WEIGHT) * old + CENTROID_WEIGHT * value
        if ANSWER_WEIGHT:
            answer: dict[int, float] = defaultdict(float)
            for feature, weight in query.items():
                for entry_index, doc_weight in self._answers.get(feature, ()):
                    answer[entry_index] += weight * doc_weight
            for entry_index, value in answer.items():
                best[entry_index] = best.get(entry_index, 0.0) + ANSWER_WEIGHT * value
        if GATE_POWER:
            coverage = self._coverage(tokens)
            best = {i: v * coverage**GATE_POWER for i, v in best.items()}
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
            result.decline = self.decline_score(question, tokens)
            result.words = len(tokens)
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
            idf = idf_table.get("w:" + token)
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
        runner_up = max((score for _, score in ranked[1:]), default=0.0)
        faq = self.faq
        reading: Reading = getattr(ranked, "reading", Reading())
        if reading.declined:
            # A named product or a price the FAQ does not cover: no answer, no guesses.
            return Match(False, None, top_score, ())
        decline = getattr(ranked, "decline", 0.0)
        meanings: dict[str, float] = getattr(ranked, "meaning", {})
        meaning = meanings.get(top_entry.id)
        lead = self._ranking_lead(ranked, meanings)
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
        )
        words = getattr(ranked, "words", 0)
        if answered and 0 < words <= faq.short_question_words:
            # "ai tools": a word or two that many entries share; answer only a clear winner.
            answered = lead >= faq.short_question_margin
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
        if wanted is None or wanted == top_entry.id:
            return ranked, top_entry, answered
        near = [e.id for e, _ in ranked[:_SUGGESTION_COUNT]]
        # Only a question that reads as "which one?" (its best entry is a generic one),
        # answered or not; "when does the school term start?" is not one.
        if top_entry.id not in self.faq.situation_replaces or not (answered or wanted in near):
            return ranked, top_entry, answered
        entry = next(e for e in self.faq.entries if e.id == wanted)
        rest = [(e, s) for e, s in ranked if e.id != wanted]
        score = dict((e.id, s) for e, s in ranked).get(wanted, 0.0)
        return [(entry, score), *rest], entry, True

    @staticmethod
    def _ranking_lead(ranked: list[tuple[FaqEntry, float]], meanings: dict[str, float]) -> float:
        """How far the best entry leads the runner-up on the ranking score (words + meaning)."""
        keys = [ranking_score(score, meanings.get(e.id, 0.0)) for e, score in ranked]
        return keys[0] - max(keys[1:], default=0.0)


class SmallTalkMatcher:
    """Recognises greetings, thanks and the like, so they get a friendly reply.

    A message is small talk when, once normalised, it is one of the content's patterns,
    allowing for stretched letters ("heyyy"), words that only address the bot ("bot",
    "mate"), texting shorthand ("u", "r") and a greeting in front of another pattern
    ("hi, what can you do") or several patterns back to back ("see ya later"). Anything
    longer than a few words is left to the FAQ.
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
        return self._chain(tuple(words))

    def _chain(self, words: tuple[str, ...]) -> SmallTalk | None:
        """The last item when ``words`` are patterns back to back, else None.

        "hi, what can you do" answers the question; "see ya later" and "thanks, bye" say
        goodbye. Every word must belong to some pattern, so "hi, which gpu" is no small talk.
        """
        if not words:
            return None
        for cut in range(len(words), 0, -1):
            head = self._replies.get(" ".join(words[:cut]))
            if head is None:
                continue
            if cut == len(words):
                return head
            tail = self._chain(words[cut:])
            if tail is not None:
                return tail
        return None
