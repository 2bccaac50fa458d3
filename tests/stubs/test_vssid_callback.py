"""The VNeID callback: iss/state checks, OAuth errors, code redemption and account mapping."""

from __future__ import annotations

import pytest

from tests.stubs.vssid_fake_idp import ISSUER
from tests.stubs.vssid_rig import Rig, query_of, read_screen

pytestmark = pytest.mark.anyio

LOGGED_OUT = {"logged_in": False, "id_number_masked": None, "name": None,
              "social_insurance_code": None}



async def _assert_no_session(rig: Rig) -> None:
    assert await rig.session() == LOGGED_OUT
    assert len(rig.state.sessions) == 0
    assert "vssid_session" not in rig.vssid.cookies


async def test_happy_path_opens_a_session_and_shows_home() -> None:
    async with Rig() as rig:
        screen = await rig.login()
        assert (screen.status, screen.location) == (303, "/app/home")
        assert await rig.session() == {
            "logged_in": True, "id_number_masked": "084******345",
            "name": "Nguyễn Thị Thu Hà", "social_insurance_code": "8423456789"}
        home = read_screen(await rig.vssid.get("/app/home"))
        assert (home.screen, home.outcome) == ("vssid-home", "LOGGED_IN")
        assert 'data-testid="home-id-number">084******345<' in home.text
        assert 'data-testid="home-social-insurance-code">8423456789<' in home.text
        assert "084190012345" not in home.text
        # RP-07 / RP-20: one backend token request, with the verifier and basic auth.
        [token_request] = rig.idp.token_requests
        assert token_request["authorization"].startswith("Basic ")
        assert 43 <= len(token_request["code_verifier"]) <= 128
        assert token_request["redirect_uri"] == "https://vssid.test/app/vneid/callback"
        assert "client_secret" not in token_request


async def test_session_cookie_attributes_and_logout() -> None:
    async with Rig() as rig:
        started = await rig.start()
        handback = await rig.authorize(started)
        response = await rig.callback(handback)
        cookie = response.headers["set-cookie"].lower()
        assert cookie.startswith("vssid_session=")
        for attribute in ("httponly", "secure", "samesite=lax"):
            assert attribute in cookie
        logout = await rig.vssid.post("/app/logout")
        assert logout.headers["location"] == "/app/login"
        await _assert_no_session(rig)
        assert (await rig.vssid.get("/app/home")).headers["location"] == "/app/login"


@pytest.mark.parametrize(
    ("id_number", "outcome", "testid"),
    [("079088006789", "NO_VSSID_ACCOUNT", "register-link"),
     ("048201000567", "VSSID_PENDING", "back-to-login"),
     ("092185007777", "VSSID_LOCKED", "back-to-login")],
)
async def test_account_states_end_on_their_outcome(id_number, outcome, testid) -> None:
    async with Rig() as rig:
        rig.idp.script.id_number = id_number
        screen = await rig.login()
        assert (screen.screen, screen.outcome) == ("vssid-outcome", outcome)
        for marker in ("outcome-title", "outcome-message", "back-to-login", testid):
            assert f'data-testid="{marker}"' in screen.text
        await _assert_no_session(rig)


async def test_every_active_persona_logs_in_as_themselves() -> None:
    active = {"084190012345": "8423456789", "001095004321": "0112345670",
              "031075002468": "3187654321"}
    for id_number, code in active.items():
        async with Rig() as rig:
            rig.idp.script.id_number = id_number
            assert (await rig.login()).location == "/app/home"
            assert (await rig.session())["social_insurance_code"] == code


@pytest.mark.parametrize(
    ("error", "outcome"),
    [("access_denied", "CANCELLED"),
     ("unmet_authentication_requirements", "LEVEL2_REQUIRED"),
     ("login_required", "IDP_ERROR"),
     ("interaction_required", "IDP_ERROR"),
     ("server_error", "IDP_ERROR"),
     ("temporarily_unavailable", "IDP_ERROR"),
     ("something_new", "IDP_ERROR")],
)
async def test_idp_errors_map_to_outcomes(error: str, outcome: str) -> None:
    async with Rig() as rig:
        rig.idp.script.authorize_error = error
        screen = await rig.login()
        assert (screen.screen, screen.outcome) == ("vssid-outcome", outcome)
        assert rig.idp.token_requests == []
        await _assert_no_session(rig)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [({"state": "forged-state-value-000000000000"}, "attempt_unknown"),
     ({"state": None}, "attempt_unknown"),
     ({"iss": "https://evil.test"}, "iss_mismatch"),
     ({"iss": ISSUER + "/"}, "iss_mismatch"),
     ({"iss": None}, "iss_missing"),
     ({"code": None}, "code_missing")],
)
async def test_bad_authorization_responses_are_refused(overrides: dict, reason: str) -> None:
    async with Rig() as rig:
        rig.idp.script.response_params = overrides
        screen = await rig.login()
        assert (screen.outcome, screen.reason) == ("PROTOCOL_ERROR", reason)
        assert screen.status == 400
        assert rig.idp.token_requests == []
        await _assert_no_session(rig)


