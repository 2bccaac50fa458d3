"""django-oauth-toolkit as a VNeID-like identity provider, driven with httpx alone: discovery,
password login, consent, the code exchange, a verified ID token, remembered consent."""

from __future__ import annotations

import secrets
import ssl
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from fixtures.pkce import s256
from tests.interop.django_oauth_toolkit import DjangoIdp, start_django_oauth_toolkit

REDIRECT_URI = "https://127.0.0.1:9/app/vneid/callback"  # never followed
CLIENT_ID = "vssid"
CLIENT_NAME = "VssID – Bảo hiểm xã hội Việt Nam"
SCOPE = "openid profile id_number"
LEVEL2 = {"id_number": "001099012345", "name": "Nguyễn Văn An", "level": 2}
LEVEL1 = {"id_number": "079188004321", "name": "Trần Thị Bình", "level": 1}


@pytest.fixture(scope="module")
def secrets_of_run() -> dict[str, str]:
    return {"client": secrets.token_urlsafe(24), "level2": secrets.token_urlsafe(12),
            "level1": secrets.token_urlsafe(12)}


@pytest.fixture(scope="module")
def idp(tmp_path_factory, secrets_of_run):
    accounts = [{**LEVEL2, "password": secrets_of_run["level2"]},
                {**LEVEL1, "password": secrets_of_run["level1"]}]
    with start_django_oauth_toolkit(
        tmp_path_factory.mktemp("dot-idp"), redirect_uri=REDIRECT_URI, client_id=CLIENT_ID,
        client_secret=secrets_of_run["client"], accounts=accounts, client_name=CLIENT_NAME,
    ) as server:
        yield server


def _client(idp: DjangoIdp) -> httpx.Client:
    return httpx.Client(verify=ssl.create_default_context(cafile=str(idp.ca_file)),
                        follow_redirects=False, timeout=20.0)


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    return verifier, s256(verifier)


def _authorize_params(state: str, nonce: str, challenge: str) -> dict[str, str]:
    return {"client_id": CLIENT_ID, "response_type": "code", "redirect_uri": REDIRECT_URI,
            "scope": SCOPE, "state": state, "nonce": nonce, "code_challenge": challenge,
            "code_challenge_method": "S256"}


def _form_fields(page: HTMLParser, form_selector: str) -> dict[str, str]:
    form = page.css_first(form_selector)
    assert form is not None, f"no {form_selector} on the page"
    return {node.attributes["name"]: node.attributes.get("value") or ""
            for node in form.css("input[type=hidden]")}


def _log_in(http: httpx.Client, idp: DjangoIdp, login_url: str, id_number: str,
            password: str) -> httpx.Response:
    page = http.get(login_url)
    assert page.status_code == 200
    html = HTMLParser(page.text)
    assert html.css_first("form#dang-nhap input[name=username]") is not None
    assert html.css_first("form#dang-nhap input[name=password][type=password]") is not None
    assert html.css_first("form#dang-nhap button#vao") is not None
    fields = _form_fields(html, "form#dang-nhap")
    # Django checks the origin of a POST over HTTPS (a browser sends it).
    return http.post(login_url, data={**fields, "username": id_number, "password": password},
                     headers={"Origin": idp.issuer, "Referer": login_url})


def test_discovery(idp: DjangoIdp):
    with _client(idp) as http:
        metadata = http.get(f"{idp.issuer}/.well-known/openid-configuration").json()
    assert metadata["issuer"] == idp.issuer
    assert "S256" in metadata["code_challenge_methods_supported"]
    assert metadata["authorization_endpoint"].startswith(idp.issuer + "/")
    assert {"acr", "id_number", "name"} <= set(metadata["claims_supported"])


def test_wrong_password_shows_the_error_note(idp: DjangoIdp):
    with _client(idp) as http:
        login_url = f"{idp.issuer}/accounts/login/"
        answer = _log_in(http, idp, login_url, LEVEL2["id_number"], "not-the-password")
    assert answer.status_code == 200
    assert HTMLParser(answer.text).css_first("div.errornote") is not None


def test_login_consent_code_token_and_remembered_consent(idp: DjangoIdp, secrets_of_run):
    with _client(idp) as http:
        authorize_url = f"{idp.issuer}/authorize/"
        verifier, challenge = _pkce()
        state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)

        first = http.get(authorize_url, params=_authorize_params(state, nonce, challenge))
        assert first.status_code == 302
        login_url = urljoin(idp.issuer, first.headers["location"])
        assert urlsplit(login_url).path == "/accounts/login/"

        logged_in = _log_in(http, idp, login_url, LEVEL2["id_number"], secrets_of_run["level2"])
        assert logged_in.status_code == 302, logged_in.text
        back = urljoin(idp.issuer, logged_in.headers["location"])
        assert urlsplit(back).path == "/authorize/"

        consent = http.get(back)
        assert consent.status_code == 200
        html = HTMLParser(consent.text)
        assert html.css_first(".xac-nhan-chia-se .ten-ung-dung").text() == CLIENT_NAME
        assert html.css_first("form#uy-quyen button#dong-y[name=allow]") is not None
        assert html.css_first("form#uy-quyen button#tu-choi") is not None
        fields = _form_fields(html, "form#uy-quyen")
        allowed = http.post(back, data={**fields, "allow": "Authorize"},
                            headers={"Origin": idp.issuer, "Referer": back})
        assert allowed.status_code == 302
        location = allowed.headers["location"]
        assert location.startswith(REDIRECT_URI + "?")
        query = parse_qs(urlsplit(location).query)
        assert query["state"] == [state]
        code = query["code"][0]

        token = http.post(f"{idp.issuer}/token/", auth=(CLIENT_ID, secrets_of_run["client"]),
                          data={"grant_type": "authorization_code", "code": code,
                                "redirect_uri": REDIRECT_URI, "code_verifier": verifier})
        assert token.status_code == 200, token.text
        id_token = token.json()["id_token"]
        keys = KeySet.import_key_set(http.get(f"{idp.issuer}/.well-known/jwks.json").json())
        claims = jwt.decode(id_token, keys, algorithms=["RS256"]).claims
        assert claims["iss"] == idp.issuer
        assert claims["aud"] == CLIENT_ID
        assert claims["nonce"] == nonce
        assert claims["acr"] == "urn:vn:vneid:loa:2"
        assert claims["id_number"] == LEVEL2["id_number"]
        assert claims["name"] == LEVEL2["name"]

        # Same session, a live token for the client: DOT does not ask again.
        _, challenge2 = _pkce()
        again = http.get(authorize_url, params=_authorize_params("s2", "n2", challenge2))
        assert again.status_code == 302
        assert again.headers["location"].startswith(REDIRECT_URI + "?")
        assert parse_qs(urlsplit(again.headers["location"]).query)["state"] == ["s2"]
