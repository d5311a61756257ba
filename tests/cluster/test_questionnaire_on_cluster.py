"""The questionnaire dialogues, run unchanged against a 3-master Redis Cluster.

This folder's conftest gives the ``conversation`` fixture a cluster-backed store, so each
dialogue (answers, back, restart, concurrent presses) goes through ``REDIS_CLUSTER``.
"""

from __future__ import annotations

from tests.suites.questionnaire_dialogue import *  # noqa: F403
