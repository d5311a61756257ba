"""Wording, questions, weights and FAQ entries, shipped as YAML data."""
