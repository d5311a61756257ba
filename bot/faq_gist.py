"""The gist of a long message: the question it ends with, apart from its preamble.

People in a channel often write a paragraph of context and ask their question last ("We
tried a self-hosted model last quarter... Before we give it another go: what are the
usual downsides?"). Scored as a whole, the preamble's words drown the question: most of
them are words the FAQ never uses, so the coverage gate scores every entry low. The FAQ
matcher (:class:`bot.faq_matcher.FaqMatcher`) also scores the gist found here and weighs
it above the whole message.
"""

from __future__ import annotations

import re

#: Where one sentence ends and the next begins (also at line breaks).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
#: A lead-in that introduces the question itself ("my question is: ...").
_LEAD_IN = re.compile(r"^.{0,80}?:\s+(?=\S)")
_WORD = re.compile(r"[A-Za-z0-9']+")
#: A message shorter than this (in words) is its own gist.
MIN_MESSAGE_WORDS = 18
#: A gist needs this many words to stand on its own ("which one?" does not).
MIN_GIST_WORDS = 4


def gist(text: str) -> str | None:
    """The closing question of a long message, or None when the whole message is the gist.

    The gist is the last sentence that asks something (ends with "?"), else the last
    sentence, without a lead-in such as "so my question is:". A short message, one
    sentence, or a closing sentence too short to stand alone ("which one?") has none.
    """
    if len(_WORD.findall(text)) < MIN_MESSAGE_WORDS:
        return None
    sentences = [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]
    if len(sentences) < 2:
        return None
    questions = [s for s in sentences if s.endswith("?")]
    last = questions[-1] if questions else sentences[-1]
    trimmed = _LEAD_IN.sub("", last)
    if len(_WORD.findall(trimmed)) >= MIN_GIST_WORDS:
        last = trimmed
    if len(_WORD.findall(last)) < MIN_GIST_WORDS or last == text.strip():
        return None
    return last
