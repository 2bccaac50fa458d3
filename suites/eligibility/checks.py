"""The eligibility checks: an observed attempt against the oracle's outcome, expected vs actual.

A mismatch names only the requirement it breaks (`combinations.broken_by`): a level 2 person
refused as level 1 breaks N-ELIG-2, a VssID 1.6.7 refused as too old breaks N-VER-2, a level 1
person let in breaks N-ELIG-2. The evidence is the attempt (states, versions: no credentials),
the steps played and the end screen's URL with its secrets redacted.
"""

from __future__ import annotations

from fixtures.oracle import Attempt, Outcome, masked_id_number
from fixtures.person_desks import PlacedPerson
from fixtures.redaction import redact_url
from fixtures.verdicts import fail
from suites.eligibility.attempt_player import DECLINED, Observed
from suites.eligibility.combinations import broken_by, no_session_requirements


def _evidence(attempt: Attempt, observed: Observed) -> str:
    return f"attempt: {attempt}; {observed.describe()}; at {redact_url(observed.url)}"


def outcome_matches_oracle(attempt: Attempt, expected: Outcome, observed: Observed,
                           person: PlacedPerson) -> None:
    """The attempt ends on the oracle's outcome; a session exists only for LOGGED_IN, and
    then it is the same person's (N-ELIG-1/2, N-VER-1/2, N-FLOW-2/3/4, IDP-12, RP-14)."""
    __tracebackhide__ = True
    evidence = _evidence(attempt, observed)
    if expected is Outcome.LEVEL2_REQUIRED and observed.outcome == Outcome.CANCELLED and \
            DECLINED in observed.story:
        # The IdP asked a level 1 account for consent (it leaves the level to the relying
        # party: acr_values is a voluntary request), and the person declined before VssID
        # could judge the level: cancelled, with no session, is what a person would expect.
        expected = Outcome.CANCELLED
    if observed.outcome != expected:
        fail(broken_by(expected, observed.outcome), f"outcome {expected.value!r}",
             f"outcome {observed.outcome!r} on {observed.screen!r}", evidence=evidence)
    if expected is Outcome.LOGGED_IN:
        if not observed.session.is_of(person.id_number):
            fail("N-FLOW-4", "VssID's session as the person who logged in "
                 f"({masked_id_number(person.id_number)})", observed.session.shown,
                 evidence=evidence)
    elif observed.logged_in:
        fail(no_session_requirements(expected), f"outcome {expected.value!r} and no session",
             f"outcome {expected.value!r} with {observed.session.shown}", evidence=evidence)
