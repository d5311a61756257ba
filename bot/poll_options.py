"""What a poll's options allow: ``--multi N``, ``--allow-add`` and ``--template NAME``.

Pure and platform-neutral. :mod:`bot.poll_command` reads the flags and calls
:func:`resolve_template` and :func:`check_option_flags`; :mod:`bot.polls` calls
:func:`clean_new_option` before an option a voter typed joins the poll, and
:func:`toggle_pick` is the model of one press on a multiple-choice poll (what
``poll_multi_vote.lua`` does in Redis, used by tests and the benchmark to check it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.content import Polls, PollTemplate
from bot.limits import too_long
from bot.text_normalise import clean_poll_text, same_text_key

#: One or two ASCII digits: ``--multi`` never needs more (a poll has at most ten options).
_PICKS = re.compile(r"[0-9]{1,2}")
#: Longest text a voter may type as a new option before anything reads it.
MAX_NEW_OPTION_CHARS = 500


class OptionsInputError(ValueError):
    """A flag or a new option can't be used; ``str(error)`` says what to fix."""


def read_multi(value: str, polls: Polls) -> int:
    """The number of picks ``--multi VALUE`` asks for (checked against the options later)."""
    if not _PICKS.fullmatch(value.strip()):
        raise OptionsInputError(polls.option_messages.multi_unreadable.format(value=value[:40]))
    return int(value.strip())


def template_named(name: str, polls: Polls) -> PollTemplate:
    """The template ``--template NAME`` names, or what to fix."""
    wanted = name.strip().lower()
    for template in polls.templates:
        if template.name == wanted:
            return template
    names = ", ".join(t.name for t in polls.templates)
    raise OptionsInputError(
        polls.option_messages.unknown_template.format(name=name[:40], names=names)
    )


def resolve_template(name: str, positional: list[str], polls: Polls) -> list[str]:
    """The positional words the template stands for: its question (or the one given)
    and its options; an empty list for the team poll."""
    template = template_named(name, polls)
    messages = polls.option_messages
    if len(positional) > 1:
        raise OptionsInputError(messages.template_with_options)
    if template.team:
        if positional:
            raise OptionsInputError(messages.team_template_question)
        return []
    question = positional[0] if positional else template.question
    return [question, *template.options]


def check_option_flags(
    multi: int | None, allow_add: bool, team: bool, options: int, polls: Polls
) -> None:
    """Refuse ``--multi`` (None: not given) and ``--allow-add`` where they can't work."""
    messages, limits = polls.option_messages, polls.limits
    if multi is not None:
        if team:
            raise OptionsInputError(messages.multi_team_poll)
        if not 2 <= multi <= options:
            raise OptionsInputError(messages.multi_out_of_range.format(value=multi, max=options))
    if allow_add:
        if team:
            raise OptionsInputError(messages.allow_add_team_poll)
        if options >= limits.max_options:
            raise OptionsInputError(
                messages.allow_add_full.format(count=options, max=limits.max_options)
            )


def clean_new_option(text: str, existing: Sequence[str], polls: Polls) -> str:
    """``text`` as a new option of a poll that has ``existing``: cleaned as the poll's own
    options were (length, invisible characters, duplicates after normalisation, the cap)."""
    messages, limits = polls.option_messages, polls.limits
    if len(existing) >= limits.max_options:
        raise OptionsInputError(messages.add_full.format(max=limits.max_options))
    if too_long(text, MAX_NEW_OPTION_CHARS):
        raise OptionsInputError(
            messages.add_too_long.format(length=len(text.strip()), max=limits.max_option_length)
        )
    option = clean_poll_text(text)
    if not option:
        raise OptionsInputError(messages.add_empty)
    if len(option) > limits.max_option_length:
        raise OptionsInputError(
            messages.add_too_long.format(length=len(option), max=limits.max_option_length)
        )
    key = same_text_key(option)
    if any(same_text_key(label) == key for label in existing):
        raise OptionsInputError(messages.add_duplicate.format(option=option))
    return option


def with_option(meta: Any, option: str, polls: Polls, added_by: str) -> Any:
    """The poll definition ``meta`` with ``option`` added (checked again against what is
    stored now, so two people adding at once can't pass the cap or add the same option).

    ``added_by`` is the adder's name; empty for an anonymous poll, where it is not kept.
    """
    if not isinstance(meta, dict):
        raise OptionsInputError(polls.messages.poll_missing)
    options: list[str] = list(meta["options"])
    clean_new_option(option, options, polls)
    changed = {**meta, "options": [*options, option]}
    if added_by:
        changed["added_by"] = {**meta.get("added_by", {}), str(len(options)): added_by}
    return changed


def toggle_pick(picks: tuple[int, ...], option: int, limit: int) -> tuple[tuple[int, ...], str]:
    """One press on ``option`` by someone who has ``picks``: their picks after it and what
    happened (``picked``, ``unpicked`` or ``full``: nothing changed)."""
    if option in picks:
        return tuple(p for p in picks if p != option), "unpicked"
    if len(picks) >= limit:
        return picks, "full"
    return tuple(sorted((*picks, option))), "picked"


def parse_picks(value: str) -> tuple[int, ...]:
    """A stored vote (``"2"`` or ``"0,3"``) as option indexes."""
    return tuple(int(part) for part in value.split(",") if part)
