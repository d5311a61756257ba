"""English text handling for the FAQ: how a question becomes the terms it is matched on.

Everything here knows English and nothing else; the matcher (:mod:`bot.faq_matcher`) only
counts and weighs what comes out. The steps, in order:

1. :func:`normalise`: lower case, accents and punctuation off, whitespace collapsed.
2. :class:`Tokeniser`: multi-word synonyms from content folded to one word ("black box"),
   stopwords dropped (fillers, texting shorthand, worry words), each word folded onto its
   content synonym or its :func:`stem`, and a word the FAQ does not know corrected by
   :class:`TypoCorrector` onto one it does.
3. :func:`features`: the terms as word unigrams, word bigrams and character 3-grams (the
   n-grams forgive typos and word forms the steps above miss).

A second language would need its own version of this module, not changes to the matcher.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

# Words that carry no meaning for matching. Question words stay: "why" and "how" matter.
STOPWORDS = frozenset(
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
    "fear fears feel honestly stress stresses stressed terrified dreading dread "
    "embarrassed bother bothers bothered uncomfortable suspect nagging paranoid freaked "
    "freaking".split()
)
_WORD = re.compile(r"[a-z0-9]+")
#: Character n-gram length.
_NGRAM = 3
#: Prefixes that keep the three kinds of feature apart in one vector.
_WORD_FEATURE, _BIGRAM_FEATURE, _CHAR_FEATURE = "w:", "b:", "c:"
#: The shortest word the typo corrector touches (and the shortest it corrects onto).
_TYPO_MIN_LENGTH = 5
#: Words a light stemmer must leave alone.
_STEM_EXCEPTIONS = frozenset(
    "is was has does this thus its yes us bus gas plus bias series news less unless "
    "always perhaps towards across process access business analysis basis various "
    "during thing nothing something anything everything bring string spring king ring "
    "need seed feed speed indeed".split()
)


def normalise(text: str) -> str:
    """Lower case, accents and punctuation removed, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(text.replace("-", "")))


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


class TypoCorrector:
    """Puts a word one typing slip away from a word the FAQ uses back to that word.

    Deletion neighbourhoods (SymSpell): a typo and the word it was meant to be meet when
    at most one letter is dropped from each.
    """

    def __init__(self, words: Counter[str]) -> None:
        """Index ``words`` (the FAQ's words as written, with how often each is used)."""
        self._frequency = words
        corrections: dict[str, set[str]] = defaultdict(set)
        for word in words:
            if len(word) >= _TYPO_MIN_LENGTH and word.isalpha():
                corrections[word].add(word)
                for i in range(len(word)):
                    corrections[word[:i] + word[i + 1 :]].add(word)
        self._corrections = dict(corrections)
        # A correction is one letter away, so no word longer than this can have one.
        self._longest_correctable = 1 + max((len(w) for w in corrections), default=0)

    def correct(self, word: str) -> str:
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


class Tokeniser:
    """Turns text into the terms that count for matching, for one FAQ's content.

    Built from the content's synonym groups and the texts the FAQ is matched against
    (its entries' questions and phrasings): those texts' terms are the
    :attr:`vocabulary`, and a word that folds onto none of them is typo-corrected onto a
    word the texts or synonyms use.
    """

    def __init__(self, synonyms: Mapping[str, Sequence[str]], texts: Iterable[str]) -> None:
        """Compile ``synonyms`` and learn the terms and words of ``texts``."""
        texts = list(texts)
        self._canonical: dict[str, str] = {}
        # Multi-word variants by their first word, longest first ("black box").
        self._phrases: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for canonical, variants in synonyms.items():
            for variant in (canonical, *variants):
                words = tuple(normalise(variant).split())
                if len(words) > 1:
                    self._phrases[words[0]].append((words, canonical))
                key = "".join(words)
                self._canonical[key] = canonical
                self._canonical.setdefault(stem(key), canonical)
        for phrases in self._phrases.values():
            phrases.sort(key=lambda item: -len(item[0]))
        # The vocabulary is the texts' own terms, so it is read before any correction.
        self.vocabulary: frozenset[str] = frozenset(
            t for text in texts for t in self._terms(text, correct=False)
        )
        surface: Counter[str] = Counter()
        for text in texts:
            surface.update(normalise(text).split())
        for canonical, variants in synonyms.items():
            surface.update(w for v in (canonical, *variants) for w in normalise(v).split())
        self._corrector = TypoCorrector(surface)

    def tokens(self, text: str) -> list[str]:
        """The words that count for matching: synonyms folded, stopwords dropped."""
        return self._terms(text, correct=True)

    def _terms(self, text: str, *, correct: bool) -> list[str]:
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
                if word in STOPWORDS:
                    continue
                folded = self._fold(word)
                if correct and self.vocabulary and folded not in self.vocabulary:
                    corrected = self._corrector.correct(word)
                    if corrected != word:
                        folded = self._fold(corrected)
                tokens.append(folded)
        return [t for t in tokens if t not in STOPWORDS]

    def _fold(self, word: str) -> str:
        folded = self._canonical.get(word)
        if folded is None:
            stemmed = stem(word)
            folded = self._canonical.get(stemmed, stemmed)
        return folded


def word_feature(token: str) -> str:
    """The feature name of ``token`` as a whole word, as :func:`features` spells it."""
    return _WORD_FEATURE + token


def features(tokens: Sequence[str], vocabulary: frozenset[str]) -> Counter[str]:
    """Word unigrams and bigrams (of ``vocabulary`` terms) and character 3-grams, counted.

    Whole words and bigrams count twice as much as one character n-gram.
    """
    result: Counter[str] = Counter()
    for token in tokens:
        # A word the FAQ never uses is most likely a typo: let its character
        # n-grams find the word it was meant to be, rather than count as a new word.
        if token in vocabulary:
            result[_WORD_FEATURE + token] += 2
        padded = f"<{token}>"
        for i in range(max(1, len(padded) - _NGRAM + 1)):
            result[_CHAR_FEATURE + padded[i : i + _NGRAM]] += 1
    for left, right in itertools.pairwise(tokens):
        if {left, right} <= vocabulary:
            result[f"{_BIGRAM_FEATURE}{left}_{right}"] += 2
    return result
