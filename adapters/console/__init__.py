"""The terminal front end used by `ai-choice chat`."""
