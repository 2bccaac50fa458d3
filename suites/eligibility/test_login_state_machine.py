"""Sequences of user actions (Hypothesis state machine) and the lockout, against the model."""

from __future__ import annotations

import pytest
from hypothesis.stateful import run_state_machine_as_test

from fixtures.drivers.screens import VneidLogin, expect_screen
from suites.eligibility.attempt_player import wrong
from suites.eligibility.login_machine import LoginMachine, LoginSystem


def _people(desk, personas):
    """Two level 2 people with active VssID accounts, and one level 1 person."""
    holders = [p for p in personas.values() if p.vssid_account == "active"]
    if len(holders) < 3:
        pytest.skip("the target needs three personas with an active VssID account")
    return {
        "a": desk.place_as(holders[0], level=2, vneid_status="active"),
        "b": desk.place_as(holders[1], level=2, vneid_status="active"),
        "level1": desk.place_as(holders[2], level=1, vneid_status="active"),
    }


@pytest.mark.hypothesis
@pytest.mark.req("N-ELIG-2", "N-FLOW-4", "IDP-13", "RP-19")
def test_no_sequence_of_actions_breaks_the_rules(new_http_phone, desk, personas, target,
                                                systems, stub_clock):
    system = LoginSystem(
        new_phone=new_http_phone, desk=desk, people=_people(desk, personas),
        threshold=target.profile.lockout_threshold,
        callback_url=f"{systems.vssid_url}/app/vneid/callback",
        advance_clock=stub_clock.advance,
    )
    run_state_machine_as_test(lambda: LoginMachine(system))


@pytest.mark.req("IDP-13", "N-FLOW-3")
def test_wrong_passwords_lock_the_account_at_the_threshold(http_phone, desk, personas, target):
    person = _people(desk, personas)["a"]
    threshold = target.profile.lockout_threshold
    login = expect_screen(http_phone.open_vssid().choose_vneid_login(), VneidLogin)
    for attempt in range(1, threshold + 1):
        screen = login.log_in(person.id_number, wrong(person.password))
        expected = "VNEID_LOCKED" if attempt == threshold else "VNEID_BAD_CREDENTIALS"
        assert screen.outcome == expected, (
            f"wrong password #{attempt} of {threshold}: outcome {screen.outcome!r}, "
            f"expected {expected!r}")
        if attempt < threshold:
            login = expect_screen(screen, VneidLogin)
    assert desk.vneid_status(person.id_number) == "locked"
    again = expect_screen(http_phone.open_vssid().choose_vneid_login(), VneidLogin)
    assert again.log_in(person.id_number, person.password).outcome == "VNEID_LOCKED", (
        "the right password still gets in after the lockout")
    assert http_phone.vssid_session()["logged_in"] is False
