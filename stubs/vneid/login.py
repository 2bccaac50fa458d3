"""The VNeID login screens: ID number + password, then the 6-digit passcode, with lockout."""

from __future__ import annotations

import hmac
import logging
import re

from starlette.requests import Request
from starlette.responses import Response

from stubs.params import form_params, single_values
from stubs.redaction import witness
from stubs.vneid.authorize import render_login
from stubs.vneid.consent import EXPIRED_MESSAGE, issue_code_and_hand_back, render_consent
from stubs.vneid.errors import ScreenError
from stubs.vneid.grants import Transaction
from stubs.vneid.handback import hand_back_error
from stubs.vneid.personas import Persona
from stubs.vneid.screens import render_screen
from stubs.vneid.stub_state import StubState

log = logging.getLogger("stubs.vneid")

_TWELVE_DIGITS = re.compile(r"[0-9]{12}")
_NINE_DIGITS = re.compile(r"[0-9]{9}")
_SIX_DIGITS = re.compile(r"[0-9]{6}")

OLD_ID_MESSAGE = ("Số chứng minh nhân dân 9 số không còn được sử dụng. "
                  "Vui lòng nhập số định danh cá nhân gồm 12 chữ số.")
ID_FORMAT_MESSAGE = "Số định danh cá nhân phải gồm đúng 12 chữ số."
BAD_CREDENTIALS_MESSAGE = "Số định danh cá nhân hoặc mật khẩu không đúng."
BAD_PASSCODE_MESSAGE = "Mã PIN không đúng."
PASSCODE_FORMAT_MESSAGE = "Mã PIN phải gồm đúng 6 chữ số."
LOCKED_MESSAGES = {
    "locked": "Tài khoản định danh điện tử của bạn đang bị khoá.",
    "revoked": "Tài khoản định danh điện tử của bạn đã bị thu hồi.",
    "too_many": "Bạn đã nhập sai quá số lần cho phép. Tài khoản định danh điện tử đã bị khoá.",
}


def _same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _render_locked(request: Request, reason: str) -> Response:
    """The locked-account screen, for a stored status or a fresh lockout."""
    log.info("login: VNEID_LOCKED (%s)", reason)
    return render_screen(request, "locked.html", screen="vneid-locked", outcome="VNEID_LOCKED",
                         status_code=403, message=LOCKED_MESSAGES[reason])


def _render_passcode(request: Request, tx: Transaction, *, form_error: str | None = None,
                     outcome: str | None = None, status_code: int = 200) -> Response:
    """The passcode screen of a transaction."""
    stub: StubState = request.app.state.stub
    return render_screen(request, "passcode.html", screen="vneid-passcode", outcome=outcome,
                         status_code=status_code, tx=tx.id, form_error=form_error,
                         action=stub.config.authorize_path + "/passcode")


def _count_failure(request: Request, tx: Transaction, persona: Persona) -> Persona:
    """Count a wrong password or passcode; a lockout ends the transaction."""
    stub: StubState = request.app.state.stub
    threshold = None if stub.config.has_defect("no_lockout") else stub.config.lockout_threshold
    persona = stub.personas.record_failure(persona.id_number, threshold)
    # The persona key is test data, not a credential; the ID number stays out of the log.
    log.info("login: wrong credentials for persona %s (%d)", persona.key,
             stub.personas.failures(persona.id_number))
    if persona.status != "active":
        stub.grants.end_transaction(tx)
    return persona


def _entered_id_number(config, raw: str) -> tuple[str | None, str | None]:
    """The ID number to look up, or the form error to show (APP-07)."""
    if config.has_defect("nine_digit_id_accepted") and _NINE_DIGITS.fullmatch(raw):
        return raw, None
    if _NINE_DIGITS.fullmatch(raw):
        return None, OLD_ID_MESSAGE
    if not _TWELVE_DIGITS.fullmatch(raw):
        return None, ID_FORMAT_MESSAGE
    if config.has_defect("id_number_leading_zeros_dropped"):
        return str(int(raw)), None
    return raw, None


async def login(request: Request) -> Response:
    """POST /authorize/login: check the ID number and password."""
    stub: StubState = request.app.state.stub
    config = stub.config
    values = single_values(await form_params(request, max_bytes=config.max_body_bytes,
                                             max_value_length=config.max_param_length))
    tx = stub.grants.transaction(values.get("tx", ""), "login")
    if tx is None:
        raise ScreenError(EXPIRED_MESSAGE)
    witness("password", values.get("password"))
    raw_id = values.get("id_number", "")
    id_number, format_error = _entered_id_number(config, raw_id)
    if id_number is None:
        return render_login(request, tx, status_code=400, form_error=format_error,
                            id_number=raw_id if raw_id.isdigit() else "")
    persona = stub.personas.by_id_number(id_number)
    if persona is not None and persona.status != "active":
        stub.grants.end_transaction(tx)
        return _render_locked(request, persona.status)
    if persona is None or not _same_secret(values.get("password", ""), persona.password):
        if persona is not None and _count_failure(request, tx, persona).status != "active":
            return _render_locked(request, "too_many")
        return render_login(request, tx, status_code=401, form_error=BAD_CREDENTIALS_MESSAGE,
                            outcome="VNEID_BAD_CREDENTIALS", id_number=raw_id)
    tx.stage = "passcode"
    tx.id_number = persona.id_number
    return _render_passcode(request, tx)


async def passcode(request: Request) -> Response:
    """POST /authorize/passcode: check the passcode, then consent (or refuse level 1)."""
    stub: StubState = request.app.state.stub
    config = stub.config
    values = single_values(await form_params(request, max_bytes=config.max_body_bytes,
                                             max_value_length=config.max_param_length))
    tx = stub.grants.transaction(values.get("tx", ""), "passcode")
    if tx is None:
        raise ScreenError(EXPIRED_MESSAGE)
    persona = stub.personas.by_id_number(tx.id_number or "")
    if persona is None or persona.status != "active":
        stub.grants.end_transaction(tx)
        return _render_locked(request, persona.status if persona else "revoked")
    entered = values.get("passcode", "")
    witness("passcode", entered)
    if not _SIX_DIGITS.fullmatch(entered):
        return _render_passcode(request, tx, form_error=PASSCODE_FORMAT_MESSAGE, status_code=400)
    if not _same_secret(entered, persona.passcode):
        if _count_failure(request, tx, persona).status != "active":
            return _render_locked(request, "too_many")
        return _render_passcode(request, tx, form_error=BAD_PASSCODE_MESSAGE,
                                outcome="VNEID_BAD_CREDENTIALS", status_code=401)
    stub.personas.record_success(persona.id_number)
    tx.auth_time = int(stub.clock())
    if (persona.level < 2 and tx.request.level2_requested
            and not config.has_defect("level1_tokens_issued")):
        # Refused before consent: a lower level is never issued when level 2 was asked (IDP-07).
        stub.grants.end_transaction(tx)
        return hand_back_error(stub, tx.request.redirect_uri, tx.request.state,
                               "unmet_authentication_requirements",
                               "the account is not level 2")
    if config.has_defect("consent_skipped"):
        return issue_code_and_hand_back(stub, tx, persona)
    tx.stage = "consent"
    return render_consent(request, tx)
