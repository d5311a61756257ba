"""Tests for the Teams front end, driven over HTTP against a stand-in for the Bot Connector."""
