"""POST /token: client authentication, PKCE, code binding, expiry and RFC 6749 §5.2 errors."""

from __future__ import annotations

import pytest

from stubs.pkce import s256_challenge
from stubs.vneid.config import ClientRegistration
from tests.stubs.vneid_flow import (
    CLIENT_ID,
    CLIENT_SECRET,
    L2_ACTIVE,
    REDIRECT_URI,
    FakeClock,
    LoginFlow,
    control_headers,
    pkce_pair,
    stub_client,
    stub_config,
)

pytestmark = pytest.mark.anyio



def test_s256_challenge_is_rfc_7636_appendix_b():
    assert s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == (
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")


async def _fresh_code(client) -> tuple[LoginFlow, str]:
    flow = LoginFlow(client)
    return flow, (await flow.code_for(L2_ACTIVE))["code"]


async def test_client_secret_post_is_accepted():
    async with stub_client() as client:
        flow, code = await _fresh_code(client)
        response = await client.post("/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
            "code_verifier": flow.verifier, "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET})
    assert response.status_code == 200 and response.json()["id_token"]


@pytest.mark.parametrize(
    ("auth", "form"),
    [
        (None, {}),
        ((CLIENT_ID, "wrong"), {}),
        (("nobody", CLIENT_SECRET), {}),
        (None, {"client_id": CLIENT_ID, "client_secret": "wrong"}),
        (None, {"client_id": CLIENT_ID}),
    ],
)
async def test_bad_client_authentication_is_invalid_client_401(auth, form):
    async with stub_client() as client:
        flow, code = await _fresh_code(client)
        response = await client.post("/token", auth=auth, data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
            "code_verifier": flow.verifier, **form})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert "www-authenticate" in response.headers


async def test_two_authentication_methods_at_once_are_refused():
    async with stub_client() as client:
        flow, code = await _fresh_code(client)
        response = await flow.redeem(code, client_secret=CLIENT_SECRET)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("verifier", ["", "short", "x" * 43, "y" * 129])
async def test_wrong_or_malformed_verifier_is_invalid_grant(verifier):
    async with stub_client() as client:
        flow, code = await _fresh_code(client)
        response = await flow.redeem(code, verifier=verifier)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


async def test_verifier_of_another_attempt_is_invalid_grant():
    async with stub_client() as client:
        flow, code = await _fresh_code(client)
        other_verifier, _ = pkce_pair()
        response = await flow.redeem(code, verifier=other_verifier)
    assert response.json()["error"] == "invalid_grant"


async def test_missing_verifier_is_invalid_grant():
    async with stub_client() as client:
        _, code = await _fresh_code(client)
        response = await client.post("/token", auth=(CLIENT_ID, CLIENT_SECRET), data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI})
    assert response.json()["error"] == "invalid_grant"


async def test_redirect_uri_must_match_the_authorization():
    async with stub_client() as client:
        flow, code = await _fresh_code(client)
        response = await flow.redeem(code, redirect_uri=REDIRECT_URI + "x")
    assert response.json()["error"] == "invalid_grant"


async def test_code_is_bound_to_its_client():
    other = ClientRegistration(client_id="other", client_name="Other",
                               client_secret="other-secret",
                               redirect_uris=("https://other.test/cb",))
    config = stub_config(clients=(stub_config().clients[0], other))
    async with stub_client(config) as client:
        flow, code = await _fresh_code(client)
        response = await client.post("/token", auth=("other", "other-secret"), data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
            "code_verifier": flow.verifier})
        retry = await flow.redeem(code)
    assert response.json()["error"] == "invalid_grant"
    assert retry.status_code == 200, "a refused attempt by another client does not burn the code"


async def test_code_expires_after_its_ttl():
    clock = FakeClock()
    async with stub_client(stub_config(code_ttl_seconds=60), clock=clock) as client:
        flow, code = await _fresh_code(client)
        clock.now += 60
        expired = await flow.redeem(code)
    assert expired.json()["error"] == "invalid_grant"
    assert "expired" in expired.json()["error_description"]


async def test_code_within_its_ttl_is_accepted():
    clock = FakeClock()
    async with stub_client(stub_config(code_ttl_seconds=60), clock=clock) as client:
        flow, code = await _fresh_code(client)
        clock.now += 59
        response = await flow.redeem(code)
    assert response.status_code == 200


async def test_access_token_expires():
    clock = FakeClock()
    async with stub_client(stub_config(access_token_ttl_seconds=30), clock=clock) as client:
        flow, code = await _fresh_code(client)
        token = (await flow.redeem(code)).json()["access_token"]
        clock.now += 31
        response = await client.get("/userinfo", headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": None}, "invalid_request"),
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({"grant_type": "refresh_token"}, "unsupported_grant_type"),
        ({"code": None}, "invalid_request"),
        ({"code": "not-a-code"}, "invalid_grant"),
    ],
)
async def test_request_errors_follow_rfc6749_section_5_2(form, error):
    async with stub_client() as client:
        flow, code = await _fresh_code(client)
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
                "code_verifier": flow.verifier, **form}
        response = await client.post("/token", auth=(CLIENT_ID, CLIENT_SECRET),
                                     data={k: v for k, v in data.items() if v is not None})
    assert response.status_code == 400
    assert response.json()["error"] == error
    assert set(response.json()) == {"error", "error_description"}


async def test_token_needs_a_form_body():
    async with stub_client() as client:
        response = await client.post("/token", json={"grant_type": "authorization_code"},
                                     auth=(CLIENT_ID, CLIENT_SECRET))
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


async def test_token_refuses_get():
    async with stub_client() as client:
        response = await client.get("/token")
    assert response.status_code == 405 and response.json()["error"] == "invalid_request"


async def test_a_persona_locked_after_the_code_was_issued_gets_no_token():
    async with stub_client() as client:
        flow, code = await _fresh_code(client)
        record = {**(await client.get("/_stub/personas", headers=control_headers())).json()[
            "personas"][0]}
        record.pop("failed_attempts")
        record["status"] = "locked"
        await client.put(f"/_stub/personas/{record['key']}", json=record, headers=control_headers())
        response = await flow.redeem(code)
    assert response.json()["error"] == "invalid_grant"
