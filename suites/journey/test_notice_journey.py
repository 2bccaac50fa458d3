"""The notice's journey: VssID → VNeID (level 2) → back to VssID's home screen, and its refusals."""

from __future__ import annotations

from collections.abc import Sequence

import allure
import pytest

from fixtures.drivers.idp_login import second_factor_code
from fixtures.drivers.rp_session import shows_id_number
from fixtures.drivers.screens import (
    Screen,
    VneidConsent,
    VneidLogin,
    VneidPasscode,
    VssidHome,
)
from fixtures.oracle import Attempt, Outcome, expected_outcome, masked_id_number
from fixtures.verdicts import check, needs
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
    """Bước 2: the level 2 account's ID number and password, then the second factor the
    target declares for its IdP (N-FLOW-3), up to whatever screen follows."""
    with allure.step("Bước 2: đăng nhập VNeID bằng tài khoản định danh điện tử mức 2"):
        phone.capture("Bước 2 — màn hình đăng nhập VNeID")
        login = phone.vneid_login()
        vneid.log_in(persona.id_number, persona.password)
        after = login.where()
        vneid_took_the_credentials(after, key)
        if phone.login_steps.second_factor == "none":
            return after
        factor = screen_step(judges, "N-FLOW-3", after, VneidPasscode,
                             "VNeID's second-factor screen once the ID number and password of "
                             "a level 2 account are entered")
        factor.enter(second_factor_code(persona, phone.login_steps))
        return login.where()


def through_consent(phone, screen: Screen, persona, judges: Sequence[str] = ()) -> Screen:
    """The consent step, as the IdP has it: asked on every login (the notice's VNeID: judged
    when the calling test judges N-FLOW-3), or remembered or never asked (approved if shown)."""
    if phone.login_steps.consent == "every_time" or isinstance(screen, VneidConsent):
        consent = screen_step(judges, "N-FLOW-3", screen, VneidConsent,
                              "VNeID's consent screen once the level 2 account has logged in")
        with allure.step("Bước 2: đồng ý chia sẻ thông tin với VssID"):
            phone.capture("Bước 2 — VNeID xin đồng ý chia sẻ thông tin")
            client = consent.client_name
            step(judges, "N-FLOW-3", "VssID" in client,
                 "VNeID's consent screen names VssID as the app the information is shared with",
                 f"it names “{client}”")
            consent.approve()
        screen = phone.vneid_login().where()
    return phone.vneid_login().go_on(screen, persona)


@pytest.mark.req("N-FLOW-1", "N-FLOW-2", "N-FLOW-3", "N-FLOW-4", "N-ELIG-1", "N-ELIG-2")
def test_level2_person_with_vssid_account_reaches_home(phone, personas):
    person = personas["l2_active"]
    persona_fits(person, "l2_active", Outcome.LOGGED_IN)
    vneid = hand_over_to_vneid(phone, FLOW)
    landed = through_consent(phone, log_in_at_vneid(phone, vneid, person, "l2_active", FLOW),
                             person, FLOW)
    home = shows(landed, VssidHome, "N-FLOW-4", "VssID's home screen once VNeID hands back")
    with allure.step("Bước 3: VNeID trả về VssID, hiển thị màn hình đã đăng nhập"):
        phone.capture("Bước 3 — màn hình chính VssID")
        check(home.outcome == Outcome.LOGGED_IN, "N-FLOW-4",
              f"the home screen's outcome {Outcome.LOGGED_IN}", f"outcome {home.outcome}")
        # What the home screen shows of the account must be theirs (an RP may show less).
        masked = masked_id_number(person.id_number)
        shown_id = home.shown("home-id-number")
        if shown_id is not None:
            check(shows_id_number(shown_id, person.id_number), "N-FLOW-4",
                  f"the home screen of the person who logged in (ID number {masked})",
                  f"ID number {shown_id}")
        shown_name = home.shown("home-name")
        if shown_name is not None:
            check(shown_name == person.name, "N-FLOW-4",
                  f"the name of the person who logged in ({len(person.name)} characters)",
                  f"a different name ({len(shown_name)} characters)")
        shown_code = home.shown("home-social-insurance-code")
        if shown_code is not None:
            check(shown_code == person.social_insurance_code, "N-FLOW-4",
                  "the social insurance code of the person who logged in",
                  f"a different social insurance code ({len(shown_code)} characters)")
    session_for(phone, "N-FLOW-4", person.id_number, "the login")


@pytest.mark.req("N-ELIG-2")
def test_level1_person_is_told_level2_is_required(phone, personas):
    person = personas["l1_active"]
    persona_fits(person, "l1_active", Outcome.LEVEL2_REQUIRED)
    vneid = hand_over_to_vneid(phone)
    login = phone.vneid_login()
    vneid.log_in(person.id_number, person.password)
    screen = login.where()
    vneid_took_the_credentials(screen, "l1_active")
    # Where VNeID lets a level 1 account through (IDP-07, judged by suites/idp), VssID must
    # still refuse it (RP-13) and tell the person, as the person would go on and agree.
    screen = login.go_on(screen, person)
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
    screen = through_consent(phone, log_in_at_vneid(phone, vneid, person, "l2_no_vssid"),
                             person)
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
    session = vssid_app.session()
    check(not session.logged_in, "N-VER-2", "no session from only starting a login",
          session.shown)
