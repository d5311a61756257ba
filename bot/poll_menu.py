"""A poll message's menu (Edit, Delete) and its edit form: pure, every word from content.

The renderer (:mod:`bot.poll_render`) puts both on every poll message; what a press on
them does is :mod:`bot.poll_manage`.
"""

from __future__ import annotations

from typing import Any

from bot.content import Content
from bot.replies import Action, Choice, ChoiceStyle, Field, Form

#: The form field holding the question; option ``n`` (from 0) is ``option_<n>``.
QUESTION_FIELD = "question"


def option_field(index: int) -> str:
    """The edit form's field name for option ``index``."""
    return f"option_{index}"


def poll_menu(
    content: Content, meta: dict[str, Any], open_now: bool
) -> tuple[tuple[Choice, ...], Form | None]:
    """The poll message's menu (Edit while open, except on the team poll; Delete always)
    and the edit form that goes with it."""
    messages, poll_id = content.poll_manage.messages, meta["id"]
    delete = Choice(messages.delete_menu_button, Action.POLL_DELETE, poll_id, ChoiceStyle.DANGER)
    if not open_now or meta["team"]:
        return (delete,), None
    edit = Choice(messages.edit_button, Action.POLL_EDIT, poll_id)
    return (edit, delete), edit_form(content, meta)


def edit_form(content: Content, meta: dict[str, Any], errors: dict[str, str] | None = None) -> Form:
    """The edit form: the question and each option, filled in as they are now (``errors``:
    what to fix, by field name, after a refused save)."""
    messages, limits = content.poll_manage.messages, content.polls.limits
    errors = errors or {}
    fields = [
        Field(
            QUESTION_FIELD,
            messages.edit_question_label,
            meta["question"],
            limits.max_question_length,
            error=errors.get(QUESTION_FIELD, ""),
        )
    ]
    fields += [
        Field(
            option_field(index),
            messages.edit_option_label.format(number=index + 1),
            label,
            limits.max_option_length,
            optional=True,
            error=errors.get(option_field(index), ""),
        )
        for index, label in enumerate(meta["options"])
    ]
    submit = Choice(messages.edit_submit, Action.POLL_EDIT_SAVE, meta["id"], ChoiceStyle.PRIMARY)
    return Form(
        messages.edit_title, tuple(fields), submit, messages.edit_note, opened_by=Action.POLL_EDIT
    )
