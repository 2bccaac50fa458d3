"""The journey on a phone: VNeID missing, old apps, VssID killed or restarted, forged links."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import allure
import pytest

from fixtures.drivers.app_driver import ScreenError
from fixtures.drivers.screens import (
    OutcomeScreen,
    Screen,
    VneidConsent,
    VneidLogin,
    VneidPasscode,
    VssidHome,
    VssidLogin,
    arrive,
)
from fixtures.oracle import Attempt, Outcome, expected_outcome, masked_id_number
from fixtures.redaction import redact_url
from fixtures.verdicts import KitError, check, fail, needs
from suites.journey.judging import (
    address,
    describe,
    no_session,
    reach,
    refused_without_session,
    session_for,
    shows,
    shows_outcome,
    vneid_took_the_credentials,
)

# The store pages the notice's apps live at (Android package names, APP-05 / APP-06).
VNEID_PACKAGE = "com.vnid"
# A state of fewer than 128 random bits (22 base64url characters) is guessable (RP-03).
MIN_STATE_CHARS = 22
# The test that judges the steps these tests only pass through.
JOURNEY = "test_notice_journey.py::test_level2_person_with_vssid_account_reaches_home"
# What the kit reads off the app link VssID opens (the authorization request's parameters).
REQUEST_PARAMETERS = ("client_id", "redirect_uri", "state", "nonce", "code_challenge")


@dataclass(frozen=True)
class AppLink:
    """The VNeID app link VssID opened: an authorization request, readable and re-writable."""

    url: str

    @property
    def params(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.url).query).items()}

    def param(self, name: str) -> str:
        """One parameter of the request; the kit's error (saying why) when the phone cannot
        read it off the URL of VNeID's screen."""
        value = self.params.get(name)
        if value:
            return value
        present = [p for p in REQUEST_PARAMETERS if p in self.params]
        if {"client_id", "redirect_uri"} <= set(present):
            raise KitError(
                f"could not judge: the authorization request VssID opened VNeID with carries "
                f"no {name!r} (it has {', '.join(present)}), and this test compares or "
                f"rewrites {name!r}",
                fix=f"the request's {name!r} is judged by suites/rp (RP-02, RP-03, RP-04); once "
                    "VssID sends it, this test can run")
        raise KitError(
            f"the authorization request's parameters are not in the URL of VNeID's screen: the "
            f"phone is at {address(self.url)} with no {name!r} in its query (it has "
            f"{', '.join(present) or 'none of them'}), so VNeID moved VssID's app link inside "
            "its own site (to /interaction/<id>, /login?next=… or the like) before the phone "
            "could read it",
            fix="these device tests read state, nonce and code_challenge off the app link as "
                "the phone sees it, which needs a VNeID whose login screen keeps the "
                "authorization request in its URL (the kit's own VNeID does: idp.kind = "
                "\"embedded\"); the relying party's request itself is checked by suites/rp, "
                "which keeps the hand-over link at the protocol level")

    def with_params(self, **changes: str) -> AppLink:
        """The same link with some parameters replaced (what a hostile app would send)."""
        for name in changes:
            self.param(name)  # only a request the phone can read can be rewritten
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
    vneid = reach(login.choose_vneid_login(), VneidLogin,
                  "VssID hands over to VNeID once VNeID login is chosen",
                  f"{JOURNEY} (N-FLOW-2)")
    return vneid, AppLink(phone.driver.current_url())


def log_in_and_approve(vneid: VneidLogin, person, key: str = "l2_active") -> Screen:
    """Bước 2 at VNeID: credentials, passcode, consent; returns where the hand-back lands."""
    after = vneid.log_in(person.id_number, person.password)
    vneid_took_the_credentials(after, key)
    passcode = reach(after, VneidPasscode, "VNeID asks for the passcode after the password",
                     f"{JOURNEY} (N-FLOW-3)")
    consent = reach(passcode.enter(person.passcode), VneidConsent,
                    "VNeID asks for consent after the passcode", f"{JOURNEY} (N-FLOW-3)")
    return consent.approve()


def open_link(phone, link: AppLink) -> Screen:
    """The OS delivers an app link to the phone (possibly an old or a forged one)."""
    phone.driver.open(link.url)
    return arrive(phone.driver)


