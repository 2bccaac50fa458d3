"""A Hypothesis state machine over what people do with the two apps on one phone, checked
against a model (`suites/eligibility/login_model.py`).

The system under test is given in `__init__` (a `LoginSystem`), so one machine runs against
any pair of systems the kit can drive over HTTP. Every step asks the model what a correct
pair of systems shows next, does the step on the phone, and checks the phone against that —
naming the requirement the step enforces, never a credential.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import currently_in_test_context, note
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from fixtures.drivers.app_driver import ScreenError
from fixtures.drivers.http_driver import HttpDriver
from fixtures.drivers.phone import Phone
from fixtures.drivers.rp_session import RpSession, read_session
from fixtures.drivers.screens import Screen, VneidConsent, VneidLogin, VneidPasscode, arrive
from fixtures.person_desks import PersonDesk, PlacedPerson
from fixtures.redaction import redact_url
from fixtures.verdicts import KitError, check
from suites.eligibility.attempt_player import wrong
from suites.eligibility.invariants import (
    lockout_counts_hold,
    never_logged_in_as_another_person,
    never_logged_in_without_level_2,
)
from suites.eligibility.login_model import (
    CONSENT,
    IDLE,
    PASSCODE,
    VNEID_LOGIN,
    Expected,
    LoginModel,
)

PEOPLE = ("a", "b", "level1")


@dataclass
class LoginSystem:
    """The systems under test as the machine reaches them: a phone, people, and time."""

    new_phone: Callable[[], Phone]
    desk: PersonDesk
    people: dict[str, PlacedPerson]
    threshold: int
    callback_url: str
    advance_clock: Callable[[float], None] | None = None  # None: time cannot be moved
    late_by_seconds: float = 450.0  # past VssID's attempt lifetime, within VNeID's login


class LoginMachine(RuleBasedStateMachine):
    """Switch person, start, log in right or wrong, passcode, consent or decline, back, replay,
    late, restart."""

    def __init__(self, system: LoginSystem) -> None:
        super().__init__()
        self.system = system
        for person in system.people.values():  # every run starts from the same people
            system.desk.put(person)
        self.phone = system.new_phone()
        self.screen: Screen | None = None
        self.model = LoginModel(threshold=system.threshold, people=dict(system.people),
                                current=next(iter(system.people)))
        self.last_callback: str | None = None  # the URL of the last successful callback
        self.story: list[str] = []  # what happened, in words (also Hypothesis's notes)

    # -- helpers -------------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.story.append(text)
        if currently_in_test_context():
            note(text)

    def _do(self, action: Callable[[], object], expected: Expected) -> None:
        """Do one step on the phone, then check it shows what the model expects.

        A screen object fails when the step ends on a page it does not know; once the step
        has left the screen it acted on, that is the system's answer, and the check below
        judges it (expected vs what the phone shows) instead of the kit giving up."""
        __tracebackhide__ = True
        history = getattr(self.phone.driver, "history", None)
        steps = len(history) if history is not None else None
        try:
            action()
        except ScreenError:
            if steps is None or len(history) == steps:
                raise  # the step never left its screen: the kit could not act on it
        self._expect(expected)
        self.screen = arrive(self.phone.driver) if expected.screen else None

    def _expect(self, expected: Expected) -> None:
        """The phone shows what the model expects; otherwise the step's requirement fails."""
        __tracebackhide__ = True
        driver = self.phone.driver
        outcome = driver.body_attribute("data-outcome")
        screen = driver.body_attribute("data-screen")
        shown = (f"outcome {outcome!r}" if outcome else "no outcome") + \
            f" on the {screen or 'unknown'!r} screen"
        matches = outcome == expected.outcome and (expected.screen is None
                                                   or screen == expected.screen)
        check(matches, expected.broken_by(outcome), expected.describe(), shown,
              evidence=f"at {redact_url(driver.current_url())}; steps: "
                       + " → ".join(self.story[-12:]))

    def _screen(self, kind: type[Screen]) -> Screen:
        """The screen the model says the phone is on (the last step checked it)."""
        if not isinstance(self.screen, kind):
            raise KitError(f"the login machine expected the {kind.name!r} screen on the phone "
                           f"but holds {self.screen!r}: a bug of the machine, not the system")
        return self.screen

    # -- rules ---------------------------------------------------------------------------------

    @rule(key=st.sampled_from(PEOPLE))
    def switch_person(self, key: str) -> None:
        self._say(f"switch person → {key} (the phone's screen stays as it is)")
        self.model.switch(key)

    @rule()
    def start(self) -> None:
        self._say(f"{self.model.current}: open VssID, choose VNeID login")
        expected = self.model.start()
        self._do(lambda: self.phone.open_vssid().choose_vneid_login(), expected)

    @precondition(lambda self: self.model.phase == VNEID_LOGIN)
    @rule(right=st.booleans())
    def log_in(self, right: bool) -> None:
        person = self.model.person
        self._say(f"{self.model.current}: log in with "
                  f"{'the right' if right else 'a wrong'} password")
        login = self._screen(VneidLogin)
        password = person.password if right else wrong(person.password)
        expected = self.model.log_in(right)
        self._do(lambda: login.log_in(person.id_number, password), expected)

    @precondition(lambda self: self.model.phase == PASSCODE)
    @rule()
    def enter_passcode(self) -> None:
        owner = self.model.owner
        self._say(f"{self.model.current}: enter their passcode (on {owner}'s passcode screen)")
        passcode = self._screen(VneidPasscode)
        typed = self.model.person.passcode
        expected = self.model.enter_passcode()
        self._do(lambda: passcode.enter(typed), expected)

    @precondition(lambda self: self.model.phase == CONSENT)
    @rule(approve=st.booleans())
    def consent(self, approve: bool) -> None:
        owner = self.model.owner
        self._say(f"{self.model.current}: {'approve' if approve else 'decline'} on {owner}'s "
                  "consent screen")
        screen = self._screen(VneidConsent)
        expected = self.model.consent(approve)
        self._do(screen.approve if approve else screen.decline, expected)
        if approve:
            self.last_callback = self._last_callback()
            masked = self.model.last_login
            session = self.phone.vssid_session()
            check(session.is_of(self.model.people[owner].id_number), "N-FLOW-4",
                  f"VssID's session as {owner} ({masked}), who approved", session.shown)

    @precondition(lambda self: self.model.phase != IDLE)
    @rule()
    def go_back_to_vssid(self) -> None:
        self._say("press back: leave VNeID for VssID's login screen mid-flow")
        self.model.go_back()
        self.phone.open_vssid()
        self.screen = None

    @precondition(lambda self: self.model.last_login is not None)
    @rule()
    def replay_callback(self) -> None:
        self._say(f"replay the callback that logged in {self.model.last_login} (same code, "
                  "same state)")
        if self.last_callback is None:
            raise KitError("the login machine kept no successful callback to replay: a bug of "
                           "the machine")
        expected = self.model.replay()
        callback = self.last_callback
        self._do(lambda: self.phone.driver.open(callback), expected)

    @precondition(lambda self: self.model.phase == CONSENT
                  and self.system.advance_clock is not None)
    @rule()
    def approve_late(self) -> None:
        self._say(f"wait {self.system.late_by_seconds:.0f} s on {self.model.owner}'s consent "
                  "screen, then approve")
        screen = self._screen(VneidConsent)
        expected = self.model.approve_late()
        self.system.advance_clock(self.system.late_by_seconds)
        self._do(screen.approve, expected)

    @rule()
    def restart_app(self) -> None:
        self._say("restart: the phone's apps lose their state (a fresh phone, no cookies)")
        self.model.restart()
        self.phone = self.system.new_phone()
        self.screen = None
        self.last_callback = None

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def session_belongs_to_someone_who_earned_it(self) -> None:
        session = self._peek_session()
        never_logged_in_as_another_person(self.model, session)
        never_logged_in_without_level_2(self.model, session)

    @invariant()
    def lockout_counts(self) -> None:
        by_id = {r["id_number"]: r for r in self.system.desk.control.personas()}
        records = {}
        for key, person in self.model.people.items():
            record = by_id.get(person.id_number)
            records[key] = ((int(record["failed_attempts"]), record["status"]) if record
                            else (0, None))
        lockout_counts_hold(self.model, records)

    def _last_callback(self) -> str:
        targets = [u for u in self.phone.driver.redirect_targets
                   if u.split("?", 1)[0] == self.system.callback_url]
        if not targets:
            raise KitError("the phone recorded no redirect to VssID's callback after a login",
                           fix=f"VssID's callback must be {self.system.callback_url}")
        return targets[-1]

    def _peek_session(self) -> RpSession:
        # Read the session without moving the phone off its screen: a second driver over the
        # same client carries the phone's cookies and leaves its screen where it is.
        driver = self.phone.driver
        peek = HttpDriver(driver.client, allowed_origins=(self.phone.vssid_url,),
                          locators=driver.locators)
        return read_session(peek, self.phone.vssid_url, self.phone.contract)
