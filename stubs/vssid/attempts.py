"""Pending VNeID login attempts: state, nonce and PKCE verifier, single-use and short-lived."""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from stubs.redaction import witness


def new_pkce_verifier() -> str:
    """A fresh 43-character verifier from 256 random bits (RFC 7636 §4.1)."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class LoginAttempt:
    """One hand-over to VNeID waiting for its callback."""

    state: str = field(repr=False)
    nonce: str = field(repr=False)
    code_verifier: str = field(repr=False)
    browser_binding: str = field(repr=False)
    redirect_uri: str
    created_at: float


class AttemptStore:
    """Attempts keyed by state, bound to the browser that started them."""

    def __init__(
        self,
        ttl_seconds: int,
        *,
        reusable: bool = False,
        never_expires: bool = False,
        guessable_state: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._ttl = ttl_seconds
        self._reusable = reusable
        self._never_expires = never_expires
        self._guessable_state = guessable_state
        self._counter = itertools.count(1)
        self._clock = clock
        self._attempts: dict[str, LoginAttempt] = {}

    def create(
        self, *, browser_binding: str, code_verifier: str, redirect_uri: str
    ) -> LoginAttempt:
        """Open an attempt with a fresh state (>= 128 bits) and nonce."""
        self._drop_expired()
        state = str(next(self._counter)) if self._guessable_state else secrets.token_urlsafe(32)
        attempt = LoginAttempt(
            state=state,
            nonce=secrets.token_urlsafe(32),
            code_verifier=code_verifier,
            browser_binding=browser_binding,
            redirect_uri=redirect_uri,
            created_at=self._clock(),
        )
        witness("state", attempt.state)
        witness("nonce", attempt.nonce)
        self._attempts[state] = attempt
        return attempt

    def take(self, state: str, browser_binding: str | None) -> LoginAttempt | None:
        """Consume the live attempt for this state and browser; None if unknown/late/foreign."""
        attempt = self._attempts.get(state)
        if attempt is None or browser_binding is None:
            return None
        if not secrets.compare_digest(attempt.browser_binding, browser_binding):
            return None
        if not self._reusable:
            del self._attempts[state]
        if self._expired(attempt):
            self._attempts.pop(state, None)
            return None
        return attempt

    def latest_for(self, browser_binding: str | None) -> LoginAttempt | None:
        """The newest live attempt of a browser (used only when the state check is off)."""
        if browser_binding is None:
            return None
        mine = [a for a in self._attempts.values() if a.browser_binding == browser_binding]
        return max(mine, key=lambda a: a.created_at, default=None)

    def discard(self, state: str) -> None:
        """Forget an attempt (after the state-unchecked defect used it)."""
        if not self._reusable:
            self._attempts.pop(state, None)

    def clear(self) -> None:
        """Forget every attempt (control-plane reset)."""
        self._attempts.clear()

    def __len__(self) -> int:
        return len(self._attempts)

    def _expired(self, attempt: LoginAttempt) -> bool:
        if self._never_expires:
            return False
        return self._clock() - attempt.created_at >= self._ttl

    def _drop_expired(self) -> None:
        # Bounded memory: expired attempts are purged whenever a new one is made.
        for state in [s for s, a in self._attempts.items() if self._expired(a)]:
            del self._attempts[state]
