"""Everything the stub VNeID holds at run time, in one object the routes share.

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
from stubs.vneid.clients import ClientRegistry
from stubs.vneid.config import VneidConfig
from stubs.vneid.defects import CATALOGUE
from stubs.vneid.faults import FaultPlan
from stubs.vneid.grants import GrantStore
from stubs.vneid.keys import SigningKeys
from stubs.vneid.personas import PersonaStore


@dataclass
class StubState(FromConfig):
    """The mutable stores behind one running stub VNeID."""

    catalogue: ClassVar[DefectCatalogue] = CATALOGUE

    config: VneidConfig
    clock: Callable[[], float]
    personas: PersonaStore
    clients: ClientRegistry
    keys: SigningKeys
    grants: GrantStore
    faults: FaultPlan
    requests: RequestLog

    def reset(self) -> None:
        """Everything back to how the stub started (the control plane's reset). The clock is
        not touched: its owner puts it back (DELETE /_stub/clock)."""
        self.personas.reset()
        self.clients.reset()
        self.keys.reset()
        self.grants.reset()
        self.faults.clear()
        self.requests.clear()

    def counters(self) -> dict[str, int]:
        """How much the stub holds now, as counts only (never a value: GET /_stub/state)."""
        return {
            "personas": len(self.personas.all()),
            "clients": len(self.clients.all()),
            "published_keys": len(self.keys.published()),
            "transactions": len(self.grants.transactions),
            "codes": len(self.grants.codes),
            "access_tokens": len(self.grants.access_tokens),
            "armed_faults": len(self.faults.armed()),
            "requests": len(self.requests.entries()),
        }
