"""The journey on a phone: VNeID missing, old apps, VssID killed or restarted, forged links."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import allure
import pytest

from fixtures.drivers.screens import (
    OutcomeScreen,
    Screen,
    VneidConsent,
    VneidLogin,
    VneidPasscode,
    VssidHome,
    VssidLogin,
    arrive,
    expect_screen,
)
from fixtures.oracle import PROTOCOL_ERROR, Attempt, Outcome, expected_outcome

# The store pages the notice's apps live at (Android package names, APP-05 / APP-06).
VNEID_PACKAGE = "com.vnid"
# A state of fewer than 128 random bits (22 base64url characters) is guessable (RP-03).
MIN_STATE_CHARS = 22


@dataclass(frozen=True)
class AppLink:
    """The VNeID app link VssID opened: an authorization request, readable and re-writable."""

    url: str

    @property
    def params(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.url).query).items()}

    def with_params(self, **changes: str) -> AppLink:
        """The same link with some parameters replaced (what a hostile app would send)."""
        parts = urlsplit(self.url)
        return AppLink(urlunsplit(parts._replace(query=urlencode({**self.params, **changes}))))


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def web_phone(request: pytest.FixtureRequest, phone, driver_name: str):
    """The phone, when its device state is the kit's to set (not a real device's OS)."""
    if driver_name == "appium" and request.getfixturevalue("device_profile").kind == "native":
        pytest.skip("not applicable on a real device: the OS decides which apps are installed "
                    "and their versions (docs/devices.md)")
    return phone


def hand_over(phone) -> tuple[VneidLogin, AppLink]:
    """Bước 1: VssID's VNeID button, up to VNeID's login screen and the app link used."""
    login = phone.open_vssid()
    vneid = expect_screen(login.choose_vneid_login(), VneidLogin)
    return vneid, AppLink(phone.driver.current_url())


def log_in_and_approve(vneid: VneidLogin, person) -> Screen:
    """Bước 2 at VNeID: credentials, passcode, consent; returns where the hand-back lands."""
    passcode = expect_screen(vneid.log_in(person.id_number, person.password), VneidPasscode)
    consent = expect_screen(passcode.enter(person.passcode), VneidConsent)
    return consent.approve()


def open_link(phone, link: AppLink) -> Screen:
    """The OS delivers an app link to the phone (possibly an old or a forged one)."""
    phone.driver.open(link.url)
    return arrive(phone.driver)


def assert_refused_without_session(phone, screen: Screen, why: str) -> None:
    __tracebackhide__ = True
    refused = expect_screen(screen, OutcomeScreen)
    assert refused.outcome == PROTOCOL_ERROR, f"{why}: expected {PROTOCOL_ERROR}, got {refused}"
    assert phone.vssid_session()["logged_in"] is False, f"{why}: VssID opened a session"


@pytest.mark.req("APP-06", "N-FLOW-2", "RP-17")
def test_vneid_not_installed_offers_the_store_and_a_verified_web_fallback(web_phone, personas):
    phone, person = web_phone, personas["l2_active"]
    assert expected_outcome(Attempt(vneid_installed=False)) is Outcome.VNEID_NOT_INSTALLED
    phone.set_device(vneid_installed=False)
    with allure.step("VNeID chưa được cài: VssID chuyển sang trang cài đặt hoặc đăng nhập web"):
        screen = expect_screen(phone.open_vssid().choose_vneid_login(), OutcomeScreen)
        phone.capture("VNeID chưa cài đặt")
        assert screen.outcome == Outcome.VNEID_NOT_INSTALLED
        store, fallback = screen.link("store-link"), screen.link("web-fallback")
        assert store and VNEID_PACKAGE in store and store.startswith("https://"), (
            f"expected an https store link to {VNEID_PACKAGE}, got {store!r}")
        assert fallback, "no web fallback: the person is at a dead end"
        where = urljoin(phone.driver.current_url(), fallback)
        assert origin(where) == origin(phone.vneid_url), (
            f"the web fallback leaves VNeID's verified origin: {where}")
    with allure.step("Tiếp tục trên trình duyệt: đăng nhập và quay về VssID"):
        phone.driver.tap("web-fallback")
        home = expect_screen(log_in_and_approve(VneidLogin(phone.driver), person), VssidHome)
        phone.capture("Đăng nhập web — màn hình chính VssID")
        assert home.person_name == person.name
    assert phone.vssid_session()["logged_in"] is True


VERSION_PAIRS = [
    pytest.param("1.6.6", "2.1.0", id="vssid-1.6.6"),
    pytest.param("1.6.7", "2.0.9", id="vneid-2.0.9"),
    pytest.param("1.6.7", "2.1.0", id="both-minimum"),
    pytest.param("1.6.6", "2.0.9", id="both-old"),
    pytest.param("1.6.10", "2.1", id="numeric-compare", marks=pytest.mark.req("APP-08")),
]


@pytest.mark.req("N-VER-1", "N-VER-2", "APP-05")
@pytest.mark.parametrize(("vssid_version", "vneid_version"), VERSION_PAIRS)
def test_app_versions_on_the_phone_gate_the_hand_over(web_phone, vssid_version, vneid_version):
    phone = web_phone
    expected = expected_outcome(Attempt(vssid_version=vssid_version,
                                        vneid_version=vneid_version))
    phone.set_device(vssid_version=vssid_version, vneid_version=vneid_version)
    login = phone.open_vssid()
    label = f"VssID {vssid_version}, VNeID {vneid_version}"
    if expected is Outcome.VSSID_UPDATE_REQUIRED:
        phone.capture(f"{label} — VssID cần cập nhật")
        assert not login.offers_vneid_login(), f"{label}: the VNeID button is offered"
        assert phone.driver.is_present("vneid-unavailable"), f"{label}: no update hint"
        return
    assert login.offers_vneid_login(), f"{label}: expected the VNeID button, it is hidden"
    screen = login.choose_vneid_login()
    phone.capture(f"{label} — sau khi chọn đăng nhập VNeID")
    if expected is Outcome.VNEID_UPDATE_REQUIRED:
        gate = expect_screen(screen, OutcomeScreen)
        assert gate.outcome == Outcome.VNEID_UPDATE_REQUIRED, f"{label}: got {gate}"
        store = gate.link("store-link")
        assert store and VNEID_PACKAGE in store, f"{label}: no store link to {VNEID_PACKAGE}"
        assert phone.vssid_session()["logged_in"] is False
    else:
        expect_screen(screen, VneidLogin)


@pytest.mark.req("APP-04")
def test_vssid_killed_while_in_vneid_restarts_with_a_fresh_attempt(web_phone, personas):
    phone, person = web_phone, personas["l2_active"]
    first_vneid, first = hand_over(phone)
    with allure.step("VssID bị tắt khi VNeID đang mở, rồi được mở lại từ màn hình chính"):
        passcode = expect_screen(
            first_vneid.log_in(person.id_number, person.password), VneidPasscode)
        expect_screen(passcode.enter(person.passcode), VneidConsent)
        relaunched = phone.open_vssid()
        assert isinstance(relaunched, VssidLogin)
        assert phone.vssid_session()["logged_in"] is False, "a half-done hand-over left a session"
    with allure.step("Đăng nhập lại: một lần thử mới, hoàn toàn khác lần trước"):
        vneid, second = hand_over(phone)
        for name in ("state", "nonce", "code_challenge"):
            assert second.params[name] != first.params[name], f"{name} reused after a restart"
        assert len(second.params["state"]) >= MIN_STATE_CHARS, "state is short enough to guess"
        home = expect_screen(log_in_and_approve(vneid, person), VssidHome)
        phone.capture("Sau khi khởi động lại — màn hình chính VssID")
        assert home.person_name == person.name
    with allure.step("VNeID gửi lại yêu cầu đã dùng: VssID phải từ chối"):
        phone.driver.tap("logout")
        stale = log_in_and_approve(expect_screen(open_link(phone, second), VneidLogin), person)
        phone.capture("Yêu cầu cũ bị từ chối")
        assert_refused_without_session(phone, stale, "a used attempt was accepted again")


@pytest.mark.req("APP-04")
def test_warm_restart_after_a_declined_consent_reaches_home(web_phone, personas):
    phone, person = web_phone, personas["l2_active"]
    vneid, declined_link = hand_over(phone)
    passcode = expect_screen(vneid.log_in(person.id_number, person.password), VneidPasscode)
    consent = expect_screen(passcode.enter(person.passcode), VneidConsent)
    cancelled = expect_screen(consent.decline(), OutcomeScreen)
    assert cancelled.outcome == Outcome.CANCELLED
    with allure.step("VssID vẫn đang chạy: thử lại ngay"):
        phone.driver.tap("restart-login" if phone.driver.is_present("restart-login")
                         else "back-to-login")
        login = VssidLogin(phone.driver)
        vneid = expect_screen(login.choose_vneid_login(), VneidLogin)
        retry = AppLink(phone.driver.current_url())
        assert retry.params["state"] != declined_link.params["state"]
        home = expect_screen(log_in_and_approve(vneid, person), VssidHome)
        assert home.person_name == person.name
    with allure.step("Yêu cầu đã bị từ chối không được dùng lại"):
        phone.driver.tap("logout")
        stale = log_in_and_approve(expect_screen(open_link(phone, declined_link), VneidLogin),
                                   person)
        assert_refused_without_session(phone, stale, "a declined attempt was completed later")


@pytest.mark.req("APP-03")
def test_forged_callback_links_are_refused_and_the_real_login_survives(web_phone, personas):
    phone, person = web_phone, personas["l2_active"]
    _, real = hand_over(phone)
    callback = real.params["redirect_uri"]
    with allure.step("Liên kết quay lại giả mạo mở thẳng trên VssID"):
        junk = AppLink(f"{callback}?" + urlencode({
            "code": "forged", "state": "forged", "iss": phone.vneid_url}))
        assert_refused_without_session(phone, open_link(phone, junk), "a made-up callback")
    with allure.step("Mã thật nhưng state do kẻ tấn công đặt"):
        foreign = real.with_params(state=secrets.token_urlsafe(32))
        landed = log_in_and_approve(expect_screen(open_link(phone, foreign), VneidLogin), person)
        phone.capture("Callback với state lạ bị từ chối")
        assert_refused_without_session(phone, landed, "a callback with a state VssID never issued")
    with allure.step("Lần đăng nhập thật vẫn hoàn tất"):
        home = expect_screen(
            log_in_and_approve(expect_screen(open_link(phone, real), VneidLogin), person),
            VssidHome)
        assert home.person_name == person.name


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@pytest.mark.req("APP-02")
def test_a_response_made_for_a_hostile_apps_request_is_useless_to_vssid(web_phone, personas):
    """A hostile app reuses VssID's state with its own PKCE challenge; the code it gets back
    is bound to that challenge, so VssID's redemption (with VssID's verifier) must fail."""
    phone, person = web_phone, personas["l2_active"]
    _, real = hand_over(phone)
    hostile = real.with_params(code_challenge=s256(secrets.token_urlsafe(48)))
    landed = log_in_and_approve(expect_screen(open_link(phone, hostile), VneidLogin), person)
    phone.capture("Mã của ứng dụng giả mạo bị từ chối")
    assert_refused_without_session(phone, landed, "a code bound to another PKCE challenge")
