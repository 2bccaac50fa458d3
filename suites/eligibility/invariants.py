"""Invariants of the login state machine: small named checks of the systems against the model.

Each names the one requirement it enforces; the evidence is persona keys and masked ID
numbers, never a credential.
"""

from __future__ import annotations

from fixtures.drivers.rp_session import RpSession
from fixtures.oracle import masked_id_number
from fixtures.verdicts import check
from suites.eligibility.login_model import LoginModel

__all__ = ["LoginModel", "lockout_counts_hold", "never_logged_in_as_another_person",
           "never_logged_in_without_level_2"]


def never_logged_in_as_another_person(model: LoginModel, session: RpSession) -> None:
    """A session names only someone who logged in on this phone (N-FLOW-4: the same person)."""
    __tracebackhide__ = True
    if session.logged_in:
        earned = [p.id_number for p in model.people.values()
                  if masked_id_number(p.id_number) in model.earned_sessions]
        check(any(session.is_of(id_number) for id_number in earned), "N-FLOW-4",
              "a VssID session only for someone who completed a VNeID login on this phone "
              f"({', '.join(sorted(model.earned_sessions)) or 'nobody has'})", session.shown)


def never_logged_in_without_level_2(model: LoginModel, session: RpSession) -> None:
    """A session's person has a level 2 VNeID account (N-ELIG-2)."""
    __tracebackhide__ = True
    if session.logged_in:
        holders = [(k, p.level) for k, p in model.people.items() if session.is_of(p.id_number)]
        key, level = holders[0] if holders else ("someone the machine did not place", None)
        check(level == 2, "N-ELIG-2", "a VssID session only for a level 2 VNeID account",
              f"{session.shown} ({key}, level {level})")


def lockout_counts_hold(model: LoginModel, records: dict[str, tuple[int, str | None]]) -> None:
    """VNeID counts each person's wrong passwords and passcodes, and locks the account at the
    threshold (IDP-13). `records`: persona key → (VNeID's failure count, VNeID's status)."""
    __tracebackhide__ = True
    for key in model.people:
        failures, status = records[key]
        counted = model.failures.get(key, 0)
        expected_status = model.expected_status(key)
        check(status == expected_status, "IDP-13",
              f"{key}'s VNeID account {expected_status} after {counted} wrong attempt(s) "
              f"since their last complete login (threshold {model.threshold})",
              f"status {status!r}")
        if key not in model.locked:
            check(failures == counted, "IDP-13",
                  f"VNeID counting {counted} wrong attempt(s) for {key} since their last "
                  "complete login (a passcode typed on someone's passcode screen counts for "
                  "that screen's owner)",
                  f"{failures} counted")
