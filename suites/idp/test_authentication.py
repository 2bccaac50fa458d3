"""Wrong passwords and passcodes are counted and lock the account server-side (IDP-13)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest

from fixtures.checks import ConformanceFailure, KitError
from fixtures.drivers.idp_login import second_factor_code
from fixtures.drivers.screens import VneidLogin, VneidPasscode
from fixtures.systems import not_applicable

# The kit's own VNeID: a level 2 person whose lockout harms no other test (the kit resets its
# VNeID afterwards). An external IdP: a persona its target marks `lockable = true`.
LOCKOUT_PERSONA = "l2_no_vssid"


def _locked(screen) -> bool:
    return screen.outcome == "VNEID_LOCKED"


@pytest.fixture
def lockable(request: pytest.FixtureRequest, systems, personas, target) -> Iterator:
    """A person the test may lock: at the kit's VNeID reset afterwards; at an external IdP a
    persona declared lockable, unlocked afterwards by the target's idp.unlock_command."""
    if systems.vneid_embedded:
        request.getfixturevalue("kit_vneid")
        yield personas[LOCKOUT_PERSONA]
        return
    person = next((p for p in target.persona if p.lockable), None)
    if person is None:
        not_applicable("this check locks an account, and the target marks no persona the kit "
                       "may lock; add one with lockable = true (and, so it comes back, "
                       "idp.unlock_command)")
    try:
        yield person
    finally:
        _unlock(target, person)


def _unlock(target, person) -> None:
    command = target.idp.unlock_command
    if not command:
        return
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "VNEID_KIT_UNLOCK_ID_NUMBER": person.id_number})
    if done.returncode != 0:
        raise KitError(f"idp.unlock_command exited {done.returncode}: persona "
                       f"{person.key!r} may stay locked", fix="check the command in the target")


def _login_screen(kit_rp, idp_screens, attempt: int) -> VneidLogin:
    __tracebackhide__ = True
    idp_screens.forget_session()
    screen = idp_screens.open(kit_rp.authorization_request().url)
    if not isinstance(screen, VneidLogin):
        raise ConformanceFailure("IDP-13", f"the login screen for attempt {attempt}",
                                 repr(screen))
    return screen


@pytest.mark.req("IDP-13")
def test_wrong_passwords_lock_the_account(kit_rp, idp_screens, lockable, target):
    person = lockable
    threshold = target.profile.lockout_threshold
    for attempt in range(1, threshold + 1):
        screen = _login_screen(kit_rp, idp_screens, attempt)
        screen = screen.log_in(person.id_number, person.password + "-wrong")
        if _locked(screen) and attempt < threshold:
            raise ConformanceFailure("IDP-13", f"a lock after {threshold} wrong passwords",
                                     f"locked after {attempt}")
    idp_screens.forget_session()
    screen = idp_screens.open(kit_rp.authorization_request().url)
    if isinstance(screen, VneidLogin):
        screen = screen.log_in(person.id_number, person.password)
    if not _locked(screen):
        raise ConformanceFailure("IDP-13", f"the account locked after {threshold} wrong "
                                 "passwords, even for the right one", repr(screen))


@pytest.mark.req("IDP-13")
def test_wrong_passcodes_lock_the_account(kit_rp, idp_screens, lockable, target):
    person = lockable
    steps = target.idp.login
    if steps.second_factor == "none":
        not_applicable("the IdP has no second factor (idp.login.second_factor = \"none\")")
    threshold = target.profile.lockout_threshold
    right = second_factor_code(person, steps) or ""
    wrong = "".join(str((int(c) + 1) % 10) if c.isdigit() else c for c in right) or "000000"
    screen = None
    for attempt in range(1, threshold + 1):
        screen = _login_screen(kit_rp, idp_screens, attempt)
        screen = screen.log_in(person.id_number, person.password)
        if not isinstance(screen, VneidPasscode):
            break
        screen = screen.enter(wrong)
    idp_screens.forget_session()
    screen = idp_screens.open(kit_rp.authorization_request().url)
    if isinstance(screen, VneidLogin):
        screen = screen.log_in(person.id_number, person.password)
    if not _locked(screen):
        raise ConformanceFailure("IDP-13", f"the account locked after {threshold} wrong "
                                 "passcodes", repr(screen))
