"""The questionnaire dialogues (``tests/suites/questionnaire_dialogue.py``) on the core's Redis."""

from __future__ import annotations

from tests.suites.questionnaire_dialogue import *  # noqa: F403
