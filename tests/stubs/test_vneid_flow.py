"""The stub VNeID's happy path, end to end in-process: discovery to userinfo."""

from __future__ import annotations

import time
import warnings

import pytest
from authlib.deprecate import AuthlibDeprecationWarning

with warnings.catch_warnings():
    # authlib.jose is deprecated upstream, yet it is a verifier independent of joserfc.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.jose import JsonWebKey, JsonWebToken

from tests.stubs.vneid_flow import (
    CLIENT_ID,
    CLIENT_NAME,
    ISSUER,
    L2_ACTIVE,
    LEVEL2,
    REDIRECT_URI,
    LoginFlow,
    callback_params,
    read_screen,
    stub_client,
)

pytestmark = pytest.mark.anyio



async def test_discovery_advertises_what_the_stub_does():
    async with stub_client() as client:
        doc = (await client.get("/.well-known/openid-configuration")).json()
    assert doc["issuer"] == ISSUER
    assert doc["authorization_endpoint"] == ISSUER + "/authorize"
    assert doc["token_endpoint"] == ISSUER + "/token"
    assert doc["userinfo_endpoint"] == ISSUER + "/userinfo"
    assert doc["jwks_uri"] == ISSUER + "/jwks"
    assert doc["response_types_supported"] == ["code"]
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["authorization_response_iss_parameter_supported"] is True
    assert LEVEL2 in doc["acr_values_supported"]
    assert "id_number" in doc["claims_supported"]
    assert doc["id_token_signing_alg_values_supported"] == ["ES256"]
    assert set(doc["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic", "client_secret_post"}


async def test_jwks_publishes_one_public_ec_key_with_kid():
    async with stub_client() as client:
        keys = (await client.get("/jwks")).json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kty"] == "EC" and keys[0]["crv"] == "P-256" and keys[0]["kid"]
    assert "d" not in keys[0], "the private part must never be published"


async def test_full_login_yields_a_code_with_state_and_iss():
    async with stub_client() as client:
        flow = LoginFlow(client)
        login = read_screen(await flow.open())
        assert login.screen == "vneid-login"
        assert login.testids["id-number"]["inputmode"] == "numeric"
        assert login.has("password") and login.has("login-submit")
        assert CLIENT_NAME in login.text
        passcode = read_screen(await flow.submit(
            login, id_number=L2_ACTIVE["id_number"], password=L2_ACTIVE["password"]))
        assert passcode.screen == "vneid-passcode" and passcode.has("passcode-submit")
        consent = read_screen(await flow.submit(passcode, passcode=L2_ACTIVE["passcode"]))
        assert consent.screen == "vneid-consent"
        assert consent.has("consent-approve") and consent.has("consent-decline")
        assert CLIENT_NAME in consent.text
        response = await flow.submit(consent, decision="approve")
    assert response.status_code == 303
    params = callback_params(response)
    assert set(params) == {"code", "state", "iss"}
    assert params["state"] == flow.state
    assert params["iss"] == ISSUER


async def test_token_exchange_gives_an_id_token_an_independent_library_accepts():
    async with stub_client() as client:
        flow = LoginFlow(client)
        code = (await flow.code_for(L2_ACTIVE))["code"]
        response = await flow.redeem(code)
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        jwks = (await client.get("/jwks")).json()
    assert body["token_type"] == "Bearer" and body["access_token"] and body["expires_in"] > 0
    assert set(body["scope"].split()) == {"openid", "profile", "id_number"}
    claims = JsonWebToken(["ES256"]).decode(
        body["id_token"], JsonWebKey.import_key_set(jwks),
        claims_options={"iss": {"essential": True, "value": ISSUER},
                        "aud": {"essential": True, "value": CLIENT_ID},
                        "nonce": {"essential": True, "value": flow.nonce},
                        "acr": {"essential": True, "value": LEVEL2}})
    claims.validate(now=int(time.time()))
    assert claims["id_number"] == L2_ACTIVE["id_number"]
    assert claims["name"] == L2_ACTIVE["name"]
    assert claims["birthdate"] == L2_ACTIVE["birthdate"]
    assert claims["azp"] == CLIENT_ID
    assert claims["sub"] and L2_ACTIVE["id_number"] not in claims["sub"]
    assert claims["iat"] <= claims["auth_time"] + 5 and claims["exp"] > claims["iat"]


async def test_sub_is_stable_per_person_across_logins():
    async with stub_client() as client:
        subs = []
        for _ in range(2):
            flow = LoginFlow(client)
            body = (await flow.redeem((await flow.code_for(L2_ACTIVE))["code"])).json()
            info = await client.get("/userinfo",
                                    headers={"authorization": f"Bearer {body['access_token']}"})
            subs.append(info.json()["sub"])
    assert subs[0] == subs[1]


async def test_userinfo_returns_the_person_for_a_valid_bearer_token():
    async with stub_client() as client:
        flow = LoginFlow(client)
        body = (await flow.redeem((await flow.code_for(L2_ACTIVE))["code"])).json()
        info = await client.get("/userinfo",
                                headers={"authorization": f"Bearer {body['access_token']}"})
    assert info.status_code == 200
    assert info.json()["id_number"] == L2_ACTIVE["id_number"]
    assert info.json()["name"] == L2_ACTIVE["name"]
    assert info.json()["birthdate"] == L2_ACTIVE["birthdate"]


@pytest.mark.parametrize("header", [None, "Bearer not-a-token", "Basic abc"])
async def test_userinfo_refuses_a_missing_or_invalid_token(header):
    async with stub_client() as client:
        response = await client.get(
            "/userinfo", headers={"authorization": header} if header else {})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    if header == "Bearer not-a-token":
        assert 'error="invalid_token"' in response.headers["www-authenticate"]


@pytest.mark.parametrize(
    ("overrides", "why"),
    [
        ({"client_id": "unknown-app"}, "unknown client"),
        ({"redirect_uri": "https://evil.example/callback"}, "unregistered redirect"),
        ({"redirect_uri": REDIRECT_URI + "/extra"}, "prefix of a registered redirect"),
        ({"redirect_uri": REDIRECT_URI.upper()}, "case-changed redirect"),
        ({"redirect_uri": None}, "missing redirect"),
        ({"client_id": None}, "missing client"),
    ],
)
async def test_bad_client_or_redirect_gets_an_error_page_never_a_redirect(overrides, why):
    async with stub_client() as client:
        response = await LoginFlow(client).open(**overrides)
    assert "location" not in response.headers, why
    screen = read_screen(response)
    assert screen.status == 400
    assert (screen.screen, screen.outcome) == ("vneid-request-error", "PROTOCOL_ERROR")
    assert screen.has("error-message")


async def test_a_replayed_code_is_refused_and_revokes_its_tokens():
    async with stub_client() as client:
        flow = LoginFlow(client)
        code = (await flow.code_for(L2_ACTIVE))["code"]
        first = await flow.redeem(code)
        second = await flow.redeem(code)
        bearer = {"authorization": f"Bearer {first.json()['access_token']}"}
        after = await client.get("/userinfo", headers=bearer)
    assert first.status_code == 200
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    assert after.status_code == 401, "tokens bought with a replayed code are revoked"


async def test_state_is_echoed_byte_for_byte():
    odd_state = "a b+c/d?e=f&g%h~ệ"
    async with stub_client() as client:
        params = await LoginFlow(client, state=odd_state).code_for(L2_ACTIVE)
    assert params["state"] == odd_state


@pytest.mark.parametrize("scope", ["openid profile id_number", "openid profile id_number phone"])
async def test_the_phone_number_is_released_only_for_the_phone_scope(scope):
    async with stub_client() as client:
        flow = LoginFlow(client)
        body = (await flow.redeem((await flow.code_for(L2_ACTIVE, scope=scope))["code"])).json()
        jwks = (await client.get("/jwks")).json()
        info = (await client.get("/userinfo", headers={
            "authorization": f"Bearer {body['access_token']}"})).json()
    claims = JsonWebToken(["ES256"]).decode(body["id_token"], JsonWebKey.import_key_set(jwks))
    if "phone" in scope.split():
        for released in (claims, info):
            assert released["phone_number"] == "0912000101"
            assert released["phone_number_verified"] is True
    else:
        assert "phone_number" not in claims and "phone_number" not in info
