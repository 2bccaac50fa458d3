"""The ID number field of VNeID's login: exactly 12 digits, kept as a string (APP-07)."""

from __future__ import annotations

import pytest

from fixtures.checks import ConformanceFailure
from fixtures.drivers.screens import VneidLogin, VneidPasscode


def _login_screen(kit_rp, idp_screens) -> VneidLogin:
    __tracebackhide__ = True
    screen = idp_screens.open(kit_rp.authorization_request().url)
    if not isinstance(screen, VneidLogin):
        raise ConformanceFailure("APP-07", "VNeID's login screen", repr(screen))
    return screen


@pytest.mark.req("APP-07")
@pytest.mark.parametrize(
    "typed",
    ["084190345", "08419001234", "0841900123456", "08419001234a", "0841 9001 2345",
     "０８４１９００１２３４５", "+84190012345"],
    ids=["old-9-digit-cmnd", "11-digits", "13-digits", "letter", "spaces", "fullwidth-digits",
         "sign"],
)
def test_anything_but_12_ascii_digits_is_refused_with_a_message(kit_rp, idp_screens, personas,
                                                                 typed):
    person = personas["l2_active"]
    screen = _login_screen(kit_rp, idp_screens)
    field_limit = screen.driver.attribute("id-number", "maxlength")
    after = screen.log_in(typed, person.password)
    if isinstance(after, VneidPasscode) and len(typed) > 12 and field_limit == "12":
        return  # in a browser the field itself cannot hold a 13th digit; the server's own
        # refusal is what the run over HTTP (no maxlength) checks
    if isinstance(after, VneidPasscode) or after.outcome == "LOGGED_IN":
        raise ConformanceFailure("APP-07", f"{typed!r} refused as an ID number",
                                 "the login went on to the passcode")
    if not isinstance(after, VneidLogin) or not after.form_error:
        raise ConformanceFailure("APP-07", "the login screen again, saying what is wrong",
                                 repr(after))
    # Refused as input, before any credential check: not "wrong ID number or password" (which
    # would also count towards the person's lockout).
    if after.outcome == "VNEID_BAD_CREDENTIALS":
        raise ConformanceFailure("APP-07", f"{typed!r} refused as not a 12-digit ID number",
                                 "tried as credentials (VNEID_BAD_CREDENTIALS)")


@pytest.mark.req("APP-07")
def test_leading_zeros_are_kept(kit_rp, idp_screens, personas):
    """An ID number starting with 0 logs in as typed; the same digits without the zeros do not."""
    person = personas["l1_active"]  # 001095004321: province 001 (Hà Nội)
    if not person.id_number.startswith("0"):
        pytest.fail("the persona l1_active must have an ID number with leading zeros")
    after = _login_screen(kit_rp, idp_screens).log_in(person.id_number, person.password)
    if not isinstance(after, VneidPasscode):
        raise ConformanceFailure("APP-07", f"{person.id_number[:3]}… accepted with its leading "
                                 "zeros", repr(after))
    stripped = person.id_number.lstrip("0")
    again = _login_screen(kit_rp, idp_screens).log_in(stripped, person.password)
    if isinstance(again, VneidPasscode):
        raise ConformanceFailure("APP-07", "the ID number without its leading zeros refused",
                                 "accepted as the same person (the number was read as an integer)")
