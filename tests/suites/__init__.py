"""Test suites that run against more than one setup, as botbuilder's storage_base_tests does.

Each is imported whole (``from tests.suites.X import *``) by a test module per setup: the
core's Redis in ``tests/core``, the 3-master Cluster in ``tests/cluster``. They are not test
modules themselves, so no test module imports another.
"""
