"""Everything one running VssID holds in memory, shared by its route handlers.

It is also what the shared control plane (stubs/control_plane.py) reads: it implements that
module's `Controlled` protocol, and the app keeps it as `app.state.control`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from stubs.control_plane import FromConfig
from stubs.defect_catalogue import DefectCatalogue
from stubs.request_log import RequestLog
from stubs.vssid.accounts import AccountBook
from stubs.vssid.attempts import AttemptStore
from stubs.vssid.config import VssidConfig
from stubs.vssid.defects import CATALOGUE
from stubs.vssid.id_token import IdTokenValidator
from stubs.vssid.lockout import PasswordLockout
from stubs.vssid.provider import VneidProvider
from stubs.vssid.sessions import SessionStore


@dataclass
class StubState(FromConfig):
    """Config, account book, attempt/session stores and the VNeID client of one app."""

    catalogue: ClassVar[DefectCatalogue] = CATALOGUE

    config: VssidConfig
    clock: Callable[[], float]
    accounts: AccountBook
    attempts: AttemptStore
    sessions: SessionStore
    lockout: PasswordLockout
    provider: VneidProvider
    validator: IdTokenValidator
    reused_verifier: str
    requests: RequestLog

    def reset(self) -> None:
        """Forget attempts, sessions, lockouts, cached provider data and received requests.
        The clock is not touched: its owner puts it back (DELETE /_stub/clock)."""
        self.attempts.clear()
        self.sessions.clear()
        self.lockout.clear()
        self.provider.forget()
        self.requests.clear()

    def counters(self) -> dict[str, int]:
        """How much the app holds now, as counts only (never a value: GET /_stub/state)."""
        return {
            "attempts": len(self.attempts),
            "sessions": len(self.sessions),
            "accounts_with_failures": len(self.lockout),
            "requests": len(self.requests.entries()),
        }
