"""The store conformance suite (``tests/suites/store_conformance.py``) on the core's Redis."""

from __future__ import annotations

from tests.suites.store_conformance import *  # noqa: F403
