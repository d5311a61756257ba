"""The Prometheus metrics the server exposes at ``GET /metrics``.

Names start with ``aic_``. Labels carry platforms, kinds and outcomes — never user ids or
message text.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "aic_requests_total",
    "HTTP requests from chat platforms, by platform and kind of request.",
    ["platform", "kind"],
)
ERRORS = Counter(
    "aic_errors_total",
    "Requests that failed: 5xx answers, or a failure inside the conversation core.",
    ["platform", "where"],
)
ACK_SECONDS = Histogram(
    "aic_ack_seconds",
    "Time from receiving a platform request to answering it (the acknowledgement).",
    ["platform"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 3.0, 5.0, 10.0),
)
REDIS_SECONDS = Histogram(
    "aic_redis_seconds",
    "Latency of the store's Redis operations.",
    ["operation"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 2.5),
)
REDIS_UNAVAILABLE = Counter(
    "aic_redis_unavailable_total", "Store operations that failed because Redis was unreachable."
)
VOTES = Counter("aic_poll_votes_total", "Poll votes by what they did.", ["result"])
FAQ_QUESTIONS = Counter(
    "aic_faq_questions_total",
    "FAQ questions by outcome: answered, suggested (unsure) or unknown.",
    ["outcome"],
)
BACKLOG_FULL = Counter(
    "aic_backlog_full_total",
    "Requests whose work ran before their acknowledgement because the backlog of work "
    "still to do after acknowledging was full (the platform was slowed down, nothing dropped).",
    ["platform"],
)
