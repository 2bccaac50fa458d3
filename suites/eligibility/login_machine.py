"""A Hypothesis state machine over what a person does with the two apps, checked against a model.

The system under test is given in `__init__` (a `LoginSystem`), so one machine runs against
any pair of systems the kit can drive over HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import note
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from fixtures.drivers.phone import Phone
from fixtures.drivers.screens import VneidConsent, VneidLogin, VneidPasscode
from fixtures.eligibility import PersonDesk, PlacedPerson
from fixtures.oracle import PROTOCOL_ERROR, Outcome, masked_id_number
from suites.eligibility.attempt_player import wrong
from suites.eligibility.invariants import (
    LoginModel,
    lockout_counts_hold,
    never_logged_in_as_another_person,
    never_logged_in_without_level_2,
)


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
    """Start, log in right or wrong, passcode, consent or decline, back, replay, late, restart."""

    def __init__(self, system: LoginSystem) -> None:
        super().__init__()
        self.system = system
        for person in system.people.values():  # every run starts from the same people
            system.desk.put(person)
        self.phone = system.new_phone()
        self.screen = None
        self.model = LoginModel(threshold=system.threshold, people=dict(system.people),
                                current=next(iter(system.people)))

    # -- helpers -------------------------------------------------------------------------------

    def _outcome(self) -> str | None:
        return self.phone.driver.body_attribute("data-outcome")

    def _expect(self, outcome: str | None, screen_type=None) -> None:
        __tracebackhide__ = True
        actual = self._outcome()
        assert actual == outcome, (
            f"expected outcome {outcome!r}, the phone shows {actual!r} on "
            f"{self.phone.driver.body_attribute('data-screen')!r}")
        if screen_type is not None:
            assert isinstance(self.screen, screen_type), (
                f"expected the {screen_type.name!r} screen, got {self.screen!r}")

    def _end(self) -> None:
        self.model.phase = "idle"

    # -- rules ---------------------------------------------------------------------------------

    @rule(key=st.sampled_from(["a", "b", "level1"]))
    def switch_person(self, key: str) -> None:
        note(f"switch person → {key}")
        self.model.current = key

    @rule()
    def start(self) -> None:
        note(f"{self.model.current}: open VssID, choose VNeID login")
        self.screen = self.phone.open_vssid().choose_vneid_login()
        self._expect(None, VneidLogin)
        self.model.phase = "vneid_login"

    @precondition(lambda self: self.model.phase == "vneid_login")
    @rule(right=st.booleans())
    def log_in(self, right: bool) -> None:
        person, model = self.model.person, self.model
        note(f"{model.current}: log in with {'the right' if right else 'a wrong'} password")
        password = person.password if right else wrong(person.password)
        self.screen = self.screen.log_in(person.id_number, password)
        key = model.current
        if key in model.locked or person.vneid_status != "active":
            self._expect(Outcome.VNEID_LOCKED)
            return self._end()
        if right:
            self._expect(None, VneidPasscode)
            model.phase = "passcode"
            return None
        model.failures[key] = model.failures.get(key, 0) + 1
        if model.failures[key] >= model.threshold:
            model.locked.add(key)
            self._expect(Outcome.VNEID_LOCKED)
            return self._end()
        self._expect(Outcome.VNEID_BAD_CREDENTIALS, VneidLogin)
        return None

    @precondition(lambda self: self.model.phase == "passcode")
    @rule()
    def enter_passcode(self) -> None:
        model = self.model
        note(f"{model.current}: enter the passcode")
        self.screen = self.screen.enter(model.person.passcode)
        model.failures.pop(model.current, None)  # a complete login clears the count
        if model.person.level != 2:
            self._expect(Outcome.LEVEL2_REQUIRED)
            return self._end()
        self._expect(None, VneidConsent)
        model.phase = "consent"
        return None

    @precondition(lambda self: self.model.phase == "consent")
    @rule(approve=st.booleans())
    def consent(self, approve: bool) -> None:
        model = self.model
        note(f"{model.current}: {'approve' if approve else 'decline'} on the consent screen")
        if not approve:
            self.screen = self.screen.decline()
            self._expect(Outcome.CANCELLED)
            return self._end()
        self.screen = self.screen.approve()
        self._expect(Outcome.LOGGED_IN)
        masked = masked_id_number(model.person.id_number)
        model.earned_sessions.add(masked)
        model.last_login = masked
        session = self.phone.vssid_session()
        assert session.get("id_number_masked") == masked, (
            f"{model.current} logged in, but VssID's session is {session}")
        return self._end()

    @precondition(lambda self: self.model.phase != "idle")
    @rule()
    def go_back_to_vssid(self) -> None:
        note("press back: leave VNeID for VssID's login screen mid-flow")
        self.phone.open_vssid()
        self._end()

    @precondition(lambda self: self.model.last_login is not None)
    @rule()
    def replay_callback(self) -> None:
        note("replay the last successful callback (same code, same state)")
        targets = [u for u in self.phone.driver.redirect_targets
                   if u.split("?", 1)[0] == self.system.callback_url]
        self.phone.driver.open(targets[-1])
        self._expect(PROTOCOL_ERROR)  # an attempt is consumed once (RP-19)
        self._end()

    @precondition(lambda self: self.model.phase == "consent"
                  and self.system.advance_clock is not None)
    @rule()
    def approve_late(self) -> None:
        note(f"wait {self.system.late_by_seconds:.0f} s on the consent screen, then approve")
        self.system.advance_clock(self.system.late_by_seconds)
        self.screen = self.screen.approve()
        self._expect(PROTOCOL_ERROR)  # a late callback is refused (RP-19)
        self._end()

    @rule()
    def restart_app(self) -> None:
        note("restart: the phone's apps lose their state (a fresh phone, no cookies)")
        self.phone = self.system.new_phone()
        self.model.earned_sessions.clear()
        self.model.last_login = None
        self._end()

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def session_belongs_to_someone_who_earned_it(self) -> None:
        session = self._peek_session()
        never_logged_in_as_another_person(self.model, session)
        never_logged_in_without_level_2(self.model, session)

    @invariant()
    def lockout_counts(self) -> None:
        person = self.model.person
        lockout_counts_hold(self.model, self.system.desk.failed_attempts(person.id_number),
                            self.system.desk.vneid_status(person.id_number))

    def _peek_session(self) -> dict:
        # Read the session without moving the phone off its screen: a second phone would not
        # carry the cookies, so ask with this phone's client directly.
        driver = self.phone.driver
        response = driver.client.get(f"{self.phone.vssid_url}/api/session")
        return response.json()
