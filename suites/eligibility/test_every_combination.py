"""Every combination of the finite account-state space, over HTTP, against the oracle.

VNeID installed or not, its version and VssID's below/at/above each minimum, VNeID level,
status, right or wrong credentials, consent given or declined, and each VssID account state:
each attempt is played on a fresh phone, screen by screen, and must end on the outcome
`expected_outcome` prescribes, with a session only for LOGGED_IN and only as the same person.
At `--tier smoke` a pairwise selection runs instead of all of them.
"""

from __future__ import annotations

import pytest

from fixtures.config import TARGET_KEY
from fixtures.oracle import Minimums, expected_outcome
from suites.eligibility.attempt_player import AttemptPlayer
from suites.eligibility.checks import outcome_matches_oracle
from suites.eligibility.combinations import every_attempt, label, pairwise, requirements_of


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "attempt" not in metafunc.fixturenames:
        return
    profile = metafunc.config.stash[TARGET_KEY].profile
    minimums = Minimums(vssid=profile.vssid_min_version, vneid=profile.vneid_min_version)
    attempts = list(every_attempt(minimums))
    if metafunc.config.getoption("--tier") == "smoke":
        attempts = pairwise(attempts)  # every pair of values still meets once
    metafunc.parametrize("attempt", [
        pytest.param(attempt, id=label(attempt), marks=pytest.mark.req(
            *requirements_of(expected_outcome(attempt, minimums))))
        for attempt in attempts
    ])


def test_attempt_ends_as_the_oracle_says(attempt, http_phone, module_desk, minimums):
    expected = expected_outcome(attempt, minimums)
    person, observed = AttemptPlayer(http_phone, module_desk, minimums=minimums).play(attempt)
    outcome_matches_oracle(attempt, expected, observed, person)
