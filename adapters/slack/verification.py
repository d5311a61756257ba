"""Is this request really from Slack? Signing-secret verification that never raises.

Slack signs ``v0:{timestamp}:{raw body}`` with HMAC-SHA256 under the app's signing
secret (https://docs.slack.dev/authentication/verifying-requests-from-slack/). This
checks that signature, and that the timestamp is a number within five minutes of now, so
that a missing, malformed or replayed request is a plain ``False`` (a 401), never an
exception. Nothing here logs the body or the signature.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

#: How far a request's timestamp may be from our clock (Slack's recommendation).
MAX_AGE_SECONDS = 5 * 60
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
SIGNATURE_HEADER = "X-Slack-Signature"


def signature_for(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Slack-Signature`` Slack sends for ``body`` at ``timestamp``."""
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def is_signed_by_slack(
    secret: str, headers: Mapping[str, str], body: bytes, now: float | None = None
) -> bool:
    """True when ``body`` carries a valid, fresh Slack signature."""
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    signature = headers.get(SIGNATURE_HEADER, "")
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    if not signature.isascii():
        return False
    return hmac.compare_digest(signature_for(secret, timestamp, body), signature)
