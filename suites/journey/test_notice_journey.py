"""The notice's journey: VssID → VNeID (level 2) → back to VssID's home screen, and its refusals."""

from __future__ import annotations

import allure
import pytest

from fixtures.drivers.screens import (
    OutcomeScreen,
    VneidConsent,
    VneidLogin,
    VneidPasscode,
    VssidHome,
    expect_screen,
)
from fixtures.oracle import Attempt, Outcome, expected_outcome, masked_id_number

VNEID_BUTTON_TEXT = "Đăng nhập bằng tài khoản định danh điện tử"


def attempt_for(persona, **device) -> Attempt:
    """The oracle's view of a persona logging in with the right credentials and consent."""
    return Attempt(level=persona.level, vneid_status=persona.vneid_status,
                   vssid_account=persona.vssid_account, **device)


def log_in_at_vneid(phone, persona):
    """Bước 1 and 2 of the notice, up to whatever screen follows the passcode."""
    with allure.step("Bước 1: chọn “Đăng nhập bằng tài khoản định danh điện tử” trên VssID"):
        login = phone.open_vssid()
        assert login.offers_vneid_login(), "VssID's login screen has no VNeID button"
        assert login.vneid_button_text() == VNEID_BUTTON_TEXT
        phone.capture("Bước 1 — màn hình đăng nhập VssID")
        vneid = expect_screen(login.choose_vneid_login(), VneidLogin)
    with allure.step("Bước 2: đăng nhập VNeID bằng tài khoản định danh điện tử mức 2"):
        phone.capture("Bước 2 — màn hình đăng nhập VNeID")
        passcode = expect_screen(vneid.log_in(persona.id_number, persona.password), VneidPasscode)
        return passcode.enter(persona.passcode)


@pytest.mark.req("N-FLOW-1", "N-FLOW-2", "N-FLOW-3", "N-FLOW-4", "N-ELIG-1", "N-ELIG-2")
def test_level2_person_with_vssid_account_reaches_home(phone, personas):
    person = personas["l2_active"]
    assert expected_outcome(attempt_for(person)) is Outcome.LOGGED_IN
    consent = expect_screen(log_in_at_vneid(phone, person), VneidConsent)
    with allure.step("Bước 2: đồng ý chia sẻ thông tin với VssID"):
        phone.capture("Bước 2 — VNeID xin đồng ý chia sẻ thông tin")
        assert "VssID" in consent.client_name
        home = expect_screen(consent.approve(), VssidHome)
    with allure.step("Bước 3: VNeID trả về VssID, hiển thị màn hình đã đăng nhập"):
        phone.capture("Bước 3 — màn hình chính VssID")
        assert home.outcome == Outcome.LOGGED_IN
        assert home.person_name == person.name
        assert home.id_number_masked == masked_id_number(person.id_number)
        assert home.social_insurance_code == person.social_insurance_code
    session = phone.vssid_session()
    assert session["logged_in"] is True
    assert session["id_number_masked"] == masked_id_number(person.id_number)


@pytest.mark.req("N-ELIG-2")
def test_level1_person_is_told_level2_is_required(phone, personas):
    person = personas["l1_active"]
    assert expected_outcome(attempt_for(person)) is Outcome.LEVEL2_REQUIRED
    screen = expect_screen(log_in_at_vneid(phone, person), OutcomeScreen)
    phone.capture("Kết quả — yêu cầu tài khoản mức 2")
    assert screen.outcome == Outcome.LEVEL2_REQUIRED
    assert screen.driver.current_url().startswith(phone.vssid_url), "VssID must say it, not VNeID"
    assert phone.vssid_session()["logged_in"] is False


@pytest.mark.req("N-ELIG-1")
def test_person_without_vssid_account_is_sent_to_register(phone, personas):
    person = personas["l2_no_vssid"]
    assert expected_outcome(attempt_for(person)) is Outcome.NO_VSSID_ACCOUNT
    consent = expect_screen(log_in_at_vneid(phone, person), VneidConsent)
    screen = expect_screen(consent.approve(), OutcomeScreen)
    phone.capture("Kết quả — chưa có tài khoản VssID")
    assert screen.outcome == Outcome.NO_VSSID_ACCOUNT
    assert screen.link("register-link"), "the no-account screen offers no way to register"
    assert phone.vssid_session()["logged_in"] is False


@pytest.mark.req("N-VER-2", "N-FLOW-1")
@pytest.mark.parametrize("version", ["1.6.6", "1.6.7"])
def test_vssid_version_gate_on_the_login_screen(phone, version):
    minimum_met = expected_outcome(Attempt(vssid_version=version)) is not \
        Outcome.VSSID_UPDATE_REQUIRED
    phone.set_device(vssid_version=version)
    login = phone.open_vssid()
    phone.capture(f"VssID {version} — màn hình đăng nhập")
    assert login.offers_vneid_login() is minimum_met, (
        f"VssID {version}: VNeID button shown={login.offers_vneid_login()}, "
        f"expected {minimum_met}")


@pytest.mark.req("N-VER-2")
@pytest.mark.parametrize("version", ["1.6.6", "1.6.7"])
def test_vssid_backend_enforces_the_version_gate(vssid_app, version):
    """The server refuses an old app even when the button is forged (not only the UI hides it)."""
    expected = expected_outcome(Attempt(vssid_version=version))
    started = vssid_app.start_vneid_login(version)
    if expected is Outcome.VSSID_UPDATE_REQUIRED:
        assert started.authorization_url is None, f"VssID {version} was handed over to VNeID"
        assert started.outcome == Outcome.VSSID_UPDATE_REQUIRED
    else:
        assert started.authorization_url, f"VssID {version} was not handed over: {started}"
    assert vssid_app.session()["logged_in"] is False
