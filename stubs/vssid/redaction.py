"""Scrubbing secrets out of log records (RP-21), as a second line behind never logging them."""

from __future__ import annotations

import logging
import re

SECRET_PARAMETERS = (
    "code", "state", "nonce", "code_verifier", "code_challenge", "id_token", "access_token",
    "refresh_token", "password", "passcode", "client_secret", "session", "vssid_session",
    "vssid_attempt",
)

# name=value in query strings, forms and cookies; name: value / "name": "value" in JSON.
_PARAMETER = re.compile(
    r"(?P<name>\b(?:" + "|".join(SECRET_PARAMETERS) + r"))"
    r"(?P<sep>\"?\s*[=:]\s*\"?)(?P<value>[^&\s\"',;)]+)",
    re.IGNORECASE,
)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")
_BASIC = re.compile(r"(?i)\b(basic|bearer)\s+[A-Za-z0-9+/=._-]{8,}")

REDACTED = "[REDACTED]"


def redact(text: str) -> str:
    """The text with secret parameter values, JWTs and credentials replaced."""
    text = _JWT.sub(REDACTED, text)
    text = _BASIC.sub(lambda m: f"{m[1]} {REDACTED}", text)
    return _PARAMETER.sub(lambda m: f"{m['name']}{m['sep']}{REDACTED}", text)


class RedactingFilter(logging.Filter):
    """A handler filter that rewrites every record's message through redact()."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        return True