def open_at_vneid(phone, link: AppLink, what: str) -> VneidLogin:
    """An app link to VNeID (kept, replayed or rewritten) opens VNeID's login: the way to the
    callback whose handling by VssID the test judges."""
    screen = open_link(phone, link)
    if not isinstance(screen, VneidLogin):
        raise KitError(
            f"could not judge: VNeID did not show its login for {what} (it shows "
            f"{describe(screen)}), so the callback VssID would have to refuse never came",
            fix="VNeID refusing such a request itself is its own protection (judged by "
                "suites/idp); this test needs a VNeID that lets it through to VssID, as the "
                "kit's own VNeID does (idp.kind = \"embedded\")")
    return screen


@pytest.mark.req("APP-06", "N-FLOW-2", "RP-17")
def test_vneid_not_installed_offers_the_store_and_a_verified_web_fallback(web_phone, personas):
    phone, person = web_phone, personas["l2_active"]
    needs(expected_outcome(Attempt(vneid_installed=False)) is Outcome.VNEID_NOT_INSTALLED,
          "the oracle does not expect VNEID_NOT_INSTALLED for a phone without VNeID (a bug of "
          "fixtures/oracle.py)")
    phone.set_device(vneid_installed=False)
    with allure.step("VNeID chưa được cài: VssID chuyển sang trang cài đặt hoặc đăng nhập web"):
        screen = phone.open_vssid().choose_vneid_login()
        phone.capture("VNeID chưa cài đặt")
        screen = shows_outcome(screen, Outcome.VNEID_NOT_INSTALLED, "N-FLOW-2",
                               "a clear install or web-login path once VNeID login is chosen on "
                               "a phone without VNeID")
        store, fallback = screen.link("store-link"), screen.link("web-fallback")
        check(store or fallback, "APP-06",
              "a store link or a web fallback on the not-installed screen",
              "neither: the person is at a dead end")
        check(store, "APP-06", f"a store link to {VNEID_PACKAGE} (store-link)", "no store link")
        check(store.startswith("https://") and VNEID_PACKAGE in store, "RP-17",
              f"the store's https page of {VNEID_PACKAGE}, never an arbitrary handler",
              f"a link to {redact_url(store)}")
        check(fallback, "APP-06", "a web fallback to log in without the app (web-fallback)",
              "no web fallback")
        where = urljoin(phone.driver.current_url(), fallback)
        check(origin(where) == origin(phone.vneid_url), "APP-06",
              f"a web fallback on VNeID's own verified origin {origin(phone.vneid_url)}",
              f"a web fallback that leaves it, to {address(where)}")
    with allure.step("Tiếp tục trên trình duyệt: đăng nhập và quay về VssID"):
        phone.driver.tap("web-fallback")
        vneid = shows(arrive(phone.driver), VneidLogin, "APP-06",
                      "VNeID's login in the browser once the web fallback is chosen")
        home = shows(log_in_and_approve(vneid, person), VssidHome, "APP-06",
                     "VssID's home screen once the web login hands back")
        phone.capture("Đăng nhập web — màn hình chính VssID")
        check(home.person_name == person.name, "APP-06",
              "the home screen of the person who logged in on the web", "a different name")
    session_for(phone, "APP-06", masked_id_number(person.id_number), "the web login")


# (VssID version, VNeID version, the requirement a wrong verdict on this pair breaks: a pair
# at the minimums breaks the notice's gates, a pair only numeric comparison gets right APP-08).
VERSION_PAIRS = [
    pytest.param("1.6.6", "2.1.0", None, id="vssid-1.6.6"),
    pytest.param("1.6.7", "2.0.9", None, id="vneid-2.0.9"),
    pytest.param("1.6.7", "2.1.0", None, id="both-minimum"),
    pytest.param("1.6.6", "2.0.9", None, id="both-old"),
    pytest.param("1.6.10", "2.1", "APP-08", id="numeric-compare",
                 marks=pytest.mark.req("APP-08")),
]


