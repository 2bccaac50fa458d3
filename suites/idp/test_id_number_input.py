"""The ID number field of VNeID's login: exactly 12 digits, kept as a string (APP-07)."""

from __future__ import annotations

import unicodedata

import pytest

from fixtures.checks import ConformanceFailure, should
from fixtures.drivers.screens import VneidLogin


def _went_on(after) -> bool:
    """The IdP took the ID number: any screen past the login (a second factor, a consent, the
    hand-back), whatever steps the IdP has."""
    return not isinstance(after, VneidLogin) and after.outcome not in (
        "VNEID_BAD_CREDENTIALS", "VNEID_LOCKED", "PROTOCOL_ERROR")


def _login_screen(kit_rp, idp_screens) -> VneidLogin:
    __tracebackhide__ = True
    idp_screens.forget_session()  # the login screen, not a person the IdP remembers
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
    if _went_on(after) and len(typed) > 12 and field_limit == "12":
        return  # in a browser the field itself cannot hold a 13th digit; the server's own
        # refusal is what the run over HTTP (no maxlength) checks
    if _went_on(after) and unicodedata.normalize("NFKC", typed) == person.id_number:
        # Unicode normalisation (NFKC) makes the typed text the person's own 12 ASCII digits:
        # the right person, from input that is not what the field asks for.
        should(False, "APP-07/refused-as-input", f"{typed!r} refused as input",
               "accepted as the person's ID number after Unicode normalisation (NFKC)")
        return
    if _went_on(after):
        raise ConformanceFailure("APP-07", f"{typed!r} refused as an ID number",
                                 f"the login went on ({after!r})")
    # Refused as input, before any credential check, saying so: not "wrong ID number or
    # password" (which refuses it too, but counts towards the person's lockout) — a SHOULD.
    should(after.outcome != "VNEID_BAD_CREDENTIALS", "APP-07/refused-as-input",
           f"{typed!r} refused as not a 12-digit ID number",
           "tried as credentials (VNEID_BAD_CREDENTIALS)")
    if after.outcome != "VNEID_BAD_CREDENTIALS":
        should(isinstance(after, VneidLogin) and bool(after.form_error),
               "APP-07/refused-as-input", "the login screen again, saying what is wrong",
               repr(after))


@pytest.mark.req("APP-07")
def test_leading_zeros_are_kept(kit_rp, idp_screens, personas):
    """An ID number starting with 0 logs in as typed; the same digits without the zeros do not."""
    person = personas["l1_active"]  # 001095004321: province 001 (Hà Nội)
    if not person.id_number.startswith("0"):
        pytest.fail("the persona l1_active must have an ID number with leading zeros")
    after = _login_screen(kit_rp, idp_screens).log_in(person.id_number, person.password)
    if not _went_on(after):
        raise ConformanceFailure("APP-07", f"{person.id_number[:3]}… accepted with its leading "
                                 "zeros", repr(after))
    stripped = person.id_number.lstrip("0")
    again = _login_screen(kit_rp, idp_screens).log_in(stripped, person.password)
    if _went_on(again):
        raise ConformanceFailure("APP-07", "the ID number without its leading zeros refused",
                                 "accepted as the same person (the number was read as an integer)")
