"""Starting a VNeID login: the server-side version gate and the authorization request."""

from __future__ import annotations

import pytest

from fixtures.pkce import s256
from tests.stubs.vssid_fake_idp import ACR_LEVEL2, ISSUER
from tests.stubs.vssid_rig import VSSID_BASE, Rig, query_of, read_screen, vssid_config

pytestmark = pytest.mark.anyio



@pytest.mark.parametrize(
    ("version", "allowed"),
    [("1.6.6", False), ("1.6.7", True), ("1.6.10", True), ("1.6", False),
     ("1.6.7-beta", False), ("1.6.7+build.9", True), ("1.7", True), ("2.0.0", True),
     ("", False), ("abc", False), ("1.6.6.9", False), ("1.6.7.0", True)],
)
async def test_server_enforces_the_minimum_version(version: str, allowed: bool) -> None:
    async with Rig() as rig:
        response = await rig.start(version)
        if allowed:
            assert response.status_code == 303
            assert response.headers["location"].startswith(ISSUER + "/authorize?")
        else:
            screen = read_screen(response)
            assert (screen.screen, screen.outcome) == ("vssid-update", "VSSID_UPDATE_REQUIRED")
            assert 'data-testid="store-link"' in screen.text
            assert "id=com.bhxhapp" in screen.text
        assert len(rig.state.attempts) == (1 if allowed else 0)


async def test_missing_app_version_is_refused() -> None:
    async with Rig() as rig:
        screen = read_screen(await rig.start(None))
        assert screen.outcome == "VSSID_UPDATE_REQUIRED"
        assert len(rig.state.attempts) == 0


async def test_authorization_request_carries_every_parameter() -> None:
    async with Rig() as rig:
        response = await rig.start("1.6.7")
        query = query_of(response.headers["location"])
        assert {k: len(v) for k, v in query.items()} == {
            k: 1 for k in ("client_id", "redirect_uri", "response_type", "scope", "state",
                           "nonce", "code_challenge", "code_challenge_method", "acr_values")}
        params = {k: v[0] for k, v in query.items()}
        assert params["client_id"] == "vssid"
        assert params["redirect_uri"] == VSSID_BASE + "/app/vneid/callback"
        assert params["response_type"] == "code"
        assert params["scope"] == "openid profile id_number"
        assert params["acr_values"] == ACR_LEVEL2
        assert params["code_challenge_method"] == "S256"
        assert len(params["state"]) >= 22 and len(params["nonce"]) >= 22  # >= 128 bits
        attempt = rig.state.attempts.take(params["state"],
                                          rig.vssid.cookies.get("vssid_attempt"))
        assert attempt is not None and attempt.nonce == params["nonce"]
        assert 43 <= len(attempt.code_verifier) <= 128
        assert params["code_challenge"] == s256(attempt.code_verifier)


async def test_each_attempt_is_fresh() -> None:
    async with Rig() as rig:
        first = {k: v[0] for k, v in query_of((await rig.start())
                                              .headers["location"]).items()}
        second = {k: v[0] for k, v in query_of((await rig.start())
                                               .headers["location"]).items()}
        for key in ("state", "nonce", "code_challenge"):
            assert first[key] != second[key]


async def test_attempt_cookie_is_private() -> None:
    async with Rig() as rig:
        response = await rig.start()
        cookie = response.headers["set-cookie"].lower()
        assert cookie.startswith("vssid_attempt=")
        for attribute in ("httponly", "secure", "samesite=lax"):
            assert attribute in cookie
        assert rig.state.attempts.latest_for(rig.vssid.cookies["vssid_attempt"]) is not None


async def test_login_screen_offers_vneid_only_from_the_minimum_version() -> None:
    async with Rig() as rig:
        login = (await rig.vssid.get("/app/login")).text
        assert "Đăng nhập bằng tài khoản định danh điện tử</button>" in login
        assert 'name="app_version" value="1.6.7"' in login
        await rig.vssid.get("/_device", params={"vssid_version": "1.6.6"})
        old = await rig.vssid.get("/app/login")
        assert read_screen(old).screen == "vssid-login"
        assert 'data-testid="vneid-login"' not in old.text
        await rig.vssid.get("/_device", params={"vssid_version": "1.6.10"})
        assert 'data-testid="vneid-login"' in (await rig.vssid.get("/app/login")).text
        await rig.vssid.get("/_device", params={"reset": "1"})
        assert 'value="1.6.7"' in (await rig.vssid.get("/app/login")).text


async def test_json_start_api_returns_the_authorization_url() -> None:
    async with Rig() as rig:
        ok = await rig.vssid.post("/api/vneid/start", data={"app_version": "1.6.7"})
        assert ok.status_code == 200
        assert ok.json()["authorization_url"].startswith(ISSUER + "/authorize?")
        old = await rig.vssid.post("/api/vneid/start", data={"app_version": "1.6.6"})
        assert old.status_code == 403
        assert old.json()["error"] == "update_required"


async def test_unreachable_vneid_gives_idp_error_not_500() -> None:
    config = vssid_config(issuer="https://elsewhere.test")
    async with Rig(config) as rig:
        screen = read_screen(await rig.start())
        assert screen.outcome in ("IDP_ERROR", "PROTOCOL_ERROR")
        assert screen.status < 500


async def test_plain_markup_drops_the_contract_attributes_and_nothing_else() -> None:
    # For proving [rp.locators]: the same screens as a vendor's app without test ids.
    async with Rig(vssid_config(contract_markup=False)) as rig:
        login = await rig.vssid.get("/app/login")
        refused = await rig.start("1.6.6")
        missing = await rig.vssid.get("/nowhere")
    for response in (login, refused, missing):
        assert "data-testid" not in response.text and "data-screen" not in response.text
        assert "data-outcome" not in response.text
    assert 'action="/app/vneid/start"' in login.text
    assert "Cần cập nhật VssID" in refused.text and refused.status_code == 200
    assert missing.status_code == 404
    assert int(login.headers["content-length"]) == len(login.content)
