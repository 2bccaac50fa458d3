"""The VNeID app link: request validation, error hand-backs, device state and the version gate."""

from __future__ import annotations

import pytest

from tests.stubs.vneid_flow import (
    ISSUER,
    L2_ACTIVE,
    LoginFlow,
    callback_params,
    read_screen,
    stub_client,
)

pytestmark = pytest.mark.anyio



@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": None}, "invalid_request"),
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge": "too-short"}, "invalid_request"),
        ({"scope": "profile"}, "invalid_scope"),
        ({"prompt": "none"}, "login_required"),
        ({"claims": "{not json"}, "invalid_request"),
        ({"request": "eyJhbGciOiJub25lIn0.e30."}, "request_not_supported"),
        ({"response_mode": "fragment"}, "invalid_request"),
    ],
)
async def test_bad_request_from_a_known_client_is_redirected_with_error_state_and_iss(
        overrides, error):
    async with stub_client() as client:
        flow = LoginFlow(client)
        params = callback_params(await flow.open(**overrides))
    assert params["error"] == error
    assert params["state"] == flow.state
    assert params["iss"] == ISSUER
    assert "code" not in params


async def test_missing_state_is_allowed_and_not_invented():
    async with stub_client() as client:
        flow = LoginFlow(client)
        params = await flow.code_for(L2_ACTIVE, state=None)
    assert "state" not in params and params["code"] and params["iss"] == ISSUER


async def test_repeated_parameter_is_refused_without_echoing_either_state():
    async with stub_client() as client:
        flow = LoginFlow(client)
        query = "&".join(f"{k}={v}" for k, v in flow.authorize_params().items())
        response = await client.get("/authorize?" + query + "&state=second")
    params = callback_params(response)
    assert params["error"] == "invalid_request" and "state" not in params


async def test_repeated_client_id_gets_the_error_page():
    async with stub_client() as client:
        flow = LoginFlow(client)
        query = "&".join(f"{k}={v}" for k, v in flow.authorize_params().items())
        response = await client.get("/authorize?" + query + "&client_id=other")
    assert "location" not in response.headers
    assert read_screen(response).screen == "vneid-request-error"


async def test_not_installed_shows_store_link_and_a_web_fallback_that_continues_the_login():
    async with stub_client() as client:
        device = read_screen(await client.get("/_device?vneid_installed=0"))
        assert device.screen == "vneid-device" and "Thiết bị đã cập nhật" in device.text
        flow = LoginFlow(client)
        screen = read_screen(await flow.open())
        assert (screen.screen, screen.outcome) == ("vneid-not-installed", "VNEID_NOT_INSTALLED")
        assert screen.testids["store-link"]["href"] == (
            "https://play.google.com/store/apps/details?id=com.vnid")
        login = read_screen(await client.get(screen.testids["web-fallback"]["href"]))
        assert login.screen == "vneid-login"
        passcode = read_screen(await flow.submit(
            login, id_number=L2_ACTIVE["id_number"], password=L2_ACTIVE["password"]))
        consent = read_screen(await flow.submit(passcode, passcode=L2_ACTIVE["passcode"]))
        params = callback_params(await flow.submit(consent, decision="approve"))
    assert params["code"] and params["state"] == flow.state


@pytest.mark.parametrize(
    ("version", "allowed"),
    [
        ("2.1.0", True), ("2.1", True), ("2.1.0+build.7", True), ("2.1.1", True),
        ("2.10.0", True), ("10.0", True), ("3", True),
        ("2.0.9", False), ("2.1.0-beta", False), ("2.0", False), ("1.99.99", False),
        ("abc", False), ("2..1", False), ("v2.1.0", False), ("", None),
    ],
)
async def test_version_gate_is_numeric_and_inclusive(version, allowed):
    async with stub_client() as client:
        device = await client.get("/_device", params={"vneid_version": version})
        if allowed is None:
            assert read_screen(device).screen == "vneid-device" and device.status_code == 400
            return
        screen = read_screen(await LoginFlow(client).open())
    if allowed:
        assert screen.screen == "vneid-login"
    else:
        assert (screen.screen, screen.outcome) == ("vneid-update", "VNEID_UPDATE_REQUIRED")
        assert "com.vnid" in screen.testids["store-link"]["href"]
        assert screen.form_action is None, "no hand-back from the update screen"


async def test_device_reset_restores_the_defaults():
    async with stub_client() as client:
        await client.get("/_device?vneid_installed=0&vneid_version=1.0")
        reset = await client.get("/_device?reset=1")
        assert "vneid_device" not in client.cookies
        screen = read_screen(await LoginFlow(client).open())
    assert reset.status_code == 200 and screen.screen == "vneid-login"


async def test_device_settings_merge():
    async with stub_client() as client:
        await client.get("/_device?vneid_version=2.0.0")
        await client.get("/_device?vneid_installed=1")
        screen = read_screen(await LoginFlow(client).open())
    assert screen.screen == "vneid-update"


async def test_an_unknown_or_stale_transaction_gets_the_error_page():
    async with stub_client() as client:
        response = await client.post("/authorize/login",
                                     data={"tx": "nope", "id_number": "084190012345"})
        web = await client.get("/authorize/web?tx=nope")
    for r in (response, web):
        screen = read_screen(r)
        assert (screen.screen, screen.outcome) == ("vneid-error", "PROTOCOL_ERROR")
