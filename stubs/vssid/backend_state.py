"""Everything one running VssID holds in memory, shared by its route handlers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from stubs.vssid.accounts import AccountBook
from stubs.vssid.attempts import AttemptStore
from stubs.vssid.config import VssidConfig
from stubs.vssid.id_token import IdTokenValidator
from stubs.vssid.lockout import PasswordLockout
from stubs.vssid.provider import VneidProvider
from stubs.vssid.sessions import SessionStore


@dataclass
class BackendState:
    """Config, account book, attempt/session stores and the VNeID client of one app."""

    config: VssidConfig
    clock: Callable[[], float]
    accounts: AccountBook
    attempts: AttemptStore
    sessions: SessionStore
    lockout: PasswordLockout
    provider: VneidProvider
    validator: IdTokenValidator
    reused_verifier: str

    def reset(self) -> None:
        """Forget attempts, sessions, lockouts and cached provider data."""
        self.attempts.clear()
        self.sessions.clear()
        self.lockout.clear()
        self.provider.forget()
