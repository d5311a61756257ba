"""Typed, platform-neutral events that front ends hand to the conversation core.

An adapter's job on the way in is to turn a platform's payload or a line typed in a
terminal into exactly one of these.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """Who sent an event and where: the key for all per-user conversation state."""

    platform: str
    workspace: str
    channel: str
    user: str
    #: A display name, used only where a shared message names a person (named polls).
    user_name: str = ""
    #: True when the event itself says this person administers the workspace or owns the
    #: team (otherwise the core asks the people port, :mod:`bot.people`, when it matters).
    is_admin: bool = False
    #: The person's IANA time zone when the event carries it ("" otherwise).
    time_zone: str = ""
    #: The person's locale (BCP 47, e.g. ``en-GB``) when the event carries it ("" otherwise).
    locale: str = ""


@dataclass(frozen=True, slots=True)
class Command:
    """An explicit request: a slash command, a menu word, a bot command.

    ``name`` is one of the command names the core knows (``menu``, ``start``, ``ask``,
    ``compare``, ``help``, ``restart``, ``back``...). ``text`` is what followed it.
    """

    actor: Actor
    name: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class ButtonPress:
    """A press on one of the core's :class:`bot.replies.Choice` buttons.

    ``action`` and ``value`` are exactly the ones the core put on the choice.
    """

    actor: Actor
    action: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class Message:
    """Free text typed by a person: a question, or a word the core may recognise."""

    actor: Actor
    text: str


Event = Command | ButtonPress | Message
