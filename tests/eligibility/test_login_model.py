"""The login state machine's model, alone and replayed against the embedded stubs.

Regression for seed 775583390 (`--tier full`): person a starts a login, b picks up the phone
and logs in with the right password, a picks it up again and types a's passcode — on b's
passcode screen. VNeID rightly says bad credentials (the passcode is checked against b's, and
the wrong attempt counts for b); the model used to expect a's consent screen.
"""

from __future__ import annotations

import pytest

from fixtures.oracle import PROTOCOL_ERROR, Outcome, masked_id_number
from fixtures.person_desks import PlacedPerson
from suites.eligibility.login_machine import LoginMachine
from suites.eligibility.login_model import (
    CONSENT,
    CONSENT_SCREEN,
    IDLE,
    PASSCODE,
    PASSCODE_SCREEN,
    LoginModel,
)
from suites.eligibility.test_login_state_machine import login_system

# The shrunk failing sequence of seed 775583390, as Hypothesis printed it.
SEED_775583390 = [
    ("switch_person", {"key": "a"}),
    ("start", {}),
    ("go_back_to_vssid", {}),
    ("start", {}),
    ("go_back_to_vssid", {}),
    ("start", {}),
    ("switch_person", {"key": "b"}),
    ("log_in", {"right": True}),
    ("switch_person", {"key": "a"}),
    ("enter_passcode", {}),
]


def _person(key: str, digit: str, level: int = 2) -> PlacedPerson:
    return PlacedPerson(key=key, id_number=f"0010950{digit * 5}", name=key,
                        password=f"pw-{key}", passcode=digit * 6, level=level,
                        vneid_status="active", vssid_account="active",
                        social_insurance_code="0" * 10)


def _model(threshold: int = 5) -> LoginModel:
    people = {"a": _person("a", "1"), "b": _person("b", "2"), "level1": _person("level1", "3", 1)}
    return LoginModel(threshold=threshold, people=people, current="a")


def _play(model: LoginModel, steps):
    """Replay machine steps on the model alone; the last step's expectation."""
    do = {"switch_person": lambda key: model.switch(key), "start": model.start,
          "go_back_to_vssid": model.go_back, "log_in": model.log_in,
          "enter_passcode": model.enter_passcode, "consent": model.consent,
          "approve_late": model.approve_late, "replay_callback": model.replay,
          "restart_app": model.restart}
    expected = None
    for name, kwargs in steps:
        expected = do[name](**kwargs)
    return expected


def test_a_passcode_typed_on_someone_elses_passcode_screen_is_bad_credentials():
    model = _model()
    expected = _play(model, SEED_775583390)
    assert expected.outcome == Outcome.VNEID_BAD_CREDENTIALS
    assert expected.screen == PASSCODE_SCREEN
    assert expected.requirements == ("N-FLOW-3",)
    # The wrong attempt counts for the screen's owner, b, not for a who typed it.
    assert model.failures == {"b": 1}
    assert (model.phase, model.owner, model.current) == (PASSCODE, "b", "a")


def test_the_owner_can_still_finish_their_login_and_it_clears_their_count():
    model = _model()
    _play(model, SEED_775583390)
    model.switch("b")
    expected = model.enter_passcode()
    assert (expected.outcome, expected.screen) == (None, CONSENT_SCREEN)
    assert model.failures == {}
    assert model.phase == CONSENT


def test_approving_someone_elses_consent_screen_logs_in_its_owner():
    model = _model()
    _play(model, [("switch_person", {"key": "b"}), ("start", {}), ("log_in", {"right": True}),
                  ("enter_passcode", {}), ("switch_person", {"key": "a"})])
    expected = model.consent(True)
    owner = masked_id_number(model.people["b"].id_number)
    assert expected.outcome == Outcome.LOGGED_IN and expected.requirements == ("N-FLOW-4",)
    assert model.earned_sessions == {owner} and model.last_login == owner
    assert model.phase == IDLE and model.owner is None


def test_a_level1_owner_is_refused_whoever_types_the_passcode():
    model = _model()
    _play(model, [("switch_person", {"key": "level1"}), ("start", {}),
                  ("log_in", {"right": True})])
    expected = model.enter_passcode()
    assert expected.outcome == Outcome.LEVEL2_REQUIRED
    assert expected.requirements == ("N-ELIG-2",)


def test_wrong_passcodes_on_the_owners_screen_lock_the_owner_at_the_threshold():
    model = _model(threshold=3)
    _play(model, [("switch_person", {"key": "b"}), ("start", {}), ("log_in", {"right": True}),
                  ("switch_person", {"key": "a"})])
    outcomes = [model.enter_passcode().outcome for _ in range(3)]
    assert outcomes == [Outcome.VNEID_BAD_CREDENTIALS] * 2 + [Outcome.VNEID_LOCKED]
    assert model.locked == {"b"} and model.phase == IDLE
    assert model.expected_status("b") == "locked" and model.expected_status("a") == "active"
    # b, locked, gets the locked screen even with the right password.
    model.switch("b")
    model.start()
    assert model.log_in(True).requirements == ("IDP-13",)


def test_a_wrong_outcome_names_the_requirement_it_breaks_and_nothing_replays_unearned():
    model = _model()
    model.start()
    right = model.log_in(True)
    assert right.broken_by(None) == ("N-FLOW-3",)
    assert right.broken_by("VNEID_LOCKED") == ("IDP-13",)
    with pytest.raises(ValueError):
        model.replay()


def test_the_late_and_the_replayed_callback_are_refused():
    model = _model()
    _play(model, [("start", {}), ("log_in", {"right": True}), ("enter_passcode", {}),
                  ("consent", {"approve": True}), ("start", {}), ("log_in", {"right": True}),
                  ("enter_passcode", {})])
    assert model.approve_late().outcome == PROTOCOL_ERROR
    assert model.replay().requirements == ("RP-19",)
    model.restart()
    assert model.earned_sessions == set() and model.last_login is None


def _replay_on_the_stubs(machine: LoginMachine, steps) -> None:
    """Run steps as Hypothesis runs a state machine: invariants after init and every step."""
    invariants = (machine.session_belongs_to_someone_who_earned_it, machine.lockout_counts)
    for check in invariants:
        check()
    for name, kwargs in steps:
        getattr(machine, name)(**kwargs)
        for check in invariants:
            check()


def test_seed_775583390_replayed_against_the_embedded_stubs(new_http_phone, desk, personas,
                                                           target, systems, stub_clock):
    machine = LoginMachine(login_system(new_http_phone, desk, personas, target, systems,
                                        stub_clock))
    try:
        _replay_on_the_stubs(machine, SEED_775583390)
        assert machine.phone.driver.body_attribute("data-outcome") == "VNEID_BAD_CREDENTIALS"
        assert machine.model.failures == {"b": 1}
        # b picks the phone up again and finishes their own login: b is logged in.
        _replay_on_the_stubs(machine, [("switch_person", {"key": "b"}), ("enter_passcode", {}),
                                       ("switch_person", {"key": "a"}),
                                       ("consent", {"approve": True}), ("replay_callback", {})])
        assert machine.model.earned_sessions == {
            masked_id_number(machine.model.people["b"].id_number)}
    finally:
        machine.teardown()
