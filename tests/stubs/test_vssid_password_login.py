"""VssID's own password login: usernames, lockout after wrong passwords, account states."""

from __future__ import annotations

import pytest

from tests.stubs.vssid_rig import Rig, read_screen, vssid_config

pytestmark = pytest.mark.anyio



async def _login(rig: Rig, username: str, password: str):
    return read_screen(await rig.vssid.post("/app/login",
                                            data={"username": username, "password": password}))


@pytest.mark.parametrize("username", ["8423456789", "084190012345"])
async def test_code_or_id_number_with_the_right_password_logs_in(username: str) -> None:
    async with Rig() as rig:
        screen = await _login(rig, username, "Vssid#2023a")
        assert (screen.status, screen.location) == (303, "/app/home")
        assert (await rig.session())["social_insurance_code"] == "8423456789"


@pytest.mark.parametrize("username", ["842345678", "84190012345", "84234567890a", "", "0" * 13,
                                      "084 190 012 345"])
async def test_malformed_usernames_are_refused(username: str) -> None:
    async with Rig() as rig:
        screen = await _login(rig, username, "Vssid#2023a")
        assert (screen.screen, screen.reason) == ("vssid-login", "username_format")
        assert 'data-testid="login-error"' in screen.text
        assert len(rig.state.sessions) == 0


async def test_unknown_username_and_wrong_password_look_alike() -> None:
    async with Rig() as rig:
        unknown = await _login(rig, "1111111111", "Vssid#2023a")
        wrong = await _login(rig, "8423456789", "nope")
        assert unknown.reason == wrong.reason == "bad_credentials"
        assert len(rig.state.sessions) == 0


@pytest.mark.parametrize(("username", "password", "outcome"),
                         [("4856781234", "Vssid#2023c", "VSSID_PENDING"),
                          ("9212340987", "Vssid#2023d", "VSSID_LOCKED")])
async def test_pending_and_locked_accounts_get_their_outcome(username, password, outcome) -> None:
    async with Rig() as rig:
        screen = await _login(rig, username, password)
        assert (screen.screen, screen.outcome) == ("vssid-outcome", outcome)
        assert len(rig.state.sessions) == 0


async def test_five_wrong_passwords_lock_for_fifteen_minutes() -> None:
    now = [1_800_000_000.0]
    async with Rig(clock=lambda: now[0]) as rig:
        for tries_left in (4, 3, 2, 1):
            screen = await _login(rig, "8423456789", "wrong")
            assert screen.reason == "bad_credentials"
            assert f"Còn {tries_left} lần thử" in screen.text
        fifth = await _login(rig, "8423456789", "wrong")
        assert (fifth.reason, fifth.status) == ("password_locked", 429)
        assert "15 phút" in fifth.text
        # Locked: even the right password, by either username, is refused.
        for username in ("8423456789", "084190012345"):
            assert (await _login(rig, username, "Vssid#2023a")).reason == "password_locked"
        now[0] += 15 * 60 - 1
        assert (await _login(rig, "8423456789", "Vssid#2023a")).reason == "password_locked"
        now[0] += 1
        assert (await _login(rig, "8423456789", "Vssid#2023a")).location == "/app/home"


async def test_a_right_password_resets_the_count() -> None:
    async with Rig() as rig:
        for _ in range(4):
            await _login(rig, "8423456789", "wrong")
        assert (await _login(rig, "8423456789", "Vssid#2023a")).location == "/app/home"
        for _ in range(4):
            assert (await _login(rig, "8423456789", "wrong")).reason == "bad_credentials"


async def test_lockout_threshold_is_configurable() -> None:
    async with Rig(vssid_config(password_lockout_threshold=2)) as rig:
        assert (await _login(rig, "8423456789", "wrong")).reason == "bad_credentials"
        assert (await _login(rig, "8423456789", "wrong")).reason == "password_locked"


async def test_lockout_is_per_account() -> None:
    async with Rig() as rig:
        for _ in range(5):
            await _login(rig, "8423456789", "wrong")
        assert (await _login(rig, "0112345670", "Vssid#2023b")).location == "/app/home"


async def test_control_reset_clears_lockouts_and_sessions() -> None:
    token = {"Authorization": "Bearer control-test-token"}
    async with Rig(vssid_config(control_token="control-test-token")) as rig:
        for _ in range(5):
            await _login(rig, "8423456789", "wrong")
        await _login(rig, "0112345670", "Vssid#2023b")
        held = (await rig.vssid.get("/_stub/state", headers=token)).json()
        assert (held["sessions"], held["accounts_with_failures"]) == (1, 1)
        assert (await rig.vssid.post("/_stub/reset", headers=token)).status_code == 200
        assert (await rig.vssid.get("/_stub/state", headers=token)).json() == {
            "attempts": 0, "sessions": 0, "accounts_with_failures": 0, "requests": 0}
        assert (await rig.session())["logged_in"] is False
        assert (await _login(rig, "8423456789", "Vssid#2023a")).location == "/app/home"


async def test_login_form_has_its_test_ids() -> None:
    async with Rig() as rig:
        page = (await rig.vssid.get("/app/login")).text
        for testid in ("username", "password", "login-submit", "vneid-login"):
            assert f'data-testid="{testid}"' in page
        assert '<html lang="vi">' in page
        assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
        assert rig.config.client_secret not in page