@pytest.mark.req("N-VER-1", "N-VER-2", "APP-05")
@pytest.mark.parametrize(("vssid_version", "vneid_version", "comparison"), VERSION_PAIRS)
def test_app_versions_on_the_phone_gate_the_hand_over(web_phone, vssid_version, vneid_version,
                                                      comparison):
    phone = web_phone
    vssid_gate, vneid_gate = comparison or "N-VER-2", comparison or "N-VER-1"
    expected = expected_outcome(Attempt(vssid_version=vssid_version,
                                        vneid_version=vneid_version))
    phone.set_device(vssid_version=vssid_version, vneid_version=vneid_version)
    login = phone.open_vssid()
    label = f"VssID {vssid_version}, VNeID {vneid_version}"
    if expected is Outcome.VSSID_UPDATE_REQUIRED:
        phone.capture(f"{label} — VssID cần cập nhật")
        check(not login.offers_vneid_login(), vssid_gate,
              f"{label}: no VNeID login offered (VssID is below 1.6.7)",
              "the VNeID button is offered")
        check(phone.driver.is_present("vneid-unavailable"), "APP-05",
              f"{label}: the login screen tells the person to update VssID "
              "(vneid-unavailable)", "no update hint")
        return
    check(login.offers_vneid_login(), vssid_gate,
          f"{label}: the VNeID button (VssID {vssid_version} is at or above 1.6.7)",
          "the VNeID button is hidden")
    screen = login.choose_vneid_login()
    phone.capture(f"{label} — sau khi chọn đăng nhập VNeID")
    # A gate that closes where it should open fails the requirement of the app that closed it.
    if screen.outcome == Outcome.VSSID_UPDATE_REQUIRED:
        fail(vssid_gate, f"{label}: VssID {vssid_version} accepted (at or above 1.6.7)",
             describe(screen), evidence=f"the screen on show: {screen!r}")
    if screen.outcome == Outcome.VNEID_UPDATE_REQUIRED and \
            expected is not Outcome.VNEID_UPDATE_REQUIRED:
        fail(vneid_gate, f"{label}: VNeID {vneid_version} accepted (at or above 2.1.0)",
             describe(screen), evidence=f"the screen on show: {screen!r}")
    if expected is Outcome.VNEID_UPDATE_REQUIRED:
        gate = shows_outcome(screen, Outcome.VNEID_UPDATE_REQUIRED, vneid_gate,
                             f"{label}: VNeID tells the person to update it (below 2.1.0)")
        store = gate.link("store-link")
        check(store and VNEID_PACKAGE in store, "APP-05",
              f"{label}: a store link to {VNEID_PACKAGE} on the update screen",
              f"a link to {redact_url(store)}" if store else "no store link")
        no_session(phone, vneid_gate, f"{label}: a hand-over to an old VNeID")
    else:
        shows(screen, VneidLogin, vneid_gate,
              f"{label}: VNeID's login (VNeID {vneid_version} is at or above 2.1.0)")


@pytest.mark.req("APP-04")
def test_vssid_killed_while_in_vneid_restarts_with_a_fresh_attempt(web_phone, personas):
    phone, person = web_phone, personas["l2_active"]
    first_vneid, first = hand_over(phone)
    with allure.step("VssID bị tắt khi VNeID đang mở, rồi được mở lại từ màn hình chính"):
        after = first_vneid.log_in(person.id_number, person.password)
        vneid_took_the_credentials(after, "l2_active")
        passcode = reach(after, VneidPasscode, "VNeID asks for the passcode after the password")
        reach(passcode.enter(person.passcode), VneidConsent,
              "VNeID asks for consent after the passcode")
        try:
            phone.open_vssid()
        except ScreenError:
            fail("APP-04", "VssID's login screen when VssID is launched again",
                 describe(arrive(phone.driver)))
        no_session(phone, "APP-04", "VssID was killed during a hand-over")
    with allure.step("Đăng nhập lại: một lần thử mới, hoàn toàn khác lần trước"):
        vneid, second = hand_over(phone)
        for name in ("state", "nonce", "code_challenge"):
            check(second.param(name) != first.param(name), "APP-04",
                  f"a fresh {name} for the attempt after the restart",
                  f"the same {name} as the attempt VssID was killed in")
        state = second.param("state")
        check(len(state) >= MIN_STATE_CHARS, "APP-04",
              f"a state of at least {MIN_STATE_CHARS} characters (128 random bits) for the "
              "fresh attempt", f"a state of {len(state)} characters", clause="RFC 6749 §10.12")
        home = shows(log_in_and_approve(vneid, person), VssidHome, "APP-04",
                     "VssID's home screen at the end of the fresh attempt")
        phone.capture("Sau khi khởi động lại — màn hình chính VssID")
        check(home.person_name == person.name, "APP-04",
              "the home screen of the person who logged in", "a different name")
    with allure.step("VNeID gửi lại yêu cầu đã dùng: VssID phải từ chối"):
        phone.driver.tap("logout")
        stale = log_in_and_approve(open_at_vneid(phone, second, "the used request"), person)
        phone.capture("Yêu cầu cũ bị từ chối")
        refused_without_session(phone, stale, "APP-04",
                                "a callback for an attempt that was already used")


