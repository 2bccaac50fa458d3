"""How the journey tests judge what the phone shows, said for the vendor who reads the report.

- `shows()` is a named check of a screen a requirement judges ("after choosing VNeID login the
  phone shows VNeID's login", N-FLOW-2): any other screen of the two apps fails that
  requirement, with the screen as evidence. A page the kit cannot read at all stays the kit's
  error (`arrive()` raises a ScreenError before the check is made).
- `reach()` is for the steps that only take a test to the point it judges: a different screen
  there is the kit's error (a ScreenError saying which step), not a verdict.
- `persona_fits()` and `vneid_took_the_credentials()` are preconditions: a target whose
  persona is not what the test needs, or whose password VNeID refuses, cannot be judged.
- The phone's session is read through `session_of()`, and never printed: only whether there
  is one, and the masked ID number it is for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar
from urllib.parse import urlsplit

from fixtures.drivers.app_driver import ScreenError
from fixtures.drivers.rp_session import RpSession
from fixtures.drivers.screens import (
    LeftTheApps,
    OutcomeScreen,
    Screen,
    VneidLogin,
    describe_kind,
)
from fixtures.oracle import PROTOCOL_ERROR, Attempt, Outcome, expected_outcome, masked_id_number
from fixtures.verdicts import KitError, check, fail, needs

S = TypeVar("S", bound=Screen)
Ids = str | Sequence[str]

# What a persona of the target file must be for each outcome the journey tests start from.
_PERSONA_FIX = ("give the target's [[persona]] {key!r} the states of the embedded target's "
                "persona of that key (fixtures/data/targets/embedded.toml): {states}")
_PERSONA_STATES = {
    Outcome.LOGGED_IN: "level = 2, vneid_status = \"active\", vssid_account = \"active\"",
    Outcome.LEVEL2_REQUIRED: "level = 1, vneid_status = \"active\"",
    Outcome.NO_VSSID_ACCOUNT: "level = 2, vneid_status = \"active\", vssid_account = \"none\"",
}


def address(url: str) -> str:
    """Where a URL points, without its query (which may hold a code or a state)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.scheme else (url or "nowhere")


def describe(screen: Screen) -> str:
    """What the phone shows, in words; where, without the query (the evidence keeps the whole
    redacted URL); no values of the person."""
    url = address(screen.driver.current_url())
    if isinstance(screen, LeftTheApps):
        return f"a link out of both apps, to {url}"
    if isinstance(screen, OutcomeScreen):
        title = screen.title
        reason = screen.reason
        return f"the outcome screen {screen.outcome}" + (f" “{title}”" if title else "") + \
            (f" (reason {reason})" if reason else "") + f" at {url}"
    shown = f"the {screen.name!r} screen" if screen.name else type(screen).__name__
    outcome = f" (outcome {screen.outcome})" if screen.outcome else ""
    return f"{shown}{outcome} at {url}"


def shows(screen: Screen, kind: type[S], ids: Ids, expected: str, **details) -> S:
    """The named check that the phone shows `kind` (a screen the requirement judges)."""
    __tracebackhide__ = True
    if not isinstance(screen, kind):
        fail(ids, f"{expected} ({describe_kind(kind)})", describe(screen),
             evidence=f"the screen on show: {screen!r}", **details)
    return screen


def shows_outcome(screen: Screen, outcome: str, ids: Ids, expected: str,
                  **details) -> OutcomeScreen:
    """The named check that the phone shows the outcome screen `outcome`."""
    __tracebackhide__ = True
    check(isinstance(screen, OutcomeScreen) and screen.outcome == outcome, ids,
          f"{expected} (the outcome screen {outcome})", describe(screen),
          evidence=f"the screen on show: {screen!r}", **details)
    return screen  # type: ignore[return-value]


def reach(screen: Screen, kind: type[S], step: str, judged_by: str = "") -> S:
    """A step on the way to what the test judges: any other screen is the kit's error (could
    not judge), saying which step and, when known, which test judges that step."""
    __tracebackhide__ = True
    if isinstance(screen, kind):
        return screen
    fix = (f"this step only takes the test to what it judges; {judged_by} judges the step "
           "itself" if judged_by else "")
    raise ScreenError(f"{describe_kind(kind)} ({step})", describe(screen),
                      screen.driver.current_url(), fix=fix)


def persona_fits(person, key: str, outcome: Outcome, **device) -> None:
    """The target's persona is who the test needs: the oracle expects `outcome` for them."""
    __tracebackhide__ = True
    attempt = Attempt(level=person.level, vneid_status=person.vneid_status,
                      vssid_account=person.vssid_account, **device)
    found = expected_outcome(attempt)
    needs(found is outcome,
          f"the test needs a persona {key!r} for whom the notice's outcome is {outcome}, but "
          f"the target's {key!r} (level {person.level}, VNeID {person.vneid_status}, VssID "
          f"account {person.vssid_account}) would get {found}",
          fix=_PERSONA_FIX.format(key=key, states=_PERSONA_STATES.get(outcome, "")))


def vneid_took_the_credentials(screen: Screen, key: str) -> None:
    """VNeID accepted the persona's ID number and password (else the target's persona is
    wrong, and nothing of the notice can be judged from this attempt)."""
    __tracebackhide__ = True
    refused = (isinstance(screen, VneidLogin) and screen.form_error) or (
        isinstance(screen, OutcomeScreen)
        and screen.outcome in (Outcome.VNEID_BAD_CREDENTIALS, Outcome.VNEID_LOCKED))
    if refused:
        raise KitError(
            f"could not judge: VNeID refused the credentials of the target's persona {key!r} "
            f"({describe(screen)})",
            fix=f"check the id_number, password and passcode of [[persona]] {key!r} in the "
                "target file, and that the VNeID account is not locked")


def session_of(phone) -> RpSession:
    """What VssID holds for the phone (a KitError when the kit cannot read it)."""
    return phone.vssid_session()


def no_session(phone, ids: Ids, after: str) -> None:
    """The named check that VssID holds no session for this phone."""
    __tracebackhide__ = True
    session = session_of(phone)
    check(not session.logged_in, ids, f"no VssID session after {after}", session.shown)


def session_for(phone, ids: Ids, id_number: str, after: str) -> None:
    """The named check that VssID holds a session, for the person who logged in."""
    __tracebackhide__ = True
    session = session_of(phone)
    check(session.logged_in, ids, f"a VssID session after {after}", "no session")
    check(session.is_of(id_number), ids,
          f"the session of the person who logged in ({masked_id_number(id_number)})",
          session.shown)


def refused_without_session(phone, screen: Screen, ids: Ids, why: str) -> None:
    """The named check that VssID refused what it was sent: its PROTOCOL_ERROR outcome screen
    (stubs/README.md: any refused protocol step) and no session."""
    __tracebackhide__ = True
    shows_outcome(screen, PROTOCOL_ERROR, ids, f"VssID refuses {why}")
    no_session(phone, ids, f"VssID refused {why}")
