"""What the IdP hands back: iss, state, level, cancel (IDP-05, IDP-06, IDP-07, IDP-12)."""

from __future__ import annotations

import json

import pytest

from fixtures.checks import ConformanceFailure, check, fail, needs, should
from fixtures.drivers.rp_journey import HandOver
from fixtures.systems import not_applicable

# Characters a state may hold that careless servers re-encode, trim or cut.
TRICKY_STATE = "st.ate~with-_every%char/+=&?" + "z" * 200


def _hand_back(idp_screens, request, person, consent=True) -> HandOver:
    __tracebackhide__ = True
    back = idp_screens.log_in(request.url, person, consent=consent)
    needs(isinstance(back, HandOver), f"a hand-back to the client after the login (the phone "
          f"shows {back!r})", fix="check the persona's credentials and the IdP's screens in "
          "[idp.locators]")
    return back


@pytest.mark.req("IDP-05")
def test_iss_on_success_and_advertised(kit_rp, idp_screens, personas):
    # The issuer the relying party was configured with (IDP-09 checks discovery agrees).
    issuer = kit_rp.issuer
    if kit_rp.metadata.get("authorization_response_iss_parameter_supported") is not True:
        raise ConformanceFailure("IDP-05", "authorization_response_iss_parameter_supported: true",
                                 repr(kit_rp.metadata.get(
                                     "authorization_response_iss_parameter_supported")))
    back = _hand_back(idp_screens, kit_rp.authorization_request(), personas["l2_active"])
    if back.param("iss") != issuer:
        raise ConformanceFailure("IDP-05", f"iss={issuer!r} with the code",
                                 f"iss={back.param('iss')!r}")


@pytest.mark.req("IDP-05", "IDP-06", "IDP-10", "IDP-12")
def test_cancel_returns_access_denied_with_state_and_iss(kit_rp, idp_screens, personas):
    request = kit_rp.authorization_request()
    login = idp_screens.login()
    back = login.follow(request.url, personas["l2_active"], consent=False)
    needs(isinstance(back, HandOver), f"a hand-back to the client after the login (the phone "
          f"shows {back!r})", fix="check the persona's credentials and the IdP's screens in "
          "[idp.locators]")
    check(login.asked_consent, "IDP-10", "a consent screen the person can decline before any "
          "hand-back", f"a hand-back without asking (the login went {login.path})")
    if back.param("code"):
        raise ConformanceFailure("IDP-12", "no code after the person declined", "a code")
    if back.param("error") != "access_denied":
        raise ConformanceFailure("IDP-12", "error=access_denied", f"error={back.param('error')!r}")
    if back.param("state") != request.state:
        raise ConformanceFailure("IDP-12", "the request's state", "another or no state")
    if back.param("iss") != kit_rp.issuer:
        raise ConformanceFailure("IDP-05", "iss on the error response too",
                                 f"iss={back.param('iss')!r}")


@pytest.mark.req("IDP-06")
@pytest.mark.parametrize("state", ["plain-state-value-1234567890", TRICKY_STATE],
                         ids=["simple", "tricky-characters"])
def test_state_is_echoed_unchanged(kit_rp, idp_screens, personas, state):
    request = kit_rp.authorization_request(state=state)
    back = _hand_back(idp_screens, request, personas["l2_active"])
    if back.param("state") != state:
        raise ConformanceFailure("IDP-06", f"state of {len(state)} characters echoed unchanged",
                                 "a different state" if back.param("state") else "no state")


LEVEL1_REFUSALS = ("unmet_authentication_requirements", "access_denied")


def _acr_issued(kit_rp, request, code: str) -> str | None:
    """The acr of the ID token the IdP issues for `code` (None when it issues none)."""
    response = kit_rp.redeem(code, request.verifier)
    if response.status_code != 200 or "id_token" not in response.text:
        return None
    return kit_rp.verify_id_token(response.json()["id_token"]).get("acr")


@pytest.mark.req("IDP-07")
def test_a_level1_account_gets_an_error_not_a_lower_token(kit_rp, idp_screens, personas,
                                                          target):
    """Level 2 asked with acr_values (a voluntary request, OIDC Core §3.1.2.1): an error is
    what the notice wants (a SHOULD of the catalogue); a token claiming level 2 is a lie."""
    request = kit_rp.authorization_request()
    back = _hand_back(idp_screens, request, personas["l1_active"])
    code = back.param("code")
    if code:
        acr = _acr_issued(kit_rp, request, code)
        check(acr != target.profile.acr_level2, "IDP-07",
              "never a token claiming level 2 for a level 1 account",
              f"an ID token with acr {acr!r} for a level 1 account", clause="OIDC Core §2")
        should(False, "IDP-07/error-for-voluntary-acr",
               "an error for a level 1 account asked for level 2 by acr_values",
               f"a code, and an ID token with acr {acr!r} (the relying party must refuse it: "
               "RP-13)")
        return
    check(back.param("error") in LEVEL1_REFUSALS, "IDP-07", " or ".join(LEVEL1_REFUSALS),
          f"error={back.param('error')!r}")


@pytest.mark.req("IDP-07")
def test_a_level1_account_asked_for_level2_as_an_essential_claim_gets_an_error(
        kit_rp, idp_screens, personas, target):
    """Level 2 asked as an essential acr claim: the IdP MUST treat a level it cannot meet as a
    failed authentication (OIDC Core §5.5.1.1), never issue a token."""
    if kit_rp.metadata.get("claims_parameter_supported") is not True:
        not_applicable("the IdP does not advertise the claims parameter "
                       "(claims_parameter_supported), through which level 2 is asked as an "
                       "essential acr claim; the voluntary request (acr_values) is judged by "
                       "test_a_level1_account_gets_an_error_not_a_lower_token")
    claims = json.dumps({"id_token": {"acr": {"essential": True,
                                              "values": [target.profile.acr_level2]}}})
    request = kit_rp.authorization_request(claims=claims)
    back = _hand_back(idp_screens, request, personas["l1_active"])
    if back.param("code"):
        acr = _acr_issued(kit_rp, request, back.param("code"))
        fail("IDP-07", "an error for a level 1 account asked for level 2 as an essential acr "
             "claim (a failed authentication)", f"a code, and an ID token with acr {acr!r}",
             clause="OIDC Core §5.5.1.1")
    check(back.param("error") in LEVEL1_REFUSALS, "IDP-07", " or ".join(LEVEL1_REFUSALS),
          f"error={back.param('error')!r}", clause="OIDC Core §5.5.1.1")
