"""The plain model the login state machine checks the systems against: what a correct pair of
systems shows next, after each thing a person does on one phone.

It asks no system: it is pure bookkeeping, so it can be tested alone
(`tests/eligibility/test_login_model.py`).

Who is at which screen matters. The phone has one screen at a time, and VNeID's passcode and
consent screens belong to the login they were reached in: the person whose ID number and
password were accepted on VNeID's login screen (the screen's *owner*). Whoever holds the phone
next and types a passcode there types *their own* passcode, and VNeID checks it against the
owner's: a wrong passcode of the owner's account (it counts towards the owner's lockout), the
owner's consent screen when the passcodes happen to be equal. Approving a consent screen logs
in its owner, whoever taps the button. VNeID's login screen belongs to nobody yet: whoever
types there types their own ID number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from fixtures.oracle import PROTOCOL_ERROR, Outcome, masked_id_number
from fixtures.person_desks import PlacedPerson

# The phases of the phone's screen, as the model sees it.
IDLE, VNEID_LOGIN, PASSCODE, CONSENT = "idle", "vneid_login", "passcode", "consent"

# The screens a step may leave the phone on (`data-screen`); None: any screen (an outcome).
LOGIN_SCREEN, PASSCODE_SCREEN, CONSENT_SCREEN = "vneid-login", "vneid-passcode", "vneid-consent"


@dataclass(frozen=True)
class Expected:
    """What the phone must show after one step, and which requirement a different end breaks.

    `requirements` are the IDs broken when the phone shows anything else; `blame` names other
    IDs for particular wrong outcomes (a lockout where none is due breaks the lockout rule,
    IDP-13, not the login step). `why` says it in words, with persona keys, never a secret.
    """

    outcome: str | None
    screen: str | None
    requirements: tuple[str, ...]
    why: str
    blame: Mapping[str | None, tuple[str, ...]] = field(default_factory=dict)

    def broken_by(self, actual_outcome: str | None) -> tuple[str, ...]:
        """The requirement IDs a phone showing `actual_outcome` (instead of this) breaks."""
        return self.blame.get(actual_outcome, self.requirements)

    def describe(self) -> str:
        shown = f"outcome {str(self.outcome)!r}" if self.outcome else "no outcome"
        where = f" on the {self.screen!r} screen" if self.screen else ""
        return f"{shown}{where} ({self.why})"


# A lockout nobody earned breaks the lockout rule; a level 1 refusal of a level 2 person, N-ELIG-2.
_NOT_LOCKED = {Outcome.VNEID_LOCKED.value: ("IDP-13",)}


@dataclass
class LoginModel:
    """What a correct system holds now: people's failure counts and locks, the phone's screen
    and whose login it belongs to, and who has earned a VssID session on this phone."""

    threshold: int
    people: dict[str, PlacedPerson]
    current: str  # who holds the phone now
    failures: dict[str, int] = field(default_factory=dict)
    locked: set[str] = field(default_factory=set)
    phase: str = IDLE
    # Whose login the passcode or consent screen on the phone belongs to (None on other screens).
    owner: str | None = None
    # Who may be logged in on this phone: people who completed a level 2 login on it.
    earned_sessions: set[str] = field(default_factory=set)
    last_login: str | None = None  # masked ID of the latest successful login (its callback)

    @property
    def person(self) -> PlacedPerson:
        """The person holding the phone."""
        return self.people[self.current]

    def expected_status(self, key: str) -> str:
        """The VNeID status a correct VNeID holds now for one person."""
        return "locked" if key in self.locked else self.people[key].vneid_status

    def _end(self) -> None:
        self.phase, self.owner = IDLE, None

    def _count_failure(self, key: str) -> bool:
        """One more wrong password or passcode for `key`; whether it locks the account now."""
        self.failures[key] = self.failures.get(key, 0) + 1
        if self.failures[key] >= self.threshold:
            self.locked.add(key)
            return True
        return False

    # -- what the person does ----------------------------------------------------------------

    def switch(self, key: str) -> None:
        """Someone else picks up the phone; its screen stays as it is."""
        if key not in self.people:
            raise KeyError(f"the model has no person {key!r}")
        self.current = key

    def start(self) -> Expected:
        """VssID, "Đăng nhập bằng VNeID": VNeID's login screen, owned by nobody yet."""
        self.phase, self.owner = VNEID_LOGIN, None
        return Expected(None, LOGIN_SCREEN, ("N-FLOW-2",),
                        f"{self.current} chose VNeID login in VssID: the hand-over to VNeID")

    def log_in(self, right: bool) -> Expected:
        """The person holding the phone types their own ID number and a right or wrong password."""
        if self.phase != VNEID_LOGIN:
            raise ValueError(f"log_in needs VNeID's login screen, the phone is at {self.phase}")
        key, person = self.current, self.person
        if key in self.locked:
            self._end()
            return Expected(Outcome.VNEID_LOCKED, None, ("IDP-13",),
                            f"{key}'s account was locked after {self.threshold} wrong attempts")
        if person.vneid_status != "active":
            self._end()
            return Expected(Outcome.VNEID_LOCKED, None, ("N-FLOW-3",),
                            f"{key}'s VNeID account is {person.vneid_status}")
        if right:
            self.phase, self.owner = PASSCODE, key
            return Expected(None, PASSCODE_SCREEN, ("N-FLOW-3",),
                            f"{key} typed the right password", blame=_NOT_LOCKED)
        if self._count_failure(key):
            self._end()
            return Expected(Outcome.VNEID_LOCKED, None, ("IDP-13",),
                            f"{key}'s wrong attempt #{self.failures[key]} reaches the "
                            f"threshold {self.threshold}")
        return Expected(Outcome.VNEID_BAD_CREDENTIALS, LOGIN_SCREEN, ("N-FLOW-3",),
                        f"{key} typed a wrong password (wrong attempt #{self.failures[key]} of "
                        f"{self.threshold})", blame=_NOT_LOCKED)

    def enter_passcode(self) -> Expected:
        """The person holding the phone types their own passcode on the passcode screen, which
        belongs to the login of its owner: VNeID checks it against the owner's passcode."""
        if self.phase != PASSCODE or self.owner is None:
            raise ValueError(f"enter_passcode needs a passcode screen, the phone is at "
                             f"{self.phase}")
        typist, owner = self.current, self.owner
        whose = "their own" if typist == owner else f"{owner}'s"
        if self.person.passcode != self.people[owner].passcode:
            said = f"{typist} typed their passcode on {whose} passcode screen"
            if self._count_failure(owner):
                self._end()
                return Expected(Outcome.VNEID_LOCKED, None, ("IDP-13",),
                                f"{said}: {owner}'s wrong attempt #{self.failures[owner]} "
                                f"reaches the threshold {self.threshold}")
            return Expected(Outcome.VNEID_BAD_CREDENTIALS, PASSCODE_SCREEN, ("N-FLOW-3",),
                            f"{said}, checked against {owner}'s: wrong attempt "
                            f"#{self.failures[owner]} of {self.threshold} for {owner}",
                            blame=_NOT_LOCKED)
        self.failures.pop(owner, None)  # a complete login clears the count
        if self.people[owner].level != 2:
            self._end()
            return Expected(Outcome.LEVEL2_REQUIRED, None, ("N-ELIG-2",),
                            f"{owner} is level {self.people[owner].level}")
        self.phase = CONSENT
        return Expected(None, CONSENT_SCREEN, ("N-FLOW-3",),
                        f"the right passcode on {whose} passcode screen, level 2",
                        blame={**_NOT_LOCKED, Outcome.LEVEL2_REQUIRED.value: ("N-ELIG-2",)})

    def consent(self, approve: bool) -> Expected:
        """Approve or decline on the consent screen: approving logs in its owner."""
        if self.phase != CONSENT or self.owner is None:
            raise ValueError(f"consent needs the consent screen, the phone is at {self.phase}")
        owner = self.owner
        self._end()
        if not approve:
            return Expected(Outcome.CANCELLED, None, ("IDP-12", "RP-14"),
                            f"declined on {owner}'s consent screen")
        masked = masked_id_number(self.people[owner].id_number)
        self.earned_sessions.add(masked)
        self.last_login = masked
        return Expected(Outcome.LOGGED_IN, None, ("N-FLOW-4",),
                        f"approved on {owner}'s consent screen: {owner} ({masked}) is logged in")

    def approve_late(self) -> Expected:
        """Approve after VssID's pending attempt has expired: the late callback is refused."""
        if self.phase != CONSENT or self.owner is None:
            raise ValueError(f"approve_late needs the consent screen, the phone is at "
                             f"{self.phase}")
        owner = self.owner
        self._end()
        return Expected(PROTOCOL_ERROR, None, ("RP-19",),
                        f"approved on {owner}'s consent screen after VssID's attempt expired")

    def go_back(self) -> None:
        """Back to VssID's login screen mid-flow: the VNeID screen is gone."""
        self._end()

    def replay(self) -> Expected:
        """The last successful callback opened again: an attempt is consumed once."""
        if self.last_login is None:
            raise ValueError("nothing to replay: no login succeeded on this phone")
        self._end()
        return Expected(PROTOCOL_ERROR, None, ("RP-19",),
                        f"the callback that logged in {self.last_login}, replayed")

    def restart(self) -> None:
        """The apps lose their state: a fresh phone without cookies or sessions."""
        self._end()
        self.earned_sessions.clear()
        self.last_login = None
