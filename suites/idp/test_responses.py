"""What the IdP hands back: iss, state, level, cancel (IDP-05, IDP-06, IDP-07, IDP-12)."""

from __future__ import annotations

import pytest

from fixtures.checks import ConformanceFailure, needs
from fixtures.drivers.rp_journey import HandOver

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


@pytest.mark.req("IDP-05", "IDP-06", "IDP-12")
def test_cancel_returns_access_denied_with_state_and_iss(kit_rp, idp_screens, personas):
    request = kit_rp.authorization_request()
    back = _hand_back(idp_screens, request, personas["l2_active"], consent=False)
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


@pytest.mark.req("IDP-07")
def test_a_level1_account_gets_an_error_not_a_lower_token(kit_rp, idp_screens, personas):
    request = kit_rp.authorization_request()
    back = _hand_back(idp_screens, request, personas["l1_active"])
    if back.param("code"):
        raise ConformanceFailure("IDP-07", "an error for a level 1 account asked for level 2",
                                 "a code (a token of a lower level would follow)")
    if back.param("error") not in ("unmet_authentication_requirements", "access_denied"):
        raise ConformanceFailure("IDP-07", "unmet_authentication_requirements or access_denied",
                                 f"error={back.param('error')!r}")
