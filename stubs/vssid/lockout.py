"""Password-login throttling: N wrong passwords lock an account for a while."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Failures:
    count: int = 0
    locked_until: float = 0.0


class PasswordLockout:
    """Counts wrong passwords per account and locks it after a threshold."""

    def __init__(
        self, threshold: int, lock_seconds: int, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._threshold = threshold
        self._lock_seconds = lock_seconds
        self._clock = clock
        self._failures: dict[str, _Failures] = {}

    def is_locked(self, account_key: str) -> bool:
        """Whether the account is inside a lock period now."""
        entry = self._failures.get(account_key)
        if entry is None:
            return False
        if entry.locked_until and self._clock() >= entry.locked_until:
            # The lock period is over: the person starts again with a clean count.
            del self._failures[account_key]
            return False
        return entry.locked_until > 0

    def record_failure(self, account_key: str) -> int:
        """Count a wrong password; return how many tries remain before the lock."""
        entry = self._failures.setdefault(account_key, _Failures())
        entry.count += 1
        if entry.count >= self._threshold:
            entry.locked_until = self._clock() + self._lock_seconds
            return 0
        return self._threshold - entry.count

    def record_success(self, account_key: str) -> None:
        """A right password resets the count."""
        self._failures.pop(account_key, None)

    def __len__(self) -> int:
        """How many accounts have failures on record (locked or counting)."""
        return len(self._failures)

    def clear(self) -> None:
        """Forget every count and lock (control-plane reset)."""
        self._failures.clear()
