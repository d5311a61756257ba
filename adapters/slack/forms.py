"""The core's :class:`bot.replies.Form` in Slack: a modal, one ``input`` block per field
(a ``plain_text_input``, or ``checkboxes`` with one box for a tick box field).

A press whose answer carries a form (a poll's "Add an option", "Edit" in its "⋯" menu)
opens the modal with ``views.open`` and the press's ``trigger_id``. Submitting it comes
back as a ``view_submission`` (callback :data:`FORM_CALLBACK`), which
:func:`press_from_submission` turns into the form's submit press with every input's text
in ``ButtonPress.inputs``. A refusal that carries the form again with its fields'
``error`` set is shown in the modal, under those inputs (``response_action: errors``);
anything else the core says goes to the channel the press came from, as ephemerals
(``private_metadata`` keeps where that was). Every size is bounded both ways: what we send
fits Slack's limits, and a forged submission is read only up to :data:`MAX_FIELDS` inputs
of :data:`MAX_TYPED` characters.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from adapters.slack.blocks import escape_mrkdwn, one_line
from adapters.slack.inbound import actor_from_interaction
from bot.events import Actor, ButtonPress
from bot.replies import TICKED, Field, Form, fit_label

#: The modal's ``callback_id``: Bolt hands its submissions to the one form listener.
FORM_CALLBACK = "aic.form"
#: The ``action_id`` of the text input inside each input block (whose ``block_id`` is the
#: field's name).
FORM_INPUT = "value"
#: Slack's limits: 24 characters in a modal's title and buttons, 2,000 in a label,
#: 150 in a placeholder, 3,000 in an input, 100 blocks in a modal.
MAX_TITLE = 24
MAX_LABEL = 2000
MAX_PLACEHOLDER = 150
MAX_INPUT = 3000
MAX_BLOCKS = 100
#: What a submission hands the core at most: the inputs (more than any form has) and the
#: text of each (more than any field may hold, so the core can still say it is too long;
#: never all of a forged one).
MAX_FIELDS = 20
MAX_TYPED = 2000
#: Each part of ``private_metadata`` is cut to this, so it stays far below Slack's 3,000.
_METADATA_PARTS = {"a": 64, "v": 200, "c": 64, "t": 32}


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": fit_label(one_line(text), limit) or "…", "emoji": True}


def form_metadata(form: Form, channel: str, thread_ts: str = "") -> str:
    """What the modal carries back: the submit's action and value, where it was opened."""
    parts = {"a": str(form.submit.action), "v": form.submit.value, "c": channel, "t": thread_ts}
    kept = {key: value[: _METADATA_PARTS[key]] for key, value in parts.items()}
    return json.dumps(kept, separators=(",", ":"))


def _text_input(field: Field) -> dict[str, Any]:
    """A text field's ``plain_text_input`` (several lines when ``multiline``)."""
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": FORM_INPUT,
        "max_length": max(1, min(field.max_length, MAX_INPUT)),
    }
    if field.value:
        element["initial_value"] = field.value[: element["max_length"]]
    if field.placeholder:
        element["placeholder"] = _plain(field.placeholder, MAX_PLACEHOLDER)
    if field.multiline:
        element["multiline"] = True
    return element


def _tick_box(field: Field) -> dict[str, Any]:
    """A tick box field's ``checkboxes`` element: one box, labelled, ticked if its value is."""
    option = {"text": _plain(field.label, MAX_LABEL), "value": TICKED}
    element: dict[str, Any] = {"type": "checkboxes", "action_id": FORM_INPUT, "options": [option]}
    if field.value == TICKED:
        element["initial_options"] = [option]
    return element


def form_view(form: Form, channel: str, thread_ts: str = "") -> dict[str, Any]:
    """The modal (``views.open``) showing ``form``: one input per field, filled in with its
    value, its note, the submit's label on Slack's Submit button; it remembers where it
    was opened."""
    blocks: list[dict[str, Any]] = []
    for field in form.fields[: MAX_BLOCKS - 1]:
        blocks.append(
            {
                "type": "input",
                "block_id": field.name,
                "optional": field.optional or field.toggle,
                "label": _plain(form.title if field.toggle else field.label, MAX_LABEL),
                "element": _tick_box(field) if field.toggle else _text_input(field),
            }
        )
    if form.note:
        note = {"type": "mrkdwn", "text": escape_mrkdwn(form.note)[:MAX_LABEL]}
        blocks.append({"type": "context", "elements": [note]})
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": _plain(form.title, MAX_TITLE),
        "submit": _plain(form.submit.label, MAX_TITLE),
        "private_metadata": form_metadata(form, channel, thread_ts),
        "blocks": blocks,
    }


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _metadata(view: Mapping[str, Any]) -> Mapping[str, Any]:
    """What :func:`form_metadata` kept in the modal (empty if unreadable)."""
    raw = _str(view.get("private_metadata"))
    if len(raw) > 3000:
        return {}
    try:
        return _dict(json.loads(raw or "{}"))
    except ValueError:
        return {}


def press_from_submission(payload: Mapping[str, Any]) -> ButtonPress | None:
    """A ``view_submission`` of our modal → the form's submit press, every input's text in
    ``inputs`` (by field name), made where the modal was opened; None when not ours."""
    view = _dict(payload.get("view"))
    metadata = _metadata(view)
    action, value = _str(metadata.get("a")), _str(metadata.get("v"))
    if not action:
        return None
    values = _dict(_dict(view.get("state")).get("values"))
    inputs: dict[str, str] = {}
    for name, block in list(values.items())[:MAX_FIELDS]:
        typed = _dict(_dict(block).get(FORM_INPUT))
        ticked = typed.get("selected_options")
        if isinstance(ticked, list):  # a tick box: ticked or not, never text
            inputs[str(name)[:64]] = TICKED if ticked else ""
        else:
            inputs[str(name)[:64]] = _str(typed.get("value"))[:MAX_TYPED]
    actor = actor_from_interaction(payload)
    actor = Actor(
        platform=actor.platform,
        workspace=actor.workspace,
        channel=_str(metadata.get("c")),
        user=actor.user,
        user_name=actor.user_name,
    )
    return ButtonPress(actor, action, value, inputs)


def submission_thread(payload: Mapping[str, Any]) -> str:
    """The thread the modal was opened from ('' when none)."""
    return _str(_metadata(_dict(payload.get("view"))).get("t"))


def errors_response(form: Form) -> dict[str, Any] | None:
    """The acknowledgement that keeps the modal open with each refused field's error under
    its input; None when ``form`` has nothing to fix."""
    errors = {name: error[:MAX_LABEL] for name, error in form.errors().items()}
    return {"response_action": "errors", "errors": errors} if errors else None
