"""Who the IdP hands back to: exact redirect_uri, known clients only (IDP-01, IDP-02, IDP-10)."""

from __future__ import annotations

import pytest

from fixtures.checks import check, fail, needs
from fixtures.drivers.rp_journey import HandOver
from fixtures.drivers.screens import VneidConsent, VneidLogin
from fixtures.systems import not_applicable
from suites.idp.judging import follow_to_the_end, judge_refusal


def _never_redirects(kit_rp, idp_screens, personas, url: str, ids, what: str) -> None:
    """Judged by the end of the login: an error page, or at most an error response to the
    registered redirect URI; never the browser sent elsewhere, never a code."""
    __tracebackhide__ = True
    end = follow_to_the_end(idp_screens, url, personas["l2_active"])
    judge_refusal(end, kit_rp.client.redirect_uri, ids, what, error_page_key="IDP-02/error-page")


@pytest.mark.req("IDP-01", "IDP-02")
@pytest.mark.parametrize(
    "change",
    ["/extra", "x", "?next=https://attacker.invalid", "/../evil", "#frag", "%2F"],
    ids=["path-suffix", "char-suffix", "extra-query", "dot-segment", "fragment", "encoded"],
)
def test_redirect_uri_must_match_exactly(kit_rp, idp_screens, personas, change):
    registered = kit_rp.client.redirect_uri
    request = kit_rp.authorization_request(redirect_uri=registered + change)
    _never_redirects(kit_rp, idp_screens, personas, request.url, "IDP-01",
                     f"a redirect_uri changed by {change!r}")


@pytest.mark.req("IDP-01", "IDP-02")
def test_a_different_host_is_refused(kit_rp, idp_screens, personas):
    request = kit_rp.authorization_request(redirect_uri="https://attacker.invalid/callback")
    _never_redirects(kit_rp, idp_screens, personas, request.url, "IDP-01",
                     "a redirect_uri on another host")


@pytest.mark.req("IDP-02")
def test_an_unknown_client_gets_an_error_page(kit_rp, idp_screens, personas):
    request = kit_rp.authorization_request(client_id="not-a-registered-client")
    _never_redirects(kit_rp, idp_screens, personas, request.url, "IDP-02", "an unknown client_id")


@pytest.mark.req("IDP-02")
def test_a_missing_client_id_gets_an_error_page(kit_rp, idp_screens, personas):
    request = kit_rp.authorization_request(drop=("client_id",))
    _never_redirects(kit_rp, idp_screens, personas, request.url, "IDP-02", "a missing client_id")


@pytest.mark.req("IDP-10", "IDP-11")
def test_consent_names_the_client_before_any_hand_back(kit_rp, idp_screens, personas, target):
    steps = target.idp.login
    key = "l2_active"
    if steps.consent == "remembered":
        if steps.fresh_consent_persona is None:
            not_applicable("the IdP remembers consent after a first approval (idp.login.consent "
                           "= \"remembered\"), so a persona the kit has logged in before may "
                           "never see the consent screen; declare a persona that has never "
                           "approved the kit's client as idp.login.fresh_consent_persona")
        key = steps.fresh_consent_persona
    person = personas[key]
    login = idp_screens.login()
    screen = login.open(kit_rp.authorization_request().url)
    needs(isinstance(screen, (VneidLogin, VneidConsent)),
          f"VNeID's login screen for a correct request (the phone shows {screen!r})",
          fix="describe the IdP's login screen in [idp.locators]")
    screen = login.go_on(screen, person, stop_at=(VneidConsent,))
    if not isinstance(screen, VneidConsent):
        fail("IDP-10", "a consent screen naming the client before handing back",
             "a hand-back without asking" if isinstance(screen, HandOver) else f"{screen!r}",
             evidence=f"the login went {login.path}")
    check("VssID" in screen.client_name, "IDP-11", "the consent screen naming the client (VssID)",
          f"a consent screen naming {screen.client_name!r}")
