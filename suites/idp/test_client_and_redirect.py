"""Who the IdP hands back to: exact redirect_uri, known clients only (IDP-01, IDP-02, IDP-10)."""

from __future__ import annotations

import pytest

from fixtures.checks import ConformanceFailure, needs
from fixtures.drivers.rp_journey import HandOver
from fixtures.drivers.screens import VneidConsent, VneidLogin, VneidPasscode


def _never_redirects(screens, url: str, requirement: str) -> None:
    __tracebackhide__ = True
    where = screens.open(url)
    if isinstance(where, HandOver):
        raise ConformanceFailure(requirement, "an error page at the IdP, never a redirect",
                                 f"a redirect to {where.url.split('?')[0]}")
    if isinstance(where, VneidLogin):
        raise ConformanceFailure(requirement, "an error page at the IdP",
                                 "the login screen (the request was accepted)")


@pytest.mark.req("IDP-01", "IDP-02")
@pytest.mark.parametrize(
    "change",
    ["/extra", "x", "?next=https://attacker.invalid", "/../evil", "#frag", "%2F"],
    ids=["path-suffix", "char-suffix", "extra-query", "dot-segment", "fragment", "encoded"],
)
def test_redirect_uri_must_match_exactly(kit_rp, idp_screens, change):
    registered = kit_rp.client.redirect_uri
    request = kit_rp.authorization_request(redirect_uri=registered + change)
    _never_redirects(idp_screens, request.url, "IDP-01")


@pytest.mark.req("IDP-01", "IDP-02")
def test_a_different_host_is_refused(kit_rp, idp_screens):
    request = kit_rp.authorization_request(redirect_uri="https://attacker.invalid/app/vneid/callback")
    _never_redirects(idp_screens, request.url, "IDP-01")


@pytest.mark.req("IDP-02")
def test_an_unknown_client_gets_an_error_page(kit_rp, idp_screens):
    request = kit_rp.authorization_request(client_id="not-a-registered-client")
    _never_redirects(idp_screens, request.url, "IDP-02")


@pytest.mark.req("IDP-02")
def test_a_missing_client_id_gets_an_error_page(kit_rp, idp_screens):
    request = kit_rp.authorization_request(drop=("client_id",))
    _never_redirects(idp_screens, request.url, "IDP-02")


@pytest.mark.req("IDP-10", "IDP-11")
def test_consent_names_the_client_before_any_hand_back(kit_rp, idp_screens, personas):
    person = personas["l2_active"]
    screen = idp_screens.open(kit_rp.authorization_request().url)
    needs(isinstance(screen, VneidLogin), f"VNeID's login screen for a correct request "
          f"(the phone shows {screen!r})", fix="describe the IdP's login screen in [idp.locators]")
    screen = screen.log_in(person.id_number, person.password)
    needs(isinstance(screen, VneidPasscode), f"the passcode screen after the password "
          f"(the phone shows {screen!r})", fix="describe the IdP's passcode screen in "
          "[idp.locators]")
    screen = screen.enter(person.passcode)
    screen = HandOver(idp_screens.driver.current_url()) if idp_screens.driver.left_the_apps \
        else screen
    if not isinstance(screen, VneidConsent):
        raise ConformanceFailure("IDP-10", "a consent screen before handing back",
                                 f"{screen!r}" if not isinstance(screen, HandOver)
                                 else "a hand-back without asking")
    if "VssID" not in screen.client_name:
        raise ConformanceFailure("IDP-11", "the consent screen naming the client (VssID)",
                                 f"{screen.client_name!r}")
