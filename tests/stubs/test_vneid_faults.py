"""Every fault: the response or ID token is wrong in exactly the named way, for N responses."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from joserfc import jwk, jwt
from joserfc.errors import BadSignatureError

from stubs.vneid.faults import AuthorizationResponseFault, HttpFault, IdTokenFault
from tests.stubs.vneid_flow import (
    CLIENT_ID,
    ISSUER,
    L2_ACTIVE,
    LEVEL1,
    LoginFlow,
    callback_params,
    control_headers,
    read_screen,
    stub_client,
)

pytestmark = pytest.mark.anyio



def _segments(token: str) -> tuple[dict, dict, str]:
    def part(text: str) -> dict:
        return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    header, payload, signature = token.split(".")
    return part(header), part(payload), signature


async def _arm(client, fault: str, count: int = 1, **extra) -> dict:
    response = await client.post("/_stub/faults", headers=control_headers(),
                                 json={"fault": fault, "count": count, **extra})
    assert response.status_code == 200, response.text
    return response.json()


async def _id_token(client) -> tuple[LoginFlow, str]:
    flow = LoginFlow(client)
    response = await flow.redeem((await flow.code_for(L2_ACTIVE))["code"])
    assert response.status_code == 200, response.text
    return flow, response.json()["id_token"]


async def _keys(client) -> jwk.KeySet:
    return jwk.KeySet.import_key_set((await client.get("/jwks")).json())


# Which claims each claim fault may change, and how the new value must look.
CLAIM_FAULTS = {
    IdTokenFault.WRONG_ISSUER: ({"iss"}, lambda c, f: c["iss"] != ISSUER),
    IdTokenFault.MISSING_ISSUER: ({"iss"}, lambda c, f: "iss" not in c),
    IdTokenFault.WRONG_AUDIENCE: ({"aud"}, lambda c, f: CLIENT_ID not in c["aud"]),
    IdTokenFault.EXTRA_UNTRUSTED_AUDIENCE: (
        {"aud"}, lambda c, f: CLIENT_ID in c["aud"] and len(c["aud"]) == 2),
    IdTokenFault.WRONG_AZP: ({"azp"}, lambda c, f: c["azp"] != CLIENT_ID),
    IdTokenFault.WRONG_NONCE: ({"nonce"}, lambda c, f: c["nonce"] != f.nonce),
    IdTokenFault.MISSING_NONCE: ({"nonce"}, lambda c, f: "nonce" not in c),
    IdTokenFault.EXPIRED: ({"exp"}, lambda c, f: c["exp"] < time.time()),
    IdTokenFault.IAT_IN_FUTURE: ({"iat", "exp"}, lambda c, f: c["iat"] > time.time() + 60),
    IdTokenFault.IAT_TOO_OLD: (
        {"iat"}, lambda c, f: c["iat"] < time.time() - 3600 and c["exp"] > time.time()),
    IdTokenFault.ACR_LEVEL1: ({"acr"}, lambda c, f: c["acr"] == LEVEL1),
    IdTokenFault.MISSING_ACR: ({"acr"}, lambda c, f: "acr" not in c),
    IdTokenFault.MISSING_SUB: ({"sub"}, lambda c, f: "sub" not in c),
    IdTokenFault.MISSING_ID_NUMBER: ({"id_number"}, lambda c, f: "id_number" not in c),
}


def _changed(good: dict, bad: dict) -> set[str]:
    return {k for k in good.keys() | bad.keys() if good.get(k) != bad.get(k)}


@pytest.mark.parametrize("fault", list(CLAIM_FAULTS), ids=lambda f: f.value)
async def test_claim_fault_spoils_exactly_its_claim_and_keeps_a_valid_signature(fault):
    allowed, looks_wrong = CLAIM_FAULTS[fault]
    async with stub_client() as client:
        _, good = await _id_token(client)
        await _arm(client, fault.value)
        flow, bad = await _id_token(client)
        keys = await _keys(client)
    good_claims = _segments(good)[1]
    bad_claims = jwt.decode(bad, keys, algorithms=["ES256"]).claims
    # Time and per-flow values differ between any two tokens; compare the rest.
    volatile = {"iat", "exp", "auth_time", "nonce"} - allowed
    changed = _changed(good_claims, bad_claims) - volatile
    assert changed <= allowed and changed, (fault, changed)
    assert looks_wrong(bad_claims, flow), bad_claims
    if "nonce" not in allowed:
        assert bad_claims["nonce"] == flow.nonce


async def test_fault_applies_to_the_next_n_responses_only():
    async with stub_client() as client:
        await _arm(client, "WRONG_ISSUER", count=2)
        issuers = [_segments((await _id_token(client))[1])[1]["iss"] for _ in range(3)]
        armed = (await client.get("/_stub/faults", headers=control_headers())).json()
    assert issuers[:2] == [ISSUER + "/wrong"] * 2 and issuers[2] == ISSUER
    assert armed["faults"] == []


async def test_time_fault_offset_is_configurable_for_boundary_tests():
    async with stub_client() as client:
        await _arm(client, "IAT_IN_FUTURE", offset_seconds=121)
        _, token = await _id_token(client)
    claims = _segments(token)[1]
    assert abs(claims["iat"] - (time.time() + 121)) < 5


async def test_alg_none_is_unsigned():
    async with stub_client() as client:
        await _arm(client, "ALG_NONE")
        _, token = await _id_token(client)
    header, claims, signature = _segments(token)
    assert header["alg"] == "none" and signature == ""
    assert claims["iss"] == ISSUER


async def test_hs256_with_public_key_is_hmac_keyed_by_the_published_key():
    async with stub_client() as client:
        await _arm(client, "HS256_WITH_PUBLIC_KEY")
        _, token = await _id_token(client)
        keys = await _keys(client)
    header, _, signature = _segments(token)
    assert header["alg"] == "HS256"
    published = keys.get_by_kid(header["kid"])
    signing_input = token.rsplit(".", 1)[0].encode()
    mac = hmac.new(published.as_pem(private=False), signing_input, hashlib.sha256).digest()
    assert base64.urlsafe_b64encode(mac).rstrip(b"=").decode() == signature


async def test_wrong_signing_key_keeps_the_published_kid_but_fails_verification():
    async with stub_client() as client:
        await _arm(client, "WRONG_SIGNING_KEY")
        _, token = await _id_token(client)
        keys = await _keys(client)
    header = _segments(token)[0]
    assert keys.get_by_kid(header["kid"]) is not None
    with pytest.raises(BadSignatureError):
        jwt.decode(token, keys, algorithms=["ES256"])


async def test_unknown_kid_is_not_in_the_jwks():
    async with stub_client() as client:
        await _arm(client, "UNKNOWN_KID")
        _, token = await _id_token(client)
        jwks = (await client.get("/jwks")).json()
    kid = _segments(token)[0]["kid"]
    assert kid not in {k["kid"] for k in jwks["keys"]}


@pytest.mark.parametrize(
    ("fault", "spoilt", "check"),
    [
        (AuthorizationResponseFault.WRONG_ISS, "iss",
         lambda p, f: p["iss"] not in (ISSUER, None)),
        (AuthorizationResponseFault.MISSING_ISS, "iss", lambda p, f: "iss" not in p),
        (AuthorizationResponseFault.TAMPERED_STATE, "state",
         lambda p, f: p["state"] != f.state and len(p["state"]) == len(f.state)),
        (AuthorizationResponseFault.MISSING_STATE, "state", lambda p, f: "state" not in p),
    ],
    ids=lambda v: getattr(v, "value", ""),
)
async def test_authorization_response_fault_spoils_exactly_that_parameter(fault, spoilt, check):
    async with stub_client() as client:
        await _arm(client, fault.value)
        flow = LoginFlow(client)
        params = await flow.code_for(L2_ACTIVE)
        redeemed = await flow.redeem(params["code"])
    assert check(params, flow), params
    if spoilt == "iss":
        assert params["state"] == flow.state
    else:
        assert params["iss"] == ISSUER
    assert redeemed.status_code == 200, "the code itself is fine"


async def test_authorization_response_fault_also_applies_to_error_responses():
    async with stub_client() as client:
        await _arm(client, "MISSING_ISS")
        flow = LoginFlow(client)
        consent = await flow.login_until_consent(L2_ACTIVE)
        params = callback_params(await flow.submit(consent, decision="decline"))
    assert params["error"] == "access_denied" and "iss" not in params


async def test_code_already_used_hands_back_a_code_that_is_refused():
    async with stub_client() as client:
        await _arm(client, "CODE_ALREADY_USED")
        flow = LoginFlow(client)
        params = await flow.code_for(L2_ACTIVE)
        response = await flow.redeem(params["code"])
    assert params["state"] == flow.state and params["iss"] == ISSUER
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("endpoint", ["discovery", "jwks", "token", "userinfo"])
async def test_server_error_fault_gives_a_5xx_oauth_error_then_recovers(endpoint):
    paths = {"discovery": "/.well-known/openid-configuration", "jwks": "/jwks",
             "token": "/token", "userinfo": "/userinfo"}
    async with stub_client() as client:
        await _arm(client, "SERVER_ERROR", endpoint=endpoint, status_code=503)
        method = client.post if endpoint == "token" else client.get
        failed = await method(paths[endpoint])
        after = await method(paths[endpoint])
    assert failed.status_code == 503
    assert failed.json()["error"] == "temporarily_unavailable"
    assert after.status_code != 503


async def test_server_error_fault_on_authorize_shows_the_idp_error_screen():
    async with stub_client() as client:
        await _arm(client, "SERVER_ERROR", endpoint="authorize")
        screen = read_screen(await LoginFlow(client).open())
    assert screen.status == 500
    assert (screen.screen, screen.outcome) == ("vneid-error", "IDP_ERROR")


async def test_delay_fault_slows_the_endpoint_down():
    async with stub_client() as client:
        await _arm(client, "DELAY", endpoint="jwks", delay_seconds=0.3)
        started = time.monotonic()
        response = await client.get("/jwks")
        slow = time.monotonic() - started
        started = time.monotonic()
        await client.get("/jwks")
        fast = time.monotonic() - started
    assert response.status_code == 200
    assert slow >= 0.3 and fast < 0.3


@pytest.mark.parametrize(
    "body",
    [
        {"fault": "NOT_A_FAULT"},
        {"fault": "WRONG_ISSUER", "count": -1},
        {"fault": "WRONG_ISSUER", "count": "2"},
        {"fault": "DELAY"},
        {"fault": "DELAY", "endpoint": "jwks", "delay_seconds": 999},
        {"fault": "SERVER_ERROR", "endpoint": "token", "status_code": 404},
        {"fault": "EXPIRED", "offset_seconds": -5},
        ["WRONG_ISSUER"],
    ],
)
async def test_bad_fault_requests_are_refused(body):
    async with stub_client() as client:
        response = await client.post("/_stub/faults", headers=control_headers(), json=body)
        armed = (await client.get("/_stub/faults", headers=control_headers())).json()
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    assert armed["faults"] == []


def test_every_fault_is_covered_by_a_test_here():
    covered = set(CLAIM_FAULTS) | {
        IdTokenFault.ALG_NONE, IdTokenFault.HS256_WITH_PUBLIC_KEY,
        IdTokenFault.WRONG_SIGNING_KEY, IdTokenFault.UNKNOWN_KID}
    assert covered == set(IdTokenFault)
    assert {f.value for f in AuthorizationResponseFault} == {
        "WRONG_ISS", "MISSING_ISS", "TAMPERED_STATE", "MISSING_STATE", "CODE_ALREADY_USED"}
    assert {f.value for f in HttpFault} == {"DELAY", "SERVER_ERROR"}
