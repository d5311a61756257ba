"""Tests for the Slack front end, driven over HTTP against a stand-in for Slack."""
