"""The relying party's own session: a new id at login, a cookie a script cannot read or another
site send, and a logout that ends it on the server (RP-22, RP-23, RP-24).

Read the way a person's browser holds it: the cookies the RP set (`Set-Cookie`, as served),
copied into another phone's jar — what someone who planted or read them would hold — and the
session asked of the RP with them (its session endpoint or page, fixtures/drivers/rp_session.py).
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable
from http.cookiejar import Cookie
from urllib.parse import urlsplit

import httpx
import pytest

from fixtures.checks import logged_in
from fixtures.drivers.rp_journey import RpJourney, expect_screen_or_link
from fixtures.verdicts import check, needs


class SetCookies:
    """Every `Set-Cookie` the relying party's origin sent to one phone, in order."""

    def __init__(self, journey: RpJourney) -> None:
        self.origin = journey.vssid_url
        self.headers: list[str] = []
        journey.client.event_hooks["response"].append(self._record)

    def _record(self, response: httpx.Response) -> None:
        url = str(response.request.url)
        if url.startswith(self.origin):
            self.headers += response.headers.get_list("set-cookie")

    def names(self) -> set[str]:
        return {_parse(header)[0] for header in self.headers}

    def last(self, name: str) -> dict[str, str] | None:
        """The attributes of the last `Set-Cookie` for `name` (lower-case keys), or None."""
        found = None
        for header in self.headers:
            cookie_name, attributes = _parse(header)
            if cookie_name == name:
                found = attributes
        return found


def _parse(header: str) -> tuple[str, dict[str, str]]:
    """A Set-Cookie header's name and attributes (RFC 6265 §5.2: ';'-separated, names folded)."""
    first, *rest = header.split(";")
    name = first.split("=", 1)[0].strip()
    attributes = {}
    for part in rest:
        key, _, value = part.strip().partition("=")
        attributes[key.strip().lower()] = value.strip()
    return name, attributes


def _rp_cookies(journey: RpJourney, names: set[str]) -> list[Cookie]:
    host = urlsplit(journey.vssid_url).hostname
    return [c for c in journey.client.cookies.jar if c.name in names
            and c.domain.lstrip(".") == host]


def _phone_holding(make_rp: Callable[[], RpJourney], cookies: list[Cookie]) -> RpJourney:
    """Another phone with exactly these cookies in its jar."""
    other = make_rp()
    for cookie in cookies:
        other.client.cookies.jar.set_cookie(copy.copy(cookie))
    return other


def session_cookies(journey: RpJourney, sent: SetCookies,
                    make_rp: Callable[[], RpJourney]) -> set[str]:
    """Which of the RP's cookies hold the logged-in session: those without which another phone
    holding the rest reads no session (all of them, if no single one is needed)."""
    names = sent.names()
    needs(names, "the relying party set no cookie during the login, so the kit cannot tell "
                 "what holds its session")
    cookies = _rp_cookies(journey, names)
    needed = {c.name for c in cookies
              if not _phone_holding(make_rp, [o for o in cookies if o is not c]).session()
              .logged_in}
    return needed or {c.name for c in cookies}


@pytest.mark.req("RP-22")
def test_a_login_gets_a_new_session_id(make_rp, personas):
    """Whatever session cookie a browser holds before the login — one the RP issued to the
    anonymous visitor, or one an attacker planted — it must not become the logged-in session."""
    person = personas["l2_active"]
    scout = make_rp()
    scout_cookies = SetCookies(scout)
    logged_in(scout, scout.log_in(person), "RP-22")
    names = session_cookies(scout, scout_cookies, make_rp)
    victim = make_rp()
    victim.open_vssid()
    # An attacker's planted value for each session cookie the RP did not issue yet.
    held = {c.name for c in _rp_cookies(victim, names)}
    for cookie in _rp_cookies(scout, names - held):
        planted = copy.copy(cookie)
        planted.value = f"kit-planted-{secrets.token_urlsafe(16)}"
        victim.client.cookies.jar.set_cookie(planted)
    before = [copy.copy(c) for c in _rp_cookies(victim, names)]
    logged_in(victim, victim.log_in(person), "RP-22")
    attacker = _phone_holding(make_rp, before).session()
    check(not attacker.logged_in, "RP-22",
          "no session for the cookies the browser held before the login (its session id "
          f"renewed at login: {', '.join(sorted(names))})",
          f"{attacker.shown} for the pre-login cookies")


@pytest.mark.req("RP-23")
def test_the_session_cookie_is_secure_http_only_and_same_site(make_rp, personas, systems):
    rp = make_rp()
    sent = SetCookies(rp)
    logged_in(rp, rp.log_in(personas["l2_active"]), "RP-23")
    https = systems.vssid_url.startswith("https://")
    for name in sorted(session_cookies(rp, sent, make_rp)):
        attributes = sent.last(name)
        needs(attributes is not None, f"no Set-Cookie from the relying party for its session "
                                      f"cookie {name!r}")
        missing = [flag for flag, present in (
            ("Secure", "secure" in attributes or not https),
            ("HttpOnly", "httponly" in attributes),
            ("SameSite=Lax or Strict", attributes.get("samesite", "").lower() in ("lax",
                                                                                   "strict")),
            ("host-only (no Domain attribute)", "domain" not in attributes)) if not present]
        check(not missing, "RP-23", f"the session cookie {name!r} Secure, HttpOnly, "
              "SameSite=Lax or Strict and host-only",
              f"Set-Cookie {name!r} without: {', '.join(missing)}")


@pytest.mark.req("RP-24")
def test_logout_ends_the_session_on_the_server(make_rp, personas):
    person = personas["l2_active"]
    rp = make_rp()
    sent = SetCookies(rp)
    first, back = rp.callback_for(person)
    logged_in(rp, rp.deliver(back), "RP-24")
    kept = [copy.copy(c) for c in _rp_cookies(rp, session_cookies(rp, sent, make_rp))]
    rp.log_out()
    after = rp.session()
    check(not after.logged_in, "RP-24", "no session on the phone after logout", after.shown)
    replayed = _phone_holding(make_rp, kept).session()
    check(not replayed.logged_in, "RP-24",
          "no session for the cookies from before the logout (ended on the server)",
          f"{replayed.shown} for the old cookies")
    again = rp.start()
    # A fresh attempt: a new nonce (a reused PKCE verifier is RP-02's to judge).
    check(again.param("nonce") != first.param("nonce"), "RP-24",
          "the next login a fresh attempt (a new nonce)", "the same nonce as before the logout")
    back_again = expect_screen_or_link(rp.log_in_at_vneid(again, person))
    logged_in(rp, rp.deliver(back_again), "RP-24")
