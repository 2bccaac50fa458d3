"""The notice's journey: VssID → VNeID (level 2) → back to VssID's home screen, and its refusals."""

from __future__ import annotations

from collections.abc import Sequence

import allure
import httpx
import pytest

from fixtures.drivers.screens import (
    Screen,
    VneidConsent,
    VneidLogin,
    VneidPasscode,
    VssidHome,
)
from fixtures.oracle import Attempt, Outcome, expected_outcome, masked_id_number
from fixtures.verdicts import KitError, check, needs
from suites.journey.judging import (
    address,
    no_session,
    persona_fits,
    reach,
    session_for,
    shows,
    shows_outcome,
    vneid_took_the_credentials,
)

VNEID_BUTTON_TEXT = "Đăng nhập bằng tài khoản định danh điện tử"
# The steps of the notice the whole journey judges; the refusals only pass through them.
FLOW = ("N-FLOW-1", "N-FLOW-2", "N-FLOW-3")
JOURNEY_TEST = "test_level2_person_with_vssid_account_reaches_home"


def step(judges: Sequence[str], requirement: str, condition: object, expected: str,
         actual: str) -> None:
    """A named check when the calling test judges `requirement`; otherwise a precondition (the
    step only takes the test where it judges, and its failure is "could not judge")."""
    __tracebackhide__ = True
    if requirement in judges:
        check(condition, requirement, expected, actual)
    else:
        needs(condition, f"{expected}, but {actual} ({requirement}, judged by {JOURNEY_TEST})")


def screen_step(judges: Sequence[str], requirement: str, screen: Screen, kind, expected: str):
    """`shows()` when the calling test judges `requirement`; otherwise `reach()`."""
    __tracebackhide__ = True
    if requirement in judges:
        return shows(screen, kind, requirement, expected)
    return reach(screen, kind, expected, f"{JOURNEY_TEST} ({requirement})")


def hand_over_to_vneid(phone, judges: Sequence[str] = ()) -> VneidLogin:
    """Bước 1: VssID's login screen offers the VNeID button (N-FLOW-1); choosing it opens
    VNeID's login (N-FLOW-2)."""
    with allure.step("Bước 1: chọn “Đăng nhập bằng tài khoản định danh điện tử” trên VssID"):
        login = phone.open_vssid()
        step(judges, "N-FLOW-1", login.offers_vneid_login(),
             f"VssID's login screen offers “{VNEID_BUTTON_TEXT}”",
             "it has no VNeID button (data-testid vneid-login)")
        text = login.vneid_button_text()
        step(judges, "N-FLOW-1", text == VNEID_BUTTON_TEXT,
             f"the button reads “{VNEID_BUTTON_TEXT}”", f"it reads “{text}”")
        phone.capture("Bước 1 — màn hình đăng nhập VssID")
        return screen_step(judges, "N-FLOW-2", login.choose_vneid_login(), VneidLogin,
                           "VNeID's login screen once the VNeID button is chosen")


def log_in_at_vneid(phone, vneid: VneidLogin, persona, key: str,
                    judges: Sequence[str] = ()) -> Screen:
    """Bước 2: the level 2 account's ID number, password and passcode (N-FLOW-3), up to
    whatever screen follows the passcode."""
    with allure.step("Bước 2: đăng nhập VNeID bằng tài khoản định danh điện tử mức 2"):
        phone.capture("Bước 2 — màn hình đăng nhập VNeID")
        after = vneid.log_in(persona.id_number, persona.password)
        vneid_took_the_credentials(after, key)
        passcode = screen_step(judges, "N-FLOW-3", after, VneidPasscode,
                               "VNeID's passcode screen once the ID number and password of "
                               "a level 2 account are entered")
        return passcode.enter(persona.passcode)


@pytest.mark.req("N-FLOW-1", "N-FLOW-2", "N-FLOW-3", "N-FLOW-4", "N-ELIG-1", "N-ELIG-2")
def test_level2_person_with_vssid_account_reaches_home(phone, personas):
    person = personas["l2_active"]
    persona_fits(person, "l2_active", Outcome.LOGGED_IN)
    vneid = hand_over_to_vneid(phone, FLOW)
    consent = shows(log_in_at_vneid(phone, vneid, person, "l2_active", FLOW), VneidConsent,
                    "N-FLOW-3", "VNeID's consent screen once the level 2 account has logged in")
    with allure.step("Bước 2: đồng ý chia sẻ thông tin với VssID"):
        phone.capture("Bước 2 — VNeID xin đồng ý chia sẻ thông tin")
        client = consent.client_name
        check("VssID" in client, "N-FLOW-3",
              "VNeID's consent screen names VssID as the app the information is shared with",
              f"it names “{client}”")
        home = shows(consent.approve(), VssidHome, "N-FLOW-4",
                     "VssID's home screen once VNeID hands back")
    with allure.step("Bước 3: VNeID trả về VssID, hiển thị màn hình đã đăng nhập"):
        phone.capture("Bước 3 — màn hình chính VssID")
        check(home.outcome == Outcome.LOGGED_IN, "N-FLOW-4",
              f"the home screen's outcome {Outcome.LOGGED_IN}", f"outcome {home.outcome}")
        masked = masked_id_number(person.id_number)
        shown_masked = home.id_number_masked
        check(shown_masked == masked, "N-FLOW-4",
              f"the home screen of the person who logged in (ID number {masked})",
              f"ID number {shown_masked}")
        shown_name = home.person_name
        check(shown_name == person.name, "N-FLOW-4",
              f"the name of the person who logged in ({len(person.name)} characters)",
              f"a different name ({len(shown_name)} characters)")
        shown_code = home.social_insurance_code
        check(shown_code == person.social_insurance_code, "N-FLOW-4",
              "the social insurance code of the person who logged in",
              f"a different social insurance code ({len(shown_code)} characters)")
    session_for(phone, "N-FLOW-4", masked, "the login")


