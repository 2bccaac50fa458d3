"""oidc-provider (npm), set up as a vendor's VNeID, answers the way the kit will expect.

Plain httpx against interop/node-oidc-provider/server.mjs (not the kit's drivers): discovery,
one full login over its own screens (password, TOTP, consent), the code redeemed for an ID token
checked against the JWKS, and two refusals (no PKCE; the person declines).
"""

from __future__ import annotations

import secrets
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
import pyotp
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from fixtures.pkce import s256
from tests.interop.node_oidc_provider import NodeIdp, available, start_node_oidc_provider

pytestmark = pytest.mark.skipif(available() is not None, reason=available() or "")

CLIENT_ID = "vssid"
CLIENT_SECRET = secrets.token_urlsafe(24)
REDIRECT_URI = "https://127.0.0.1:9/app/vneid/callback"  # never contacted: the test reads it
LEVEL2 = "urn:vn:vneid:loa:2"
ACCOUNT = {"id_number": "001099012345", "name": "Nguyễn Văn An", "password": "mật-khẩu-2",
           "level": 2, "totp_secret": pyotp.random_base32()}


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeIdp]:
    with start_node_oidc_provider(tmp_path_factory.mktemp("node-oidc-provider"),
                                  redirect_uri=REDIRECT_URI, client_id=CLIENT_ID,
                                  client_secret=CLIENT_SECRET, accounts=[ACCOUNT]) as running:
        yield running


@pytest.fixture
def browser(idp: NodeIdp) -> Iterator[httpx.Client]:
    """A fresh cookie jar per test: a new browser session."""
    verify = ssl.create_default_context(cafile=str(idp.ca_file))
    with httpx.Client(verify=verify, timeout=10.0, follow_redirects=False) as client:
        yield client


@dataclass
class Request:
    state: str
    nonce: str
    verifier: str

    @classmethod
    def fresh(cls) -> Request:
        return cls(secrets.token_urlsafe(16), secrets.token_urlsafe(16), secrets.token_urlsafe(48))

    def url(self, issuer: str, **overrides: str | None) -> str:
        challenge = s256(self.verifier)
        params = {"client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "response_type": "code",
                  "scope": "openid profile id_number", "state": self.state, "nonce": self.nonce,
                  "code_challenge": challenge, "code_challenge_method": "S256",
                  "acr_values": LEVEL2, **overrides}
        return f"{issuer}/auth?" + urlencode({k: v for k, v in params.items() if v is not None})


def follow(browser: httpx.Client, response: httpx.Response) -> httpx.Response:
    """Follow the provider's own redirects; stop at a page or at the hand-back to the client."""
    while response.is_redirect:
        location = urljoin(str(response.url), response.headers["location"])
        if location.startswith(REDIRECT_URI):
            return response
        response = browser.get(location)
    return response


def submit(browser: httpx.Client, page: httpx.Response, form_selector: str,
           **fields: str) -> httpx.Response:
    """Post one of the page's forms (its action), as the person would."""
    form = HTMLParser(page.text).css_first(form_selector)
    assert form is not None, f"no {form_selector} on the page: {page.text[:400]}"
    action = urljoin(str(page.url), form.attributes["action"])
    return follow(browser, browser.post(action, data=fields))


def hand_back(response: httpx.Response) -> dict[str, str]:
    assert response.is_redirect, f"{response.status_code}: {response.text[:400]}"
    location = response.headers["location"]
    assert location.startswith(REDIRECT_URI + "?"), location
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def log_in(browser: httpx.Client, idp: NodeIdp, request: Request) -> httpx.Response:
    """Password and TOTP on the provider's screens; returns the consent page."""
    page = follow(browser, browser.get(request.url(idp.issuer)))
    assert HTMLParser(page.text).css_first("form#signin input[name=pwd]") is not None
    page = submit(browser, page, "form#signin", login=ACCOUNT["id_number"],
                  pwd=ACCOUNT["password"])
    assert HTMLParser(page.text).css_first("form#otp input[name=otp]") is not None
    page = submit(browser, page, "form#otp", otp=pyotp.TOTP(ACCOUNT["totp_secret"]).now())
    assert HTMLParser(page.text).css_first("form#consent") is not None, page.text[:400]
    return page


def test_discovery_announces_iss_and_s256_only(idp, browser):
    meta = browser.get(f"{idp.issuer}/.well-known/openid-configuration").json()
    assert meta["issuer"] == idp.issuer
    assert meta["authorization_response_iss_parameter_supported"] is True
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert set(meta["acr_values_supported"]) == {"urn:vn:vneid:loa:1", LEVEL2}


def test_a_level2_login_ends_in_an_id_token_with_its_claims(idp, browser):
    request = Request.fresh()
    consent = log_in(browser, idp, request)
    assert "VssID – Bảo hiểm xã hội Việt Nam" in consent.text
    params = hand_back(submit(browser, consent, "form#consent", decision="approve"))
    assert params["state"] == request.state
    assert params["iss"] == idp.issuer
    assert params["code"]

    tokens = browser.post(f"{idp.issuer}/token", auth=(CLIENT_ID, CLIENT_SECRET), data={
        "grant_type": "authorization_code", "code": params["code"],
        "redirect_uri": REDIRECT_URI, "code_verifier": request.verifier})
    assert tokens.status_code == 200, tokens.text
    keys = KeySet.import_key_set(browser.get(f"{idp.issuer}/jwks").json())
    claims = jwt.decode(tokens.json()["id_token"], keys).claims
    assert claims["iss"] == idp.issuer
    assert claims["aud"] == CLIENT_ID
    assert claims["acr"] == LEVEL2
    assert claims["id_number"] == ACCOUNT["id_number"]
    assert claims["name"] == ACCOUNT["name"]
    assert claims["nonce"] == request.nonce


def test_a_request_without_pkce_is_refused(idp, browser):
    request = Request.fresh()
    response = browser.get(request.url(idp.issuer, code_challenge=None,
                                       code_challenge_method=None))
    params = hand_back(response)
    assert params["error"] == "invalid_request"
    assert "code" not in params
    assert params["state"] == request.state


def test_declining_consent_gives_access_denied(idp, browser):
    request = Request.fresh()
    consent = log_in(browser, idp, request)
    params = hand_back(submit(browser, consent, "form#consent", decision="deny"))
    assert params["error"] == "access_denied"
    assert "code" not in params
    assert params["state"] == request.state
    assert params["iss"] == idp.issuer
