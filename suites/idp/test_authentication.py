"""Wrong passwords and passcodes are counted and lock the account server-side (IDP-13)."""

from __future__ import annotations

import pytest

from fixtures.checks import ConformanceFailure
from fixtures.drivers.screens import VneidLogin, VneidPasscode

# A level 2 person whose lockout harms no other test. The kit resets its VNeID afterwards; an
# external IdP's accounts cannot be unlocked by the kit, so there the tests are not applicable.
LOCKOUT_PERSONA = "l2_no_vssid"


def _locked(screen) -> bool:
    return screen.outcome == "VNEID_LOCKED"


@pytest.mark.req("IDP-13")
def test_wrong_passwords_lock_the_account(kit_rp, idp_screens, personas, target, kit_vneid):
    person = personas[LOCKOUT_PERSONA]
    threshold = target.profile.lockout_threshold
    for attempt in range(1, threshold + 1):
        screen = idp_screens.open(kit_rp.authorization_request().url)
        if not isinstance(screen, VneidLogin):
            raise ConformanceFailure("IDP-13", f"the login screen for attempt {attempt}",
                                     repr(screen))
        screen = screen.log_in(person.id_number, person.password + "-wrong")
        if _locked(screen) and attempt < threshold:
            raise ConformanceFailure("IDP-13", f"a lock after {threshold} wrong passwords",
                                     f"locked after {attempt}")
    screen = idp_screens.open(kit_rp.authorization_request().url)
    if isinstance(screen, VneidLogin):
        screen = screen.log_in(person.id_number, person.password)
    if not _locked(screen):
        raise ConformanceFailure("IDP-13", f"the account locked after {threshold} wrong "
                                 "passwords, even for the right one", repr(screen))


@pytest.mark.req("IDP-13")
def test_wrong_passcodes_lock_the_account(kit_rp, idp_screens, personas, target, kit_vneid):
    person = personas[LOCKOUT_PERSONA]
    threshold = target.profile.lockout_threshold
    wrong = "000000" if person.passcode != "000000" else "111111"
    screen = None
    for _ in range(threshold):
        screen = idp_screens.open(kit_rp.authorization_request().url)
        screen = screen.log_in(person.id_number, person.password)
        if not isinstance(screen, VneidPasscode):
            break
        screen = screen.enter(wrong)
    screen = idp_screens.open(kit_rp.authorization_request().url)
    if isinstance(screen, VneidLogin):
        screen = screen.log_in(person.id_number, person.password)
    if not _locked(screen):
        raise ConformanceFailure("IDP-13", f"the account locked after {threshold} wrong "
                                 "passcodes", repr(screen))
