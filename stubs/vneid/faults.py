"""Faults the stub VNeID injects on purpose, for the next N responses, to test relying parties."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum


class IdTokenFault(Enum):
    """Wrong in exactly one way: the ID token in the next token responses."""

    WRONG_SIGNING_KEY = "WRONG_SIGNING_KEY"
    ALG_NONE = "ALG_NONE"
    HS256_WITH_PUBLIC_KEY = "HS256_WITH_PUBLIC_KEY"
    UNKNOWN_KID = "UNKNOWN_KID"
    WRONG_ISSUER = "WRONG_ISSUER"
    MISSING_ISSUER = "MISSING_ISSUER"
    WRONG_AUDIENCE = "WRONG_AUDIENCE"
    EXTRA_UNTRUSTED_AUDIENCE = "EXTRA_UNTRUSTED_AUDIENCE"
    WRONG_AZP = "WRONG_AZP"
    WRONG_NONCE = "WRONG_NONCE"
    MISSING_NONCE = "MISSING_NONCE"
    EXPIRED = "EXPIRED"
    IAT_IN_FUTURE = "IAT_IN_FUTURE"
    IAT_TOO_OLD = "IAT_TOO_OLD"
    ACR_LEVEL1 = "ACR_LEVEL1"
    MISSING_ACR = "MISSING_ACR"
    MISSING_SUB = "MISSING_SUB"
    MISSING_ID_NUMBER = "MISSING_ID_NUMBER"


class AuthorizationResponseFault(Enum):
    """Wrong in exactly one way: the next redirects back to the relying party."""

    WRONG_ISS = "WRONG_ISS"
    MISSING_ISS = "MISSING_ISS"
    TAMPERED_STATE = "TAMPERED_STATE"
    MISSING_STATE = "MISSING_STATE"
    CODE_ALREADY_USED = "CODE_ALREADY_USED"


class UserinfoFault(Enum):
    """Wrong in exactly one way: the next userinfo answers."""

    # The claims (and sub) of another person, named by `id_number`: what a mixed-up or
    # malicious userinfo answer looks like to a relying party (OIDC Core §5.3.2).
    OTHER_PERSON = "OTHER_PERSON"


class HttpFault(Enum):
    """Wrong at the HTTP level: the next responses of one endpoint."""

    DELAY = "DELAY"
    SERVER_ERROR = "SERVER_ERROR"


Fault = IdTokenFault | AuthorizationResponseFault | UserinfoFault | HttpFault

# Endpoints an HttpFault can target.
HTTP_FAULT_ENDPOINTS = ("discovery", "jwks", "authorize", "token", "userinfo")


class FaultError(ValueError):
    """A fault request names an unknown fault, endpoint or count."""


def parse_fault_name(name: object) -> Fault:
    """The fault with this name, from any of the three families."""
    if isinstance(name, str):
        for family in (IdTokenFault, AuthorizationResponseFault, UserinfoFault, HttpFault):
            if name in family.__members__:
                return family[name]
    raise FaultError(f"fault: unknown fault name {name!r}")


@dataclass
class ArmedFault:
    """A fault that will apply to the next `remaining` responses it concerns."""

    fault: Fault
    remaining: int
    endpoint: str | None = None
    delay_seconds: float = 0.0
    status_code: int = 500
    offset_seconds: int | None = None
    id_number: str | None = None  # UserinfoFault.OTHER_PERSON: whose claims

    def describe(self) -> dict:
        """The JSON the control plane shows for this armed fault."""
        described: dict = {"fault": self.fault.value, "remaining": self.remaining}
        if isinstance(self.fault, HttpFault):
            described["endpoint"] = self.endpoint
            if self.fault is HttpFault.DELAY:
                described["delay_seconds"] = self.delay_seconds
            else:
                described["status_code"] = self.status_code
        if self.offset_seconds is not None:
            described["offset_seconds"] = self.offset_seconds
        if self.id_number is not None:
            described["id_number"] = self.id_number
        return described


class FaultPlan:
    """The faults armed through the control plane, each consumed one response at a time."""

    def __init__(self) -> None:
        self._armed: list[ArmedFault] = []

    def clear(self) -> None:
        """Disarm every fault."""
        self._armed = []

    def arm(self, armed: ArmedFault) -> None:
        """Arm a fault; arming the same fault (and endpoint) again replaces its count."""
        self._armed = [
            a for a in self._armed
            if not (a.fault is armed.fault and a.endpoint == armed.endpoint)
        ]
        if armed.remaining > 0:
            self._armed.append(armed)

    def armed(self) -> list[ArmedFault]:
        """The faults still armed."""
        return list(self._armed)

    def _take(self, matches: Callable[[ArmedFault], bool]) -> list[ArmedFault]:
        taken = [a for a in self._armed if matches(a)]
        for a in taken:
            a.remaining -= 1
        self._armed = [a for a in self._armed if a.remaining > 0]
        return taken

    def take_id_token_faults(self) -> dict[IdTokenFault, ArmedFault]:
        """The ID token faults for the response being built now (each count goes down by one)."""
        taken = self._take(lambda a: isinstance(a.fault, IdTokenFault))
        return {a.fault: a for a in taken if isinstance(a.fault, IdTokenFault)}

    def take_authorization_response_faults(self) -> set[AuthorizationResponseFault]:
        """The faults for the authorization response being sent now."""
        return {
            a.fault
            for a in self._take(lambda a: isinstance(a.fault, AuthorizationResponseFault))
        }

    def take_userinfo_fault(self) -> ArmedFault | None:
        """The userinfo fault for the answer being built now, if one is armed."""
        taken = self._take(lambda a: isinstance(a.fault, UserinfoFault))
        return taken[0] if taken else None

    def take_http_faults(self, endpoint: str) -> list[ArmedFault]:
        """The HTTP faults for the response of `endpoint` being sent now."""
        return self._take(lambda a: isinstance(a.fault, HttpFault) and a.endpoint == endpoint)
