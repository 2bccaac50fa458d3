"""The VNeID login screens: ID number rules, credentials, lockout, level 2, consent."""

from __future__ import annotations

import json

import pytest
from joserfc import jwk, jwt

from tests.stubs.vneid_flow import (
    ISSUER,
    L1_ACTIVE,
    L2_ACTIVE,
    L2_LOCKED,
    L2_REVOKED,
    LEVEL1,
    LEVEL2,
    LoginFlow,
    callback_params,
    control_headers,
    read_screen,
    stub_client,
    stub_config,
)

pytestmark = pytest.mark.anyio



async def _login_screen(flow: LoginFlow):
    screen = read_screen(await flow.open())
    assert screen.screen == "vneid-login"
    return screen


@pytest.mark.parametrize(
    ("entered", "message_part"),
    [
        ("084190012", "9 số"),
        ("08419001234", "12 chữ số"),
        ("0841900123456", "12 chữ số"),
        ("08419001234a", "12 chữ số"),
        ("０８４１９００１２３４５", "12 chữ số"),
        ("", "12 chữ số"),
    ],
)
async def test_id_number_must_be_exactly_twelve_ascii_digits(entered, message_part):
    async with stub_client() as client:
        flow = LoginFlow(client)
        screen = read_screen(await flow.submit(await _login_screen(flow), id_number=entered,
                                               password="whatever"))
    assert screen.screen == "vneid-login"
    assert screen.has("form-error") and message_part in screen.text
    assert screen.outcome is None, "a format error is not a credential attempt"


async def test_leading_zeros_are_kept():
    async with stub_client() as client:
        flow = LoginFlow(client)
        screen = read_screen(await flow.submit(
            await _login_screen(flow), id_number=L1_ACTIVE["id_number"],
            password=L1_ACTIVE["password"]))
    assert screen.screen == "vneid-passcode"


@pytest.mark.parametrize("person", [L2_LOCKED, L2_REVOKED])
async def test_locked_or_revoked_account_cannot_log_in(person):
    async with stub_client() as client:
        flow = LoginFlow(client)
        screen = read_screen(await flow.submit(
            await _login_screen(flow), id_number=person["id_number"],
            password=person["password"]))
    assert (screen.screen, screen.outcome) == ("vneid-locked", "VNEID_LOCKED")
    assert screen.has("locked-message")


@pytest.mark.parametrize("id_number", ["084190012345", "099999999999"])
async def test_wrong_password_or_unknown_id_is_bad_credentials(id_number):
    async with stub_client() as client:
        flow = LoginFlow(client)
        screen = read_screen(await flow.submit(await _login_screen(flow), id_number=id_number,
                                               password="Wrong@2023"))
    assert (screen.screen, screen.outcome) == ("vneid-login", "VNEID_BAD_CREDENTIALS")
    assert screen.has("form-error")


async def _wrong_passwords(client, count: int):
    flow = LoginFlow(client)
    screen = await _login_screen(flow)
    for _ in range(count):
        screen = read_screen(await flow.submit(screen, id_number=L2_ACTIVE["id_number"],
                                               password="Wrong@2023"))
    return flow, screen


async def test_account_locks_after_the_threshold_and_stays_locked():
    async with stub_client(stub_config(lockout_threshold=3)) as client:
        _, screen = await _wrong_passwords(client, 2)
        assert screen.outcome == "VNEID_BAD_CREDENTIALS"
        _, screen = await _wrong_passwords(client, 1)
        assert (screen.screen, screen.outcome) == ("vneid-locked", "VNEID_LOCKED")
        flow = LoginFlow(client)
        after = read_screen(await flow.submit(
            await _login_screen(flow), id_number=L2_ACTIVE["id_number"],
            password=L2_ACTIVE["password"]))
        personas = (await client.get("/_stub/personas", headers=control_headers())).json()
    assert after.outcome == "VNEID_LOCKED", "the right password no longer helps"
    record = next(p for p in personas["personas"] if p["id_number"] == L2_ACTIVE["id_number"])
    assert record["status"] == "locked" and record["failed_attempts"] == 3


