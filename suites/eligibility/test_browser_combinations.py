"""A few representative combinations through the real browser journey, one screenshot each.

One attempt per outcome, taken from the pairwise selection where it has one; the number of
outcomes grows with the tier (the exhaustive check is the HTTP suite's job).
"""

from __future__ import annotations

import pytest

from fixtures.config import TARGET_KEY
from fixtures.oracle import Minimums, Outcome, expected_outcome
from suites.eligibility.attempt_player import AttemptPlayer
from suites.eligibility.checks import outcome_matches_oracle
from suites.eligibility.combinations import every_attempt, label, pairwise, requirements_of

OUTCOMES_BY_TIER = {
    "smoke": (Outcome.LOGGED_IN, Outcome.LEVEL2_REQUIRED),
    "full": (Outcome.LOGGED_IN, Outcome.LEVEL2_REQUIRED, Outcome.NO_VSSID_ACCOUNT,
             Outcome.VNEID_UPDATE_REQUIRED, Outcome.VSSID_UPDATE_REQUIRED),
    "release": tuple(Outcome),
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "browser_attempt" not in metafunc.fixturenames:
        return
    profile = metafunc.config.stash[TARGET_KEY].profile
    minimums = Minimums(vssid=profile.vssid_min_version, vneid=profile.vneid_min_version)
    everything = list(every_attempt(minimums))
    preferred = pairwise(everything) + everything
    chosen = []
    for outcome in OUTCOMES_BY_TIER[metafunc.config.getoption("--tier")]:
        chosen.append(next(a for a in preferred if expected_outcome(a, minimums) is outcome))
    metafunc.parametrize("browser_attempt", [
        pytest.param(a, id=label(a), marks=pytest.mark.req(
            *requirements_of(expected_outcome(a, minimums)))) for a in chosen])


def test_representative_attempt_in_the_browser(browser_attempt, phone, desk, minimums):
    expected = expected_outcome(browser_attempt, minimums)
    player = AttemptPlayer(phone, desk,
                           at_the_end=lambda screen: phone.capture(f"Kết quả — {expected.value}"),
                           minimums=minimums)
    person, observed = player.play(browser_attempt)
    outcome_matches_oracle(browser_attempt, expected, observed, person)
