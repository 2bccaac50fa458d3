"""Logged-in VssID sessions, keyed by an opaque random cookie value."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from stubs.redaction import witness


@dataclass(frozen=True)
class Session:
    """One logged-in person, identified by their VssID account's ID number."""

    id_number: str
    created_at: float
    method: str


class SessionStore:
    """Sessions that end on logout or after their time-to-live."""

    def __init__(self, ttl_seconds: int, *, clock: Callable[[], float] = time.time) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._sessions: dict[str, Session] = {}

    def open(self, id_number: str, method: str, *, reuse: str | None = None) -> str:
        """Start a session and return the cookie value that names it (a fresh one; `reuse`
        only for the session_fixation defect: the id the browser brought)."""
        session_id = reuse or secrets.token_urlsafe(32)
        witness("session", session_id)
        self._sessions[session_id] = Session(id_number, self._clock(), method)
        return session_id

    def get(self, session_id: str | None) -> Session | None:
        """The live session named by a cookie value, if any."""
        if not session_id:
            return None
        session = self._sessions.get(session_id)
        if session is None:
            return None
        if self._clock() - session.created_at >= self._ttl:
            del self._sessions[session_id]
            return None
        return session

    def close(self, session_id: str | None) -> None:
        """End a session (logout)."""
        if session_id:
            self._sessions.pop(session_id, None)

    def clear(self) -> None:
        """End every session (control-plane reset)."""
        self._sessions.clear()

    def __len__(self) -> int:
        return len(self._sessions)