@pytest.mark.req("N-ELIG-2")
def test_level1_person_is_told_level2_is_required(phone, personas):
    person = personas["l1_active"]
    persona_fits(person, "l1_active", Outcome.LEVEL2_REQUIRED)
    vneid = hand_over_to_vneid(phone)
    screen = vneid.log_in(person.id_number, person.password)
    vneid_took_the_credentials(screen, "l1_active")
    if isinstance(screen, VneidPasscode):
        screen = screen.enter(person.passcode)
    if isinstance(screen, VneidConsent):
        # VNeID let a level 1 account through (IDP-07, judged by suites/idp); VssID must still
        # refuse it (RP-13) and tell the person, as the person would go on and agree.
        screen = screen.approve()
    phone.capture("Kết quả — yêu cầu tài khoản mức 2")
    shows_outcome(screen, Outcome.LEVEL2_REQUIRED, "N-ELIG-2",
                  "VssID tells a level 1 account that a level 2 account is required")
    url = screen.driver.current_url()
    check(url.startswith(phone.vssid_url), "N-ELIG-2",
          f"the refusal shown by VssID ({phone.vssid_url}), not by VNeID",
          f"it is shown at {address(url)}")
    no_session(phone, "N-ELIG-2", "a level 1 account's attempt")


@pytest.mark.req("N-ELIG-1")
def test_person_without_vssid_account_is_sent_to_register(phone, personas):
    person = personas["l2_no_vssid"]
    persona_fits(person, "l2_no_vssid", Outcome.NO_VSSID_ACCOUNT)
    vneid = hand_over_to_vneid(phone)
    consent = reach(log_in_at_vneid(phone, vneid, person, "l2_no_vssid"), VneidConsent,
                    "VNeID asks for consent after the passcode", f"{JOURNEY_TEST} (N-FLOW-3)")
    screen = consent.approve()
    phone.capture("Kết quả — chưa có tài khoản VssID")
    screen = shows_outcome(screen, Outcome.NO_VSSID_ACCOUNT, "N-ELIG-1",
                           "VssID tells a person without a VssID account that they have none")
    check(screen.link("register-link"), "N-ELIG-1",
          "a way to register for a VssID account on that screen (register-link)",
          "no register link")
    no_session(phone, "N-ELIG-1", "the attempt of a person without a VssID account")


@pytest.mark.req("N-VER-2", "N-FLOW-1")
@pytest.mark.parametrize("version", ["1.6.6", "1.6.7"])
def test_vssid_version_gate_on_the_login_screen(phone, version):
    minimum_met = expected_outcome(Attempt(vssid_version=version)) is not \
        Outcome.VSSID_UPDATE_REQUIRED
    phone.set_device(vssid_version=version)
    login = phone.open_vssid()
    phone.capture(f"VssID {version} — màn hình đăng nhập")
    offered = login.offers_vneid_login()
    if minimum_met:
        # The minimum itself is accepted (N-VER-2), so its login screen offers VNeID (N-FLOW-1).
        check(offered, ("N-VER-2", "N-FLOW-1"),
              f"VssID {version} (at the 1.6.7 minimum) offers “{VNEID_BUTTON_TEXT}”",
              "its login screen has no VNeID button")
    else:
        check(not offered, "N-VER-2",
              f"VssID {version} (below 1.6.7) does not offer VNeID login",
              "its login screen offers the VNeID button")


def backend_session(vssid_app) -> dict:
    """The session VssID's backend holds for the app client (a KitError when unreadable)."""
    try:
        session = vssid_app.session()
    except (httpx.HTTPError, ValueError) as error:
        raise KitError(f"VssID's session endpoint did not answer JSON ({error})",
                       fix="the relying party answers GET /api/session with {\"logged_in\": …} "
                           "(stubs/README.md, “Reading a session”)") from None
    needs(isinstance(session, dict) and "logged_in" in session,
          "VssID's session endpoint answered no \"logged_in\"",
          fix="stubs/README.md, “Reading a session”")
    return session


@pytest.mark.req("N-VER-2")
@pytest.mark.parametrize("version", ["1.6.6", "1.6.7"])
def test_vssid_backend_enforces_the_version_gate(vssid_app, version):
    """The server refuses an old app even when the button is forged (not only the UI hides it)."""
    expected = expected_outcome(Attempt(vssid_version=version))
    started = vssid_app.start_vneid_login(version)
    answered = f"HTTP {started.status_code}, outcome {started.outcome or 'none'}"
    if expected is Outcome.VSSID_UPDATE_REQUIRED:
        check(started.authorization_url is None, "N-VER-2",
              f"VssID's server refuses to start a VNeID login for app {version} (below 1.6.7) "
              "even when the app asks for one",
              f"it handed over to VNeID ({address(started.authorization_url or '')})")
        check(started.outcome == Outcome.VSSID_UPDATE_REQUIRED, "N-VER-2",
              f"its {Outcome.VSSID_UPDATE_REQUIRED} outcome", answered)
    else:
        check(started.authorization_url, "N-VER-2",
              f"VssID's server hands app {version} (the 1.6.7 minimum) over to VNeID",
              f"no hand-over ({answered})")
    session = backend_session(vssid_app)
    check(not session["logged_in"], "N-VER-2", "no session from only starting a login",
          f"a session for {session.get('id_number_masked') or 'a person it does not name'}")
