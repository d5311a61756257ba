"""One line that ties an answer to the situation a question described.

"I'm the IT lead at a school, we hold student records..." gets the entry's answer and,
when content has a note for schools on that entry, one more line: "For a school holding
student records, that usually means...". The notes live in ``content/faq.yaml``
(``situations``); nothing is invented here, only picked.
"""

from __future__ import annotations

from bot.content import Faq
from bot.faq_text import normalise


class SituationNotes:
    """Finds the content's note for the situation a question mentions, per entry."""

    def __init__(self, faq: Faq) -> None:
        self._normalise = normalise
        self._situations = [
            ([normalise(cue) for cue in item.cues if normalise(cue)], set(item.entries), item.note)
            for item in faq.situations
        ]

    def note(self, question: str, entry_id: str) -> str:
        """The note for the first situation ``question`` mentions that ``entry_id`` has, or ""."""
        padded = f" {self._normalise(question)} "
        for cues, entries, note in self._situations:
            if entry_id in entries and any(f" {cue} " in padded for cue in cues):
                return note
        return ""
