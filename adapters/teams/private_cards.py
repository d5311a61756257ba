"""Poll replies meant for the presser alone → the one card of an invoke response.

Teams shows the card returned in an ``adaptiveCard/action`` invoke response to the person
who pressed, in place of the pressed card; everyone else keeps the shared card, which the
poll publisher updates. A vote's confirmation is a banner (teams_bot), and the shared card
then refreshes, for each voter, to their own view: the poll with "You voted: ..." on top
(the core's ``poll.view``). The "help me decide" questionnaire travels as its first
question with the note on top; nothing private is ever posted to the conversation.
"""

from __future__ import annotations

from adapters.teams.cards import Card, render_card, with_notes
from bot.events import ButtonPress
from bot.replies import Reply, Tone

#: An Adaptive Card text colour for each tone of note.
NOTE_COLOURS = {
    Tone.SUCCESS: "good",
    Tone.INFO: "accent",
    Tone.ERROR: "attention",
    Tone.WARNING: "warning",
}


def is_poll_note(reply: Reply) -> bool:
    """A short private line (a confirmation, a refusal): the core gave it a tone."""
    return reply.tone is not None and reply.attachment is None


def is_private_poll_reply(press: ButtonPress, reply: Reply) -> bool:
    """A reply only the presser may see: every answer to a poll button, and notes."""
    return press.action.startswith("poll.") or reply.tone is not None


def pressed_poll(press: ButtonPress) -> str | None:
    """The poll a press on a poll button is about (``poll.vote`` carries ``id:option``)."""
    if not press.action.startswith("poll."):
        return None
    return press.value.partition(":")[0] or None


def needs_poll_card(replies: list[Reply]) -> bool:
    """True when the replies are notes only, so the poll card itself carries them."""
    return all(is_poll_note(reply) for reply in replies)


def private_card(replies: list[Reply], poll: Reply | None) -> Card | None:
    """The card for the presser: the first full reply (else ``poll``) with the notes
    around it in the order the core gave them; None when there is nothing to show."""
    before: list[tuple[str, str]] = []
    after: list[tuple[str, str]] = []
    main: Reply | None = None
    for reply in replies:
        if is_poll_note(reply):
            note = (reply.text, NOTE_COLOURS[reply.tone] if reply.tone else "default")
            (after if main is not None else before).append(note)
        elif main is None:
            main = reply
    main = main or poll
    if main is None:
        return None
    return with_notes(render_card(main), before, after)