@pytest.mark.parametrize(("error", "message"),
                         [("login_required", "VNeID yêu cầu bạn đăng nhập lại"),
                          ("interaction_required", "VNeID cần bạn thao tác thêm"),
                          ("server_error", "Vui lòng thử lại sau ít phút")])
async def test_try_again_screens_say_why(error: str, message: str) -> None:
    async with Rig() as rig:
        rig.idp.script.authorize_error = error
        screen = await rig.login()
        assert message in screen.text
        assert 'data-testid="restart-login"' in screen.text


async def test_missing_iss_accepted_when_the_idp_does_not_advertise_it() -> None:
    async with Rig() as rig:
        rig.idp.script.advertise_iss = False
        rig.idp.script.response_params = {"iss": None}
        assert (await rig.login()).location == "/app/home"


async def test_attempt_is_bound_to_the_browser_that_started_it() -> None:
    async with Rig() as rig:
        handback = await rig.authorize(await rig.start())
        rig.vssid.cookies.clear()  # another browser receives the hand-back
        screen = read_screen(await rig.callback(handback))
        assert (screen.outcome, screen.reason) == ("PROTOCOL_ERROR", "attempt_unknown")
        await _assert_no_session(rig)


async def test_attempt_is_single_use() -> None:
    async with Rig() as rig:
        handback = await rig.authorize(await rig.start())
        assert (await rig.callback(handback)).headers["location"] == "/app/home"
        await rig.vssid.post("/app/logout")
        replay = read_screen(await rig.callback(handback))
        assert (replay.outcome, replay.reason) == ("PROTOCOL_ERROR", "attempt_unknown")
        assert len(rig.idp.token_requests) == 1
        await _assert_no_session(rig)


async def test_late_callback_is_refused() -> None:
    now = [1_800_000_000.0]
    async with Rig(clock=lambda: now[0]) as rig:
        handback = await rig.authorize(await rig.start())
        now[0] += rig.config.attempt_ttl_seconds
        screen = read_screen(await rig.callback(handback))
        assert (screen.outcome, screen.reason) == ("PROTOCOL_ERROR", "attempt_unknown")
        assert rig.idp.token_requests == []


async def test_invalid_grant_restarts_cleanly_without_a_retry() -> None:
    async with Rig() as rig:
        rig.idp.script.token_status = 400
        rig.idp.script.token_error = "invalid_grant"
        screen = await rig.login()
        assert (screen.outcome, screen.reason) == ("PROTOCOL_ERROR", "invalid_grant")
        assert 'data-testid="restart-login"' in screen.text
        assert len(rig.idp.token_requests) == 1
        await _assert_no_session(rig)


async def test_token_endpoint_server_error_is_idp_error() -> None:
    async with Rig() as rig:
        rig.idp.script.token_status = 503
        screen = await rig.login()
        assert screen.outcome == "IDP_ERROR"
        await _assert_no_session(rig)


async def test_callback_ignores_unknown_parameters_and_never_follows_them() -> None:
    async with Rig() as rig:
        rig.idp.script.response_params = {"next": "https://evil.test/",
                                          "return_to": "https://evil.test/",
                                          "utm_source": "x"}
        screen = await rig.login()
        assert screen.location == "/app/home"


async def test_callback_path_is_exact() -> None:
    async with Rig() as rig:
        handback = await rig.authorize(await rig.start())
        query = handback.headers["location"].split("?", 1)[1]
        for path in ("/app/vneid/callback/", "/app/vneid/callbackx", "/APP/vneid/callback"):
            response = await rig.vssid.get(path + "?" + query)
            assert response.status_code == 404
            assert "location" not in response.headers
        assert query_of(handback.headers["location"])["state"]
        await _assert_no_session(rig)
