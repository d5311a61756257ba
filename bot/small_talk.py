"""Small talk: recognising greetings, thanks and goodbyes, so they get a friendly reply.

The patterns and replies are content (``small_talk`` in ``content/faq.yaml``); this module
only decides whether a message is one of them, before the FAQ matcher
(:mod:`bot.faq_matcher`) sees it, so "hi" is never answered with an FAQ guess.
"""

from __future__ import annotations

import re

from bot.content import Faq, SmallTalk
from bot.faq_text import normalise

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


class SmallTalkMatcher:
    """Recognises greetings, thanks and the like, so they get a friendly reply.

    A message is small talk when, once normalised, it is one of the content's patterns,
    allowing for stretched letters ("heyyy"), words that only address the bot ("bot",
    "mate"), texting shorthand ("u", "r") and a greeting in front of another pattern
    ("hi, what can you do") or several patterns back to back ("see ya later"). Anything
    longer than a few words is left to the FAQ.
    """

    def __init__(self, faq: Faq) -> None:
        """Index the content's small-talk patterns, as typed and as their lookup key."""
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
