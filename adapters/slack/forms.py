"""The core's :class:`bot.replies.Form` in Slack: a modal with one ``plain_text_input``.

A press on a button whose answer carries a form (a poll's "Add an option") opens the
modal with ``views.open`` and the press's ``trigger_id``. Submitting it comes back as a
``view_submission``, which :func:`press_from_submission` turns into the form's
``ButtonPress`` with what was typed; a refusal is shown in the modal, under the box
(``response_action: errors``), and anything else the core says goes to the channel the
button was in as an ephemeral (``private_metadata`` keeps where that was).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from adapters.slack.blocks import one_line
from adapters.slack.inbound import actor_from_interaction
from bot.events import Actor, ButtonPress
from bot.replies import Form, fit_label

#: The modal's ``callback_id``: Bolt hands its submissions to the form listener.
FORM_CALLBACK = "aic.form"
#: The input block's ``block_id`` and its element's ``action_id``.
FORM_BLOCK = "aic_text"
FORM_INPUT = "aic_text"
#: The same for a form's yes-or-no box (:attr:`bot.replies.Form.checkbox`).
CHECK_BLOCK = "aic_check"
CHECK_INPUT = "aic_check"
#: Slack's limits: 24 characters in a modal's title and buttons, 2,000 in a label,
#: 150 in a placeholder, 3,000 in ``private_metadata``, 3,000 in a plain-text input.
MAX_TITLE = 24
MAX_LABEL = 2000
MAX_PLACEHOLDER = 150
MAX_METADATA = 3000
MAX_INPUT = 3000
#: How much typed text is read from a submission: more than any option or expert's answer
#: may be, so the core still says it is too long; never all of a forged one.
MAX_TYPED = 1000


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": fit_label(one_line(text), limit) or "…", "emoji": True}


def form_view(form: Form, channel: str, thread_ts: str = "") -> dict[str, Any]:
    """The modal asking for ``form``'s line of text; it remembers where it was opened."""
    metadata = json.dumps(
        {"a": form.action, "v": form.value, "c": channel, "t": thread_ts}, separators=(",", ":")
    )
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": FORM_INPUT,
        "max_length": max(1, min(form.max_length, MAX_INPUT)),
    }
    if form.placeholder:
        element["placeholder"] = _plain(form.placeholder, MAX_PLACEHOLDER)
    if form.multiline:
        element["multiline"] = True
    blocks: list[dict[str, Any]] = [
        {
            "type": "input",
            "block_id": FORM_BLOCK,
            "label": _plain(form.label, MAX_LABEL),
            "element": element,
        }
    ]
    if form.checkbox:
        option = {"text": _plain(form.checkbox, MAX_LABEL), "value": "yes"}
        blocks.append(
            {
                "type": "input",
                "block_id": CHECK_BLOCK,
                "optional": True,
                "label": _plain(form.title, MAX_LABEL),
                "element": {"type": "checkboxes", "action_id": CHECK_INPUT, "options": [option]},
            }
        )
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": _plain(form.title, MAX_TITLE),
        "submit": _plain(form.submit, MAX_TITLE),
        "private_metadata": metadata[:MAX_METADATA],
        "blocks": blocks,
    }


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _metadata(view: Mapping[str, Any]) -> Mapping[str, Any]:
    """What :func:`form_view` kept in the modal's ``private_metadata`` (empty if unreadable)."""
    try:
        return _dict(json.loads(_str(view.get("private_metadata")) or "{}"))
    except ValueError:
        return {}


def press_from_submission(payload: Mapping[str, Any]) -> ButtonPress | None:
    """A ``view_submission`` of our modal → the form's press with what was typed, made
    where the modal was opened from; None when it is not one of ours."""
    view = _dict(payload.get("view"))
    metadata = _metadata(view)
    action, value = _str(metadata.get("a")), _str(metadata.get("v"))
    if not action:
        return None
    values = _dict(_dict(view.get("state")).get("values"))
    typed = _dict(_dict(values.get(FORM_BLOCK)).get(FORM_INPUT))
    text = _str(typed.get("value"))[:MAX_TYPED]
    ticked = _dict(_dict(values.get(CHECK_BLOCK)).get(CHECK_INPUT)).get("selected_options")
    checked = isinstance(ticked, list) and len(ticked) > 0
    actor = actor_from_interaction(payload)
    actor = Actor(
        platform=actor.platform,
        workspace=actor.workspace,
        channel=_str(metadata.get("c")),
        user=actor.user,
        user_name=actor.user_name,
    )
    return ButtonPress(actor, action, value, text, checked=checked)


def submission_thread(payload: Mapping[str, Any]) -> str:
    """The thread the modal was opened from ('' when none)."""
    return _str(_metadata(_dict(payload.get("view"))).get("t"))


def errors_response(error: str) -> dict[str, Any]:
    """The acknowledgement that keeps the modal open with ``error`` under the box."""
    return {"response_action": "errors", "errors": {FORM_BLOCK: error[:MAX_LABEL]}}
