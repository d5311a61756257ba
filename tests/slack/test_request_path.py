"""How many of our modules a button press runs through before it reaches the core.

A real signed ``block_actions`` press goes through the real server and the real Slack
front end while a profiler records, for the press's own request (its request id, which
tasks started from it inherit), the file of every function of ours that runs, from the
request's arrival until ``bot/conversation.py`` is entered. Code is ours when its file is
under ``bot/`` or ``adapters/`` (dataclass-made ``__init__`` methods have no file and are
not counted: building an event runs no module's code).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlencode

from bot.logging_setup import request_id
from tests.slack.conftest import FORM, SlackBot, load_payload

ROOT = Path(__file__).resolve().parents[2]
OURS = (ROOT / "bot", ROOT / "adapters")
PROBE_ID = "probe-press-path"
#: The most modules of ours a press may take to reach the core (issue 13).
MOST_MODULES = 4


def _module_of(filename: str) -> str | None:
    """``bot.server`` for ``<root>/bot/server.py``; None for code that is not ours."""
    path = Path(filename)
    if not any(path.is_relative_to(folder) for folder in OURS):
        return None
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


class PathRecorder:
    """A profile hook that notes our modules running for one request id, in order."""

    def __init__(self) -> None:
        self.modules: list[str] = []
        self.reached_core = False
        self._seen: dict[str, str | None] = {}

    def __call__(self, frame: FrameType, event: str, _arg: Any) -> None:
        if self.reached_core or request_id.get() != PROBE_ID:
            return
        filename = frame.f_code.co_filename
        if filename not in self._seen:
            self._seen[filename] = _module_of(filename)
        module = self._seen[filename]
        if module is None:
            return
        if module == "bot.conversation":
            self.reached_core = True
        elif module not in self.modules:
            self.modules.append(module)


async def test_a_press_reaches_the_core_through_at_most_four_of_our_modules(
    bot: SlackBot,
) -> None:
    payload = load_payload("block_actions")
    payload["actions"][0].update(action_id="help.show|0", value="")
    payload["response_url"] = bot.slack.response_url("probe")
    recorder = PathRecorder()
    previous = sys.getprofile()
    sys.setprofile(recorder)
    try:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        response = await bot.post(body, FORM, headers={"X-Request-Id": PROBE_ID})
        await bot.slack.wait_for(lambda: bot.slack.responses("probe"))
    finally:
        sys.setprofile(previous)
    assert response.status == 200
    assert recorder.reached_core, recorder.modules
    assert recorder.modules[0] == "bot.server"  # the probe saw the request arrive
    assert len(recorder.modules) <= MOST_MODULES, (
        f"a press ran {len(recorder.modules)} of our modules before the core: "
        + " → ".join(recorder.modules)
    )
