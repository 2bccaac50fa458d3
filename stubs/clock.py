"""The stubs' clock: real time plus an offset that a test (or the control plane) moves on."""

from __future__ import annotations

import time


class StubClock:
    """Seconds since the epoch, as the stubs see them; both embedded stubs share one."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Move time forward, as if `seconds` had passed."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self.offset += seconds

    def reset(self) -> None:
        """Back to real time."""
        self.offset = 0.0
