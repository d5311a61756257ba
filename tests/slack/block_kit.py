"""What Slack itself would reject or render dangerously in a message's blocks.

Each block is parsed with slack_sdk's Block Kit models and serialised back
(``to_dict()`` validates every nested object's limits); on top of that, every ``mrkdwn``
text must be escaped: no raw ``<`` or ``>`` (except the ``<!date…|*>`` tokens that show
formatting characters literally), no ``&`` that does not start an entity.
"""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

_BARE_AMPERSAND = re.compile(r"&(?!amp;|lt;|gt;)")
#: The one Slack token our escaping writes: a formatting character shown as itself.
_LITERAL_TOKEN = re.compile(r"<!date\^00000000\^\{_\}\|[*_~`＊＿～｀]+>")


def _mrkdwn_texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [value["text"]] if value.get("type") == "mrkdwn" else []
        for item in value.values():
            found += _mrkdwn_texts(item)
        return found
    if isinstance(value, list):
        return [text for item in value for text in _mrkdwn_texts(item)]
    return []


def block_kit_problems(blocks: Any, max_blocks: int = 50) -> list[str]:
    """Why ``blocks`` would not be accepted or would be unsafe; empty when all is well."""
    if not isinstance(blocks, list) or not blocks:
        return [f"blocks must be a non-empty list, got {blocks!r}"]
    problems = []
    if len(blocks) > max_blocks:
        problems.append(f"{len(blocks)} blocks, more than {max_blocks}")
    for raw in blocks:
        parsed = Block.parse(raw)
        if parsed is None:
            problems.append(f"unknown block {raw!r}")
            continue
        try:
            parsed.to_dict()
        except SlackObjectFormationError as exc:
            problems.append(f"{raw.get('type')}: {exc}")
    ids = [e["action_id"] for b in blocks for e in b.get("elements", []) if "action_id" in e]
    if len(ids) != len(set(ids)):
        problems.append(f"action_ids not unique: {ids}")
    for text in _mrkdwn_texts(blocks):
        if len(text) > 3000:
            problems.append(f"mrkdwn text of {len(text)} characters")
        bare = _LITERAL_TOKEN.sub("", text)
        if "<" in bare or ">" in bare or _BARE_AMPERSAND.search(bare):
            problems.append(f"unescaped mrkdwn: {text[:80]!r}")
    return problems


def view_problems(view: dict[str, Any]) -> list[str]:
    """Why an App Home view would be rejected; empty when all is well."""
    try:
        View(**view).to_dict()
    except SlackObjectFormationError as exc:
        return [str(exc)]
    return block_kit_problems(view.get("blocks"), max_blocks=100)
