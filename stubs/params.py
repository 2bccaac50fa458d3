"""Strict parsing of query strings and form bodies, so malformed input is refused, not guessed."""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from starlette.requests import Request

_BAD_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


class MalformedRequest(ValueError):
    """The request cannot be read as OAuth parameters; the message says why (safe to show)."""


def _decode(raw: bytes, what: str) -> str:
    """Percent-decode one name or value, refusing bad escapes and non-UTF-8."""
    if _BAD_PERCENT.search(raw):
        raise MalformedRequest(f"bad percent-encoding in {what}")
    try:
        return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedRequest(f"invalid UTF-8 in {what}") from exc


def parse_urlencoded(raw: bytes, *, max_bytes: int, max_value_length: int) -> dict[str, list[str]]:
    """Every parameter with all its values, refusing oversize, bad encodings and control bytes."""
    if len(raw) > max_bytes:
        raise MalformedRequest("request too large")
    params: dict[str, list[str]] = {}
    for pair in raw.split(b"&"):
        if not pair:
            continue
        name_raw, _, value_raw = pair.partition(b"=")
        name = _decode(name_raw, "a parameter name")
        value = _decode(value_raw, f"parameter {name[:40]!r}")
        if len(value) > max_value_length or len(name) > 64:
            raise MalformedRequest(f"parameter {name[:40]!r} is too long")
        if "\x00" in name or "\x00" in value:
            raise MalformedRequest(f"NUL byte in parameter {name[:40]!r}")
        params.setdefault(name, []).append(value)
    return params


def single_values(
    params: dict[str, list[str]], *, strict: set[str] | None = None
) -> dict[str, str]:
    """One value per parameter; a repeated parameter is refused (RFC 6749 §3.1)."""
    repeated = sorted(n for n, values in params.items() if len(values) > 1)
    if strict is not None:
        repeated = [n for n in repeated if n in strict]
    if repeated:
        raise MalformedRequest(f"parameter {repeated[0]!r} is repeated")
    return {n: values[0] for n, values in params.items()}


def query_params(
    request: Request, *, max_bytes: int, max_value_length: int
) -> dict[str, list[str]]:
    """The request's query string, parsed strictly."""
    return parse_urlencoded(
        request.scope.get("query_string", b""),
        max_bytes=max_bytes,
        max_value_length=max_value_length,
    )


async def form_params(
    request: Request, *, max_bytes: int, max_value_length: int
) -> dict[str, list[str]]:
    """The request's urlencoded body, parsed strictly; any other content type is refused."""
    content_type = request.headers.get("content-type", "")
    media_type, _, options = content_type.partition(";")
    if media_type.strip().lower() != FORM_CONTENT_TYPE:
        raise MalformedRequest(f"content type must be {FORM_CONTENT_TYPE}")
    charset = options.strip().lower()
    if charset and charset.replace(" ", "") not in ("charset=utf-8", 'charset="utf-8"'):
        raise MalformedRequest("only UTF-8 form bodies are accepted")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise MalformedRequest("request too large")
    return parse_urlencoded(bytes(body), max_bytes=max_bytes, max_value_length=max_value_length)
