"""Whole questionnaire runs, as the button labels a person presses, one per question.

Shared by the dialogue tests and the two-replica test; each names the team it describes.
"""

from __future__ import annotations

PRIVACY_TEAM_WITH_ENGINEERS = [
    "large organisation",
    "Our own engineers",
    "Highly sensitive",
    "Within a few months",
    "Tuned to our field",
    "audit it for bias",
    "Community forums",
    "Whatever it takes",
    "Steady, and we have servers",
    "A lot: we don't want to be locked in",
]
NO_ENGINEERS_NEEDS_IT_THIS_WEEK = [
    "large organisation",
    "Nobody technical",
    "Internal, but not critical",
    "This week",
    "General tasks",
    "Not really",
    "A vendor with a support contract",
    "predictable monthly subscription",
    "Lots, growing fast",
    "Not much",
]
SMALL_SCHOOL_WITH_SENSITIVE_DATA = [
    "A school, college or educators",
    "Nobody technical",
    "Highly sensitive",
    "Within a few months",
    "General tasks",
    "It would be good to know",
    "A vendor with a support contract",
    "As little as possible",
    "A handful of people",
    "Somewhat",
]
REMOTE_TEAM_WITH_SENSITIVE_DATA = [
    "A remote or distributed team",
    "One or two technical people",
    "Highly sensitive",
    "This week",
    "General tasks",
    "It would be good to know",
    "Either would do",
    "As little as possible",
    "A handful of people",
    "Somewhat",
]
