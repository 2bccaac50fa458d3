"""Everything the stub VNeID holds at run time, in one object the routes share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from stubs.vneid.clients import ClientRegistry
from stubs.vneid.config import VneidConfig
from stubs.vneid.faults import FaultPlan
from stubs.vneid.grants import GrantStore
from stubs.vneid.keys import SigningKeys
from stubs.vneid.personas import PersonaStore
from stubs.request_log import RequestLog


@dataclass
class StubState:
    """The mutable stores behind one running stub VNeID."""

    config: VneidConfig
    clock: Callable[[], float]
    personas: PersonaStore
    clients: ClientRegistry
    keys: SigningKeys
    grants: GrantStore
    faults: FaultPlan
    requests: RequestLog

    def reset(self) -> None:
        """Everything back to how the stub started (the control plane's reset)."""
        self.personas.reset()
        self.clients.reset()
        self.keys.reset()
        self.grants.reset()
        self.faults.clear()
        self.requests.clear()
