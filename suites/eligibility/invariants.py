"""Invariants of the login state machine: small checks of the system against the plain model."""

from __future__ import annotations

from dataclasses import dataclass, field

from fixtures.eligibility import PlacedPerson
from fixtures.oracle import masked_id_number


@dataclass
class LoginModel:
    """What a perfect system would hold now ("assumed perfect"): the model the machine keeps."""

    threshold: int
    people: dict[str, PlacedPerson]
    current: str
    failures: dict[str, int] = field(default_factory=dict)
    locked: set[str] = field(default_factory=set)
    phase: str = "idle"  # idle | vneid_login | passcode | consent
    # Who may be logged in on this phone: people who completed a level 2 login on it.
    earned_sessions: set[str] = field(default_factory=set)
    last_login: str | None = None  # masked ID of the latest successful login

    @property
    def person(self) -> PlacedPerson:
        return self.people[self.current]


def never_logged_in_as_another_person(model: LoginModel, session: dict) -> None:
    """A session names only someone who logged in on this phone (N-FLOW-4, RP-15)."""
    __tracebackhide__ = True
    if session.get("logged_in"):
        masked = session.get("id_number_masked")
        assert masked in model.earned_sessions, (
            f"logged in as {masked}, but only {sorted(model.earned_sessions) or 'nobody'} "
            "logged in on this phone")


def never_logged_in_without_level_2(model: LoginModel, session: dict) -> None:
    """A session's person has a level 2 VNeID account (N-ELIG-2)."""
    __tracebackhide__ = True
    if session.get("logged_in"):
        levels = {masked_id_number(p.id_number): p.level for p in model.people.values()}
        level = levels.get(session.get("id_number_masked"))
        assert level == 2, f"logged in as {session.get('id_number_masked')} whose level is {level}"


def lockout_counts_hold(model: LoginModel, failures: int, status: str | None) -> None:
    """VNeID counts the current person's wrong attempts and locks at the threshold (IDP-13)."""
    __tracebackhide__ = True
    key = model.current
    expected_status = "locked" if key in model.locked else model.person.vneid_status
    assert status == expected_status, (
        f"{key}: VNeID status {status!r}, expected {expected_status!r} after "
        f"{model.failures.get(key, 0)} wrong attempt(s), threshold {model.threshold}")
    if key not in model.locked:
        assert failures == model.failures.get(key, 0), (
            f"{key}: VNeID counts {failures} wrong attempt(s), expected "
            f"{model.failures.get(key, 0)}")