async def test_wrong_passcodes_count_toward_the_same_lockout():
    async with stub_client(stub_config(lockout_threshold=3)) as client:
        await _wrong_passwords(client, 1)
        flow = LoginFlow(client)
        screen = read_screen(await flow.submit(
            await _login_screen(flow), id_number=L2_ACTIVE["id_number"],
            password=L2_ACTIVE["password"]))
        screen = read_screen(await flow.submit(screen, passcode="000000"))
        assert (screen.screen, screen.outcome) == ("vneid-passcode", "VNEID_BAD_CREDENTIALS")
        screen = read_screen(await flow.submit(screen, passcode="000001"))
    assert (screen.screen, screen.outcome) == ("vneid-locked", "VNEID_LOCKED")


async def test_a_successful_login_clears_the_failure_count():
    async with stub_client(stub_config(lockout_threshold=3)) as client:
        await _wrong_passwords(client, 2)
        await LoginFlow(client).code_for(L2_ACTIVE)
        _, screen = await _wrong_passwords(client, 2)
    assert screen.outcome == "VNEID_BAD_CREDENTIALS"


async def test_passcode_must_be_six_digits_and_does_not_count_as_an_attempt():
    async with stub_client(stub_config(lockout_threshold=1)) as client:
        flow = LoginFlow(client)
        screen = read_screen(await flow.submit(
            await _login_screen(flow), id_number=L2_ACTIVE["id_number"],
            password=L2_ACTIVE["password"]))
        screen = read_screen(await flow.submit(screen, passcode="12345"))
    assert screen.screen == "vneid-passcode" and screen.has("form-error")
    assert screen.outcome is None


async def test_level1_asked_for_level2_is_refused_before_consent():
    async with stub_client() as client:
        flow = LoginFlow(client)
        login = await _login_screen(flow)
        passcode = read_screen(await flow.submit(login, id_number=L1_ACTIVE["id_number"],
                                                 password=L1_ACTIVE["password"]))
        response = await flow.submit(passcode, passcode=L1_ACTIVE["passcode"])
    params = callback_params(response)
    assert params["error"] == "unmet_authentication_requirements"
    assert params["state"] == flow.state and params["iss"] == ISSUER
    assert "code" not in params


async def test_level2_asked_through_an_essential_acr_claim_is_also_enforced():
    claims = json.dumps({"id_token": {"acr": {"essential": True, "values": [LEVEL2]}}})
    async with stub_client() as client:
        flow = LoginFlow(client)
        login = read_screen(await flow.open(acr_values=None, claims=claims))
        passcode = read_screen(await flow.submit(login, id_number=L1_ACTIVE["id_number"],
                                                 password=L1_ACTIVE["password"]))
        params = callback_params(await flow.submit(passcode, passcode=L1_ACTIVE["passcode"]))
    assert params["error"] == "unmet_authentication_requirements"


async def test_level1_not_asked_for_level2_gets_a_level1_token():
    async with stub_client() as client:
        flow = LoginFlow(client)
        code = (await flow.code_for(L1_ACTIVE, acr_values=None))["code"]
        body = (await flow.redeem(code)).json()
        keys = jwk.KeySet.import_key_set((await client.get("/jwks")).json())
    assert jwt.decode(body["id_token"], keys).claims["acr"] == LEVEL1


async def test_declining_consent_hands_back_access_denied_with_state_and_iss():
    async with stub_client() as client:
        flow = LoginFlow(client)
        consent = await flow.login_until_consent(L2_ACTIVE)
        assert consent.testids["consent-client-name"] is not None
        params = callback_params(await flow.submit(consent, decision="decline"))
    assert params == {"error": "access_denied", "error_description": params["error_description"],
                      "state": flow.state, "iss": ISSUER}


async def test_consent_cannot_be_submitted_twice():
    async with stub_client() as client:
        flow = LoginFlow(client)
        consent = await flow.login_until_consent(L2_ACTIVE)
        await flow.submit(consent, decision="approve")
        again = read_screen(await flow.submit(consent, decision="approve"))
    assert (again.screen, again.outcome) == ("vneid-error", "PROTOCOL_ERROR")


async def test_skipping_a_stage_is_refused():
    async with stub_client() as client:
        flow = LoginFlow(client)
        login = await _login_screen(flow)
        skipped = read_screen(await client.post(
            "/authorize/consent", data={"tx": login.hidden["tx"], "decision": "approve"}))
    assert skipped.screen == "vneid-error"
