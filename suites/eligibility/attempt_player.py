"""Plays one login attempt on a phone, screen by screen as the person would, and reads its end.

The same player runs over any AppDriver (HTTP or a browser). When VssID's login screen hides
the VNeID button, a driver that can forge requests (the HTTP driver) also sends the start
request the button would have sent: the server must refuse an old app on its own (N-VER-2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fixtures.drivers.idp_login import second_factor_code
from fixtures.drivers.phone import Phone
from fixtures.drivers.rp_session import RpSession
from fixtures.drivers.screens import (
    Screen,
    VneidConsent,
    VneidLogin,
    VneidPasscode,
    VssidLogin,
    arrive,
)
from fixtures.oracle import Attempt, Minimums, Outcome, expected_outcome
from fixtures.person_desks import PersonDesk, PlacedPerson
from fixtures.systems import not_applicable

MAX_SCREENS = 12
# The steps of a consent, as the attempt's story tells them.
APPROVED, DECLINED = "VNeID: đồng ý", "VNeID: từ chối"


def wrong(secret: str) -> str:
    """A value that is certainly not `secret` but has its shape (same length, still valid)."""
    if secret.isdigit():
        return "".join(str((int(c) + 1) % 10) for c in secret)
    return secret[::-1] + "x" if secret[::-1] != secret else secret + "x"


@dataclass
class Observed:
    """How an attempt ended on the phone, and what VssID's backend says about the session."""

    outcome: str
    screen: str | None
    url: str
    session: RpSession = field(default_factory=lambda: RpSession(False))
    story: list[str] = field(default_factory=list)

    @property
    def logged_in(self) -> bool:
        return self.session.logged_in

    def describe(self) -> str:
        return (f"ended on {self.screen!r} with outcome {self.outcome!r}; "
                f"{self.session.shown}; "
                f"steps: {' → '.join(self.story)}")


class AttemptPlayer:
    """Sets the phone and the person up for an Attempt, then taps through to its end."""

    def __init__(self, phone: Phone, desk: PersonDesk,
                 at_the_end: Callable[[Screen], None] = lambda screen: None,
                 minimums: Minimums | None = None) -> None:
        self.phone = phone
        self.desk = desk
        self.at_the_end = at_the_end  # e.g. a screenshot of the end screen, before the session
        self.minimums = minimums or Minimums()

    def reachable(self, attempt: Attempt) -> None:
        """Whether the systems can be put in this attempt's situation (else not applicable,
        saying what would make it run)."""
        steps = self.phone.login_steps
        if not attempt.consent and steps.consent != "every_time" and \
                expected_outcome(attempt, self.minimums) is Outcome.CANCELLED:
            not_applicable("this attempt declines the consent, and the IdP does not ask for "
                           f"it on every login (idp.login.consent = \"{steps.consent}\")")
        if self.phone.learns_device_state("vneid"):
            return
        if expected_outcome(attempt, self.minimums) in (Outcome.VNEID_NOT_INSTALLED,
                                                        Outcome.VNEID_UPDATE_REQUIRED):
            not_applicable("this attempt's outcome hinges on VNeID knowing the phone's VNeID "
                           "(installed, its version), which this IdP learns through no "
                           "declared channel; declare idp.device_page = true if it serves the "
                           "kit's /_device page")

    def place(self, attempt: Attempt) -> PlacedPerson:
        """Put the attempt's person at VNeID and the attempt's device state on the phone."""
        self.reachable(attempt)
        person = self.desk.place(level=attempt.level, vneid_status=attempt.vneid_status,
                                 vssid_account=attempt.vssid_account)
        if self.phone.learns_device_state("vneid"):
            self.phone.set_device(vssid_version=attempt.vssid_version,
                                  vneid_installed=attempt.vneid_installed,
                                  vneid_version=attempt.vneid_version)
        else:  # nothing VNeID must know (see reachable): the phone keeps it
            self.phone.set_device(vssid_version=attempt.vssid_version)
        return person

    def play(self, attempt: Attempt) -> tuple[PlacedPerson, Observed]:
        """Play the whole attempt from VssID's login screen; return who tried and how it ended."""
        person = self.place(attempt)
        return person, self.play_placed(attempt, person)

    def play_placed(self, attempt: Attempt, person: PlacedPerson) -> Observed:
        """Play an attempt whose person and device are already in place."""
        story: list[str] = []
        screen = self.hand_over(attempt, story)
        for _ in range(MAX_SCREENS):
            if screen.outcome or isinstance(screen, VssidLogin):
                break
            following = self.step(screen, attempt, person, story)
            if following is None:
                break  # a screen the attempt has no answer to ends it: the oracle judges it
            screen = following
        return self.observe(screen, story)

    def hand_over(self, attempt: Attempt, story: list[str]) -> Screen:
        """Bước 1: open VssID, choose VNeID login (forge the start when the button is hidden)."""
        login = self.phone.open_vssid()
        if login.offers_vneid_login():
            story.append("VssID: chọn đăng nhập bằng VNeID")
            return login.choose_vneid_login()
        story.append("VssID: nút VNeID bị ẩn")
        forge = getattr(login.driver, "submit", None)
        channel = self.phone.contract.version_channel or ""
        path = self.phone.contract.start_path
        if forge is None or path is None or not channel.startswith("form:"):
            # Only a declared start path and a form field let the kit send what the hidden
            # button would have: the screen's own refusal is then what is judged.
            return login
        story.append("gửi thẳng yêu cầu bắt đầu (giả nút)")
        forge(self.phone.vssid_url + path, {channel.partition(":")[2]: attempt.vssid_version})
        return arrive(login.driver)

    def step(self, screen: Screen, attempt: Attempt, person: PlacedPerson,
             story: list[str]) -> Screen | None:
        """One screen of VNeID, answered as the attempt says; None for a screen the attempt
        has no answer to (the phone left the apps, a screen without an outcome): the attempt
        ends there, and the check says it ended otherwise than the oracle's outcome."""
        if isinstance(screen, VneidLogin):
            password = person.password if attempt.credentials_right else wrong(person.password)
            ration = getattr(self.desk, "wrong_password" if not attempt.credentials_right
                             else "right_password", None)
            if ration is not None:
                ration(person)  # an external IdP's real lockout: typed wrong only so often
            story.append("VNeID: đăng nhập" + ("" if attempt.credentials_right else " (sai)"))
            return screen.log_in(person.id_number, password)
        if isinstance(screen, VneidPasscode):
            story.append("VNeID: nhập mã PIN")
            return screen.enter(second_factor_code(person, self.phone.login_steps) or "")
        if isinstance(screen, VneidConsent):
            story.append(APPROVED if attempt.consent else DECLINED)
            return screen.approve() if attempt.consent else screen.decline()
        story.append(f"kết thúc: {type(screen).__name__} không có câu trả lời")
        return None

    def observe(self, screen: Screen, story: list[str]) -> Observed:
        """The end screen's outcome and the backend's session."""
        name = screen.driver.body_attribute("data-screen")
        outcome = screen.outcome
        if outcome is None and isinstance(screen, VssidLogin) and not screen.offers_vneid_login():
            # A UI-only refusal: the hidden button is VssID's way to say "update" on this screen.
            outcome = "VSSID_UPDATE_REQUIRED"
        url = screen.driver.current_url()
        self.at_the_end(screen)
        session = self.phone.vssid_session()
        return Observed(outcome or f"no outcome (screen {name!r})", name, url, session, story)
