"""The journey on a phone: VNeID missing, old apps, VssID killed or restarted, forged links."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode, urljoin, urlsplit

import allure
import pytest

from fixtures.drivers.app_driver import ScreenError
from fixtures.drivers.rp_journey import HandOver
from fixtures.drivers.screens import (
    OutcomeScreen,
    Screen,
    VneidConsent,
    VneidLogin,
    VneidStep,
    VssidHome,
    VssidLogin,
    arrive,
)
from fixtures.oracle import Attempt, Outcome, expected_outcome
from fixtures.pkce import s256
from fixtures.redaction import redact_url
from fixtures.systems import not_applicable
from fixtures.verdicts import KitError, check, fail, needs, should
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


def required(link: HandOver, name: str) -> str:
    """One parameter of the hand-over link VssID opened; the kit's error (saying which test
    judges it) when the link does not carry it."""
    value = link.param(name)
    if value:
        return value
    present = [p for p in REQUEST_PARAMETERS if link.param(p)]
    raise KitError(
        f"could not judge: the authorization request VssID handed over to VNeID with carries "
        f"no {name!r} (it has {', '.join(present) or 'none of them'}), and this test compares "
        f"or rewrites {name!r}",
        fix=f"the request's {name!r} is judged by suites/rp (RP-02, RP-03, RP-04); once VssID "
            "sends it, this test can run")


def rewritten(link: HandOver, **changes: str) -> HandOver:
    """The same link with some parameters replaced (what a hostile app would send)."""
    for name in changes:
        required(link, name)  # only what the request carries can be rewritten
    return link.with_params(**changes)


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


def hand_over(phone) -> tuple[Screen, HandOver]:
    """Bước 1: VssID's VNeID button, up to VNeID's first screen (its login, or a later step
    for a person it remembers — or, for a person it remembers who has consented before,
    straight back to VssID), and the link VssID handed over with (as the phone opened it,
    whatever URL VNeID's screen then has)."""
    login = phone.open_vssid()
    phone.forget_navigations()
    vneid = at_vneid_or_back(phone, login.choose_vneid_login(),
                             "VssID hands over to VNeID once VNeID login is chosen")
    return vneid, HandOver(phone.handed_over_link())


def at_vneid_or_back(phone, screen: Screen, step: str) -> Screen:
    """A step of VNeID's login, or VssID's screen when VNeID handed back at once (it remembers
    the person and their consent): the ways a hand-over may go on."""
    if isinstance(screen, VneidStep) or origin(screen.driver.current_url()) == \
            origin(phone.vssid_url):
        return screen
    return reach(screen, VneidStep, step, f"{JOURNEY} (N-FLOW-2)")


def log_in_and_approve(phone, vneid: VneidStep, person, key: str = "l2_active") -> Screen:
    """Bước 2 at VNeID: whatever steps the IdP shows from `vneid` on (credentials, its second
    factor, its consent, approved); returns where the hand-back lands."""
    end = phone.vneid_login().go_on(vneid, person)
    vneid_took_the_credentials(end, key)
    return end


def open_link(phone, link: HandOver) -> Screen:
    """The OS delivers an app link to the phone (possibly an old or a forged one)."""
    phone.driver.open(link.url)
    return arrive(phone.driver)


def open_at_vneid(phone, link: HandOver, what: str) -> Screen:
    """An app link to VNeID (kept, replayed or rewritten) opens VNeID's login (or a later step
    of it, or hands straight back, for a person VNeID remembers): the way to the callback
    whose handling by VssID the test judges."""
    screen = open_link(phone, link)
    if not isinstance(screen, VneidStep) and \
            origin(screen.driver.current_url()) != origin(phone.vssid_url):
        raise KitError(
            f"could not judge: VNeID did not go on with {what} (it shows "
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
    if not phone.learns_device_state("vneid"):
        not_applicable("VNeID's not-installed page (store link, web fallback) is what its site "
                       "shows a phone without the app, which this IdP learns through no "
                       "declared channel; declare idp.device_page = true if it serves the "
                       "kit's /_device page. The web login without the app is judged by "
                       "test_vneid_not_installed_the_link_opens_the_web_login")
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
        home = shows(log_in_and_approve(phone, vneid, person), VssidHome, "APP-06",
                     "VssID's home screen once the web login hands back")
        phone.capture("Đăng nhập web — màn hình chính VssID")
        check(home.person_name == person.name, "APP-06",
              "the home screen of the person who logged in on the web", "a different name")
    session_for(phone, "APP-06", person.id_number, "the web login")


@pytest.mark.req("APP-06", "N-FLOW-2")
def test_vneid_not_installed_the_link_opens_the_web_login(web_phone, personas):
    """VNeID not installed, with an IdP the phone does not tell (no device page): the phone
    does what a phone does — the claimed https link opens in the browser, at VNeID's web login
    on its own verified origin — and the person must still get back to VssID's home."""
    phone, person = web_phone, personas["l2_active"]
    if phone.learns_device_state("vneid"):
        not_applicable("this IdP is told the phone has no VNeID (its /_device page) and shows "
                       "its own not-installed page, judged by "
                       "test_vneid_not_installed_offers_the_store_and_a_verified_web_fallback")
    phone.set_device(vneid_installed=False)
    with allure.step("VNeID chưa được cài: liên kết mở trong trình duyệt, đăng nhập web"):
        login = phone.open_vssid()
        phone.forget_navigations()
        screen = login.choose_vneid_login()
        phone.capture("VNeID chưa cài đặt — đăng nhập web")
        vneid = shows(screen, VneidLogin, ("N-FLOW-2", "APP-06"),
                      "VNeID's web login once VNeID login is chosen on a phone without VNeID "
                      "(the link opens in the browser)")
        where = phone.handed_over_link()
        check(origin(where) == origin(phone.vneid_url), "APP-06",
              f"the web login on VNeID's own verified origin {origin(phone.vneid_url)}",
              f"a link to {address(where)}")
        home = shows(log_in_and_approve(phone, vneid, person), VssidHome, "APP-06",
                     "VssID's home screen once the web login hands back")
        phone.capture("Đăng nhập web — màn hình chính VssID")
        check(home.person_name == person.name, "APP-06",
              "the home screen of the person who logged in on the web", "a different name")
    session_for(phone, "APP-06", person.id_number, "the web login")


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
    if phone.learns_device_state("vneid") or expected is Outcome.VNEID_UPDATE_REQUIRED:
        phone.set_device(vssid_version=vssid_version, vneid_version=vneid_version)
    else:
        # An IdP that cannot learn the phone's VNeID version opens its login whatever it is;
        # where the oracle's outcome does not hinge on VNeID's gate, there is nothing to tell.
        phone.set_device(vssid_version=vssid_version)
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
        # VssID is killed while the person is still in VNeID, on its first screen: the
        # attempt is pending (whatever steps VNeID would still show).
        needs(isinstance(first_vneid, VneidStep), f"VNeID's screen after the hand-over (the "
              f"phone shows {describe(first_vneid)})")
        try:
            phone.open_vssid()
        except ScreenError:
            fail("APP-04", "VssID's login screen when VssID is launched again",
                 describe(arrive(phone.driver)))
        no_session(phone, "APP-04", "VssID was killed during a hand-over")
    with allure.step("Đăng nhập lại: một lần thử mới, hoàn toàn khác lần trước"):
        vneid, second = hand_over(phone)
        for name in ("nonce", "code_challenge"):
            check(required(second, name) != required(first, name), "APP-04",
                  f"a fresh {name} for the attempt after the restart",
                  f"the same {name} as the attempt VssID was killed in")
        # A fresh PKCE verifier already binds the new attempt (RFC 9700 §4.7.1): a state
        # kept across attempts is a warning, not a failure.
        should(required(second, "state") != required(first, "state"), "APP-04/state-fresh",
               "a fresh state for the attempt after the restart",
               "the same state as the attempt VssID was killed in")
        state = required(second, "state")
        check(len(state) >= MIN_STATE_CHARS, "APP-04",
              f"a state of at least {MIN_STATE_CHARS} characters (128 random bits) for the "
              "fresh attempt", f"a state of {len(state)} characters", clause="RFC 6749 §10.12")
        home = shows(log_in_and_approve(phone, vneid, person), VssidHome, "APP-04",
                     "VssID's home screen at the end of the fresh attempt")
        phone.capture("Sau khi khởi động lại — màn hình chính VssID")
        check(home.person_name == person.name, "APP-04",
              "the home screen of the person who logged in", "a different name")
    with allure.step("VNeID gửi lại yêu cầu đã dùng: VssID phải từ chối"):
        phone.driver.tap("logout")
        stale = log_in_and_approve(phone, open_at_vneid(phone, second, "the used request"),
                                   person)
        phone.capture("Yêu cầu cũ bị từ chối")
        refused_without_session(phone, stale, "APP-04",
                                "a callback for an attempt that was already used")


@pytest.mark.req("APP-04")
def test_warm_restart_after_a_declined_consent_reaches_home(web_phone, personas):
    phone, person = web_phone, personas["l2_active"]
    if phone.login_steps.consent != "every_time":
        not_applicable("this check restarts after a declined consent, and the IdP does not ask "
                       f"for consent on every login (idp.login.consent = "
                       f"\"{phone.login_steps.consent}\")")
    vneid, declined_link = hand_over(phone)
    consent = phone.vneid_login().go_on(vneid, person, stop_at=(VneidConsent,))
    vneid_took_the_credentials(consent, "l2_active")
    needs(isinstance(consent, VneidConsent),
          f"VNeID's consent screen to decline (the phone shows {describe(consent)})",
          fix="this test restarts after a declined consent, so it needs an IdP that asks for "
              "consent on this login (idp.login.consent = \"every_time\")")
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
        phone.forget_navigations()
        vneid = at_vneid_or_back(phone, login.choose_vneid_login(),
                                 "VssID hands over to VNeID once VNeID login is chosen again")
        retry = HandOver(phone.handed_over_link())
        for name in ("nonce", "code_challenge"):
            check(required(retry, name) != required(declined_link, name), "APP-04",
                  f"a fresh {name} for the retry", f"the same {name} as the declined attempt")
        should(required(retry, "state") != required(declined_link, "state"),
               "APP-04/state-fresh", "a fresh state for the retry",
               "the same state as the declined attempt")
        home = shows(log_in_and_approve(phone, vneid, person), VssidHome, "APP-04",
                     "VssID's home screen at the end of the retry")
        check(home.person_name == person.name, "APP-04",
              "the home screen of the person who logged in", "a different name")
    with allure.step("Yêu cầu đã bị từ chối không được dùng lại"):
        phone.driver.tap("logout")
        stale = log_in_and_approve(
            phone, open_at_vneid(phone, declined_link, "the declined request"), person)
        refused_without_session(phone, stale, "APP-04",
                                "a callback completing an attempt that was declined")


@pytest.mark.req("APP-03")
def test_forged_callback_links_are_refused_and_the_real_login_survives(web_phone, personas):
    phone, person = web_phone, personas["l2_active"]
    _, real = hand_over(phone)
    callback = required(real, "redirect_uri")
    # A real code under a state VssID never issued first: while the person's attempt is still
    # pending, an app that does not check state would take it for theirs.
    with allure.step("Mã thật nhưng state do kẻ tấn công đặt"):
        foreign = rewritten(real, state=secrets.token_urlsafe(32))
        landed = log_in_and_approve(
            phone, open_at_vneid(phone, foreign, "the request with another state"), person)
        phone.capture("Callback với state lạ bị từ chối")
        refused_without_session(phone, landed, "APP-03",
                                "a real code returned with a state VssID never issued")
    with allure.step("Liên kết quay lại giả mạo mở thẳng trên VssID"):
        junk = HandOver(f"{callback}?" + urlencode({
            "code": "forged", "state": "forged", "iss": phone.vneid_url}))
        refused_without_session(phone, open_link(phone, junk), "APP-03",
                                "a made-up callback (a code and a state it never issued)")
    with allure.step("Lần đăng nhập thật vẫn hoàn tất"):
        landed = log_in_and_approve(phone, open_at_vneid(phone, real, "the real request"),
                                    person)
        # APP-03 asks that the forged links be refused; that the person's own attempt survives
        # them is the catalogue's recommendation (a forged link then cannot end a real login).
        if should(isinstance(landed, VssidHome), "APP-03/real-attempt-survives",
                  "VssID's home screen for the real attempt, after the forged callbacks",
                  describe(landed)):
            check(landed.person_name == person.name, "APP-03",
                  "the home screen of the person who logged in", "a different name")


@pytest.mark.req("APP-02")
def test_a_response_made_for_a_hostile_apps_request_is_useless_to_vssid(web_phone, personas):
    """A hostile app reuses VssID's state with its own PKCE challenge; the code it gets back
    is bound to that challenge, so VssID's redemption (with VssID's verifier) must fail."""
    phone, person = web_phone, personas["l2_active"]
    _, real = hand_over(phone)
    hostile = rewritten(real, code_challenge=s256(secrets.token_urlsafe(48)))
    landed = log_in_and_approve(phone, open_at_vneid(phone, hostile,
                                                      "the hostile app's request"), person)
    phone.capture("Mã của ứng dụng giả mạo bị từ chối")
    refused_without_session(phone, landed, "APP-02",
                            "a code bound to another app's PKCE challenge")
