"""Typed, platform-neutral events that front ends hand to the conversation core.

An adapter's job on the way in is to turn a platform's payload or a line typed in a
terminal into exactly one of these. Besides what people type and press there are
lifecycle events (:class:`HomeOpened`, :class:`Installed`), so that what the bot says when
it arrives somewhere is decided by the core too.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
    #: True where the platform cannot answer this person privately (a Teams channel or
    #: group chat): everyone there sees the reply, so nothing from elsewhere may be in it.
    shared_place: bool = False


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

    ``action`` and ``value`` are the strings the platform handed back: the ones the core
    put on the choice, or anything at all from an old message or a forged request (the
    core looks ``action`` up with :meth:`bot.replies.Action.parse`).
    """

    actor: Actor
    action: str
    value: str = ""
    #: What was typed into a form's inputs, by field name (a :class:`bot.replies.Form`
    #: sent with its submit button); empty for a plain button.
    inputs: dict[str, str] = field(default_factory=dict)
    #: The message the button sat on was one everyone in a channel could see (not a direct
    #: message, a personal chat or a message only the presser saw).
    in_public: bool = False
    #: The thread that message belongs to, when the platform has threads ("" otherwise).
    thread: str = ""


@dataclass(frozen=True, slots=True)
class Message:
    """Free text typed by a person: a question, or a word the core may recognise."""

    actor: Actor
    text: str


@dataclass(frozen=True, slots=True)
class HomeOpened:
    """The person opened the bot's own page (Slack's App Home): the core's answer is
    what the page shows."""

    actor: Actor


@dataclass(frozen=True, slots=True)
class Installed:
    """The bot was added to a team, a channel, a group chat or a personal chat: the core's
    answer is the welcome. ``actor.user`` is who added it, when the platform says."""

    actor: Actor


Event = Command | ButtonPress | Message | HomeOpened | Installed