@pytest.mark.req("APP-04")
def test_warm_restart_after_a_declined_consent_reaches_home(web_phone, personas):
    phone, person = web_phone, personas["l2_active"]
    vneid, declined_link = hand_over(phone)
    after = vneid.log_in(person.id_number, person.password)
    vneid_took_the_credentials(after, "l2_active")
    passcode = reach(after, VneidPasscode, "VNeID asks for the passcode after the password")
    consent = reach(passcode.enter(person.passcode), VneidConsent,
                    "VNeID asks for consent after the passcode")
    cancelled = reach(consent.decline(), OutcomeScreen,
                      "VssID ends the attempt once the consent is declined",
                      "suites/idp and suites/rp (IDP-12, RP-14)")
    needs(cancelled.outcome == Outcome.CANCELLED,
          f"VssID's {Outcome.CANCELLED} screen after the consent is declined (the start of a "
          f"warm restart), but the phone shows {describe(cancelled)}",
          fix="a declined consent is judged by IDP-12 and RP-14 (suites/idp, suites/rp)")
    with allure.step("VssID vẫn đang chạy: thử lại ngay"):
        phone.driver.tap("restart-login" if phone.driver.is_present("restart-login")
                         else "back-to-login")
        login = shows(arrive(phone.driver), VssidLogin, "APP-04",
                      "VssID's login screen to try again, while VssID is still running")
        vneid = reach(login.choose_vneid_login(), VneidLogin,
                      "VssID hands over to VNeID once VNeID login is chosen again")
        retry = AppLink(phone.driver.current_url())
        check(retry.param("state") != declined_link.param("state"), "APP-04",
              "a fresh state for the retry", "the same state as the declined attempt")
        home = shows(log_in_and_approve(vneid, person), VssidHome, "APP-04",
                     "VssID's home screen at the end of the retry")
        check(home.person_name == person.name, "APP-04",
              "the home screen of the person who logged in", "a different name")
    with allure.step("Yêu cầu đã bị từ chối không được dùng lại"):
        phone.driver.tap("logout")
        stale = log_in_and_approve(open_at_vneid(phone, declined_link, "the declined request"),
                                   person)
        refused_without_session(phone, stale, "APP-04",
                                "a callback completing an attempt that was declined")


@pytest.mark.req("APP-03")
def test_forged_callback_links_are_refused_and_the_real_login_survives(web_phone, personas):
    phone, person = web_phone, personas["l2_active"]
    _, real = hand_over(phone)
    callback = real.param("redirect_uri")
    with allure.step("Liên kết quay lại giả mạo mở thẳng trên VssID"):
        junk = AppLink(f"{callback}?" + urlencode({
            "code": "forged", "state": "forged", "iss": phone.vneid_url}))
        refused_without_session(phone, open_link(phone, junk), "APP-03",
                                "a made-up callback (a code and a state it never issued)")
    with allure.step("Mã thật nhưng state do kẻ tấn công đặt"):
        foreign = real.with_params(state=secrets.token_urlsafe(32))
        landed = log_in_and_approve(
            open_at_vneid(phone, foreign, "the request with another state"), person)
        phone.capture("Callback với state lạ bị từ chối")
        refused_without_session(phone, landed, "APP-03",
                                "a real code returned with a state VssID never issued")
    with allure.step("Lần đăng nhập thật vẫn hoàn tất"):
        landed = log_in_and_approve(open_at_vneid(phone, real, "the real request"), person)
        home = shows(landed, VssidHome, "APP-03",
                     "VssID's home screen for the real attempt, after the forged callbacks")
        check(home.person_name == person.name, "APP-03",
              "the home screen of the person who logged in", "a different name")


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
    landed = log_in_and_approve(open_at_vneid(phone, hostile, "the hostile app's request"),
                                person)
    phone.capture("Mã của ứng dụng giả mạo bị từ chối")
    refused_without_session(phone, landed, "APP-02",
                            "a code bound to another app's PKCE challenge")
