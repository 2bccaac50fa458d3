"""The eligibility checks: an observed attempt against the oracle's outcome, expected vs actual."""

from __future__ import annotations

from fixtures.eligibility import PlacedPerson
from fixtures.oracle import Attempt, Outcome, masked_id_number
from suites.eligibility.attempt_player import Observed


class OutcomeMismatch(AssertionError):
    """The system ended an attempt otherwise than the oracle says; carries both and the story."""

    def __init__(self, attempt: Attempt, expected: str, observed: Observed, why: str) -> None:
        super().__init__(f"{why}\n  attempt:  {attempt}\n  expected: {expected}\n"
                         f"  actual:   {observed.describe()}\n  at: {observed.url}")
        self.attempt, self.expected, self.observed = attempt, expected, observed


def outcome_matches_oracle(attempt: Attempt, expected: Outcome, observed: Observed,
                           person: PlacedPerson) -> None:
    """The attempt ends on the oracle's outcome; a session exists only for LOGGED_IN, and
    then it is the same person's (N-ELIG-1/2, N-VER-1/2, N-FLOW-4)."""
    __tracebackhide__ = True
    if observed.outcome != expected:
        raise OutcomeMismatch(attempt, expected, observed, "the outcome differs from the oracle")
    if expected is Outcome.LOGGED_IN:
        expected_id = masked_id_number(person.id_number)
        if observed.session.get("id_number_masked") != expected_id:
            raise OutcomeMismatch(attempt, f"a session as {expected_id}", observed,
                                  "logged in as someone else")
    elif observed.logged_in:
        raise OutcomeMismatch(attempt, f"{expected} and no session", observed,
                              "a session was opened although the attempt was refused")
