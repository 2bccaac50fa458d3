"""The requests the stub received, redacted, so a test can see what a relying party did."""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stubs.params import MalformedRequest, parse_urlencoded
from stubs.redaction import (
    SECRET_WITNESSES,
    Redactor,
    is_secret_name,
    normalize_name,
    witness_observed,
)

# Low-entropy secrets are removed outright; a fingerprint could be brute-forced. Every other
# secret (stubs/redaction.py names them) gets a short fingerprint, so tests can tell "same
# code twice" apart.
HIDDEN = frozenset({"password", "passcode", "client_secret"})


def _shown(name: str, value: str) -> str:
    if normalize_name(name) in HIDDEN or normalize_name(name).endswith(("_password", "_secret")):
        return "[redacted]"
    return "[redacted:" + hashlib.sha256(value.encode()).hexdigest()[:8] + "]"


# The shared redaction, with this log's fingerprints for the secrets it replaces.
_REDACTOR = Redactor(on_secret=witness_observed, replace=_shown)


# Values the redaction left as they were. The same few (scope, redirect_uri, client_id, S256)
# come with every login, and the redaction is a function of the text alone, so a value found
# clean once is clean again; under load, scanning them anew was a tenth of the stub's time.
_CLEAN: set[str] = set()
_CLEAN_LIMIT = 4096
_CLEAN_LONGEST = 512


def redact_value(name: str, value: str) -> str:
    """What the log shows of one parameter value."""
    if is_secret_name(name):
        return _REDACTOR.secret(name, value)
    if value in _CLEAN:
        return value
    shown = _REDACTOR.text(value)
    if shown == value and len(value) <= _CLEAN_LONGEST:
        if len(_CLEAN) >= _CLEAN_LIMIT:
            _CLEAN.clear()
        _CLEAN.add(value)
    return shown


def redact_params(params: dict[str, list[str]]) -> dict[str, list[str]]:
    """Every parameter with its values redacted."""
    return {name: [redact_value(name, v) for v in values] for name, values in params.items()}


def _safe_parse(raw: bytes) -> dict[str, list[str]] | str:
    try:
        return redact_params(parse_urlencoded(raw, max_bytes=1 << 20, max_value_length=1 << 20))
    except MalformedRequest as exc:
        return f"[malformed: {exc}]"


@dataclass(frozen=True)
class Received:
    """One request as it came, before redaction: never shown as it is."""

    entry: dict  # time, method, path, status, authorization scheme
    query: bytes = field(repr=False)
    body: bytes = field(repr=False)
    content_type: str

    def redacted(self) -> dict:
        entry = {key: self.entry[key] for key in ("time", "method", "path")}
        entry["query"] = _safe_parse(self.query)
        entry.update((key, self.entry[key]) for key in ("status", "authorization"))
        if self.body:
            entry["form"] = (
                _safe_parse(self.body)
                if self.content_type.startswith("application/x-www-form-urlencoded")
                else f"[{len(self.body)} bytes of {self.content_type or 'unknown type'}]"
            )
        return entry


class RequestLog:
    """A bounded list of received requests, newest last, redacted.

    Redaction also tells whoever listens for secrets (`stubs.redaction.SECRET_WITNESSES`: the
    kit's run, which keeps them out of its reports) what it found, so while someone listens a
    request is redacted as it comes. With nobody listening (a standalone stub) the request is
    kept as it came, in memory only and within the log's bound, and redacted when the log is
    read: a stub under load reads its log seldom, and redacting each request as it came was a
    tenth of its time (scripts/bench_vneid_load.py).
    """

    def __init__(self, limit: int) -> None:
        self._entries: deque[dict | Received] = deque(maxlen=limit)

    def clear(self) -> None:
        """Forget every entry."""
        self._entries.clear()

    def add(self, received: Received) -> None:
        """Record one request."""
        self._entries.append(received.redacted() if SECRET_WITNESSES else received)

    def entries(self) -> list[dict]:
        """Every entry, redacted, oldest first."""
        entries = [e.redacted() if isinstance(e, Received) else e for e in self._entries]
        self._entries = deque(entries, maxlen=self._entries.maxlen)
        return entries


class RequestLogMiddleware:
    """Records every request except the control plane's (redacted: see `RequestLog`)."""

    def __init__(
        self, app: ASGIApp, *, log: RequestLog, skip_prefix: str, clock: Callable[[], float]
    ) -> None:
        self.app = app
        self.log = log
        self.skip_prefix = skip_prefix
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.skip_prefix):
            await self.app(scope, receive, send)
            return
        body = bytearray()
        status: list[int] = []

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(body) < 65536:
                body.extend(message.get("body", b""))
            return message

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        started = self.clock()
        try:
            await self.app(scope, recording_receive, recording_send)
        finally:
            headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                       for k, v in scope.get("headers", [])}
            authorization = headers.get("authorization", "")
            content_type = headers.get("content-type", "")
            entry: dict = {
                "time": started,
                "method": scope["method"],
                "path": scope["path"],
                "status": status[0] if status else None,
                # The scheme only: the credential itself is never kept.
                "authorization": authorization.split(" ", 1)[0] if authorization else None,
            }
            self.log.add(Received(entry, scope.get("query_string", b""), bytes(body),
                                  content_type))
