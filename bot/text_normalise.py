"""Poll text as people see it: one Unicode form, no invisible or direction-changing marks.

Two options that look the same must compare the same, and nothing a person types may
reorder what others read (a right-to-left override can make ``Yes`` display as ``seY``, or
reverse the rest of a line). So poll questions and options are put in NFC and stripped of:

* zero-width characters: U+200B space, U+200C non-joiner, U+200D joiner, U+2060 word
  joiner, U+FEFF byte order mark;
* bidirectional controls: U+200E/U+200F marks, U+061C Arabic letter mark, U+202A–U+202E
  embeddings and overrides, U+2066–U+2069 isolates.

Right-to-left text itself (Arabic, Hebrew) is left alone: it displays correctly without
controls. Stripping the zero-width joiner splits joined emoji (👨‍👩‍👧 shows as 👨👩👧), a
small price for options that cannot hide a difference.
"""

from __future__ import annotations

import unicodedata

#: Every character :func:`clean_poll_text` removes.
INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u2060\ufeff"  # zero-width
    "\u200e\u200f\u061c"  # bidi marks
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings and overrides
    "\u2066\u2067\u2068\u2069"  # bidi isolates
)
_DROP = dict.fromkeys(map(ord, INVISIBLE))


def clean_poll_text(text: str) -> str:
    """``text`` in NFC, without invisible or bidi control characters, trimmed."""
    return unicodedata.normalize("NFC", text).translate(_DROP).strip()


def same_text_key(text: str) -> str:
    """What two cleaned texts are compared by: equal keys mean "the same option"."""
    return unicodedata.normalize("NFC", text.casefold())
