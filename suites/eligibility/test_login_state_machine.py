"""Sequences of user actions (Hypothesis state machine) and the lockout, against the model."""

from __future__ import annotations

import pytest
from hypothesis.stateful import run_state_machine_as_test

from fixtures.drivers.screens import VneidLogin, expect_screen
from fixtures.oracle import Outcome
from fixtures.verdicts import check
from suites.eligibility.attempt_player import wrong
from suites.eligibility.login_machine import LoginMachine, LoginSystem


def people_of(desk, personas):
    """Two level 2 people with active VssID accounts, and one level 1 person."""
    holders = [p for p in personas.values() if p.vssid_account == "active"]
    if len(holders) < 3:
        pytest.skip("the target needs three personas with an active VssID account")
    return {
        "a": desk.place_as(holders[0], level=2, vneid_status="active"),
        "b": desk.place_as(holders[1], level=2, vneid_status="active"),
        "level1": desk.place_as(holders[2], level=1, vneid_status="active"),
    }


def login_system(new_http_phone, desk, personas, target, systems, stub_clock) -> LoginSystem:
    """The systems under test as the login machine drives them."""
    return LoginSystem(
        new_phone=new_http_phone, desk=desk, people=people_of(desk, personas),
        threshold=target.profile.lockout_threshold,
        callback_url=systems.redirect_uri,
        advance_clock=stub_clock.advance,
    )


@pytest.mark.hypothesis
@pytest.mark.req("N-ELIG-2", "N-FLOW-2", "N-FLOW-3", "N-FLOW-4", "IDP-12", "IDP-13", "RP-14",
                 "RP-19")
def test_no_sequence_of_actions_breaks_the_rules(new_http_phone, desk, personas, target,
                                                systems, stub_clock):
    system = login_system(new_http_phone, desk, personas, target, systems, stub_clock)
    run_state_machine_as_test(lambda: LoginMachine(system))


@pytest.mark.req("IDP-13", "N-FLOW-3")
def test_wrong_passwords_lock_the_account_at_the_threshold(http_phone, desk, personas, target):
    person = people_of(desk, personas)["a"]
    threshold = target.profile.lockout_threshold
    login = expect_screen(http_phone.open_vssid().choose_vneid_login(), VneidLogin)
    for attempt in range(1, threshold + 1):
        screen = login.log_in(person.id_number, wrong(person.password))
        expected = Outcome.VNEID_LOCKED if attempt == threshold \
            else Outcome.VNEID_BAD_CREDENTIALS
        # Locked too early or too late breaks the lockout rule; any other answer to a wrong
        # password breaks the login step.
        check(screen.outcome == expected,
              "IDP-13" if Outcome.VNEID_LOCKED in (expected, screen.outcome) else "N-FLOW-3",
              f"outcome {expected.value!r} after wrong password #{attempt} of {threshold}",
              f"outcome {screen.outcome!r} ({screen!r})")
        if attempt < threshold:
            login = expect_screen(screen, VneidLogin)
    status = desk.vneid_status(person.id_number)
    check(status == "locked", "IDP-13",
          f"VNeID holding the account as 'locked' after {threshold} wrong passwords",
          f"status {status!r}")
    again = expect_screen(http_phone.open_vssid().choose_vneid_login(), VneidLogin)
    screen = again.log_in(person.id_number, person.password)
    check(screen.outcome == Outcome.VNEID_LOCKED, "IDP-13",
          "outcome 'VNEID_LOCKED' for the right password once the account is locked",
          f"outcome {screen.outcome!r} ({screen!r}): the right password still gets in")
    session = http_phone.vssid_session()
    check(not session.logged_in, "IDP-13", "no VssID session for a locked account",
          session.shown)
