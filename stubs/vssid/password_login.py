"""The VssID login screen and its own password login, with lockout after wrong passwords."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from stubs.redaction import witness
from stubs.vssid.accounts import ID_NUMBER, SOCIAL_INSURANCE_CODE, AccountStatus
from stubs.vssid.cookies import set_private_cookie
from stubs.vssid.device import device_version
from stubs.vssid.forms import read_form, single_text
from stubs.vssid.outcomes import Outcome
from stubs.vssid.screens import render_outcome, render_screen
from stubs.vssid.start import version_allowed
from stubs.vssid.stub_state import StubState

log = logging.getLogger("stubs.vssid.password_login")


def _login_screen(
    request: Request, *, error: str | None = None, reason: str | None = None,
    username: str = "", status_code: int = 200,
) -> Response:
    state: StubState = request.app.state.vssid
    config = state.config
    version = device_version(request, state)
    context = {
        "app_version": version,
        "vneid_offered": version_allowed(state, version),
        "min_app_version": config.min_app_version,
        "error": error,
        "username": username,
        # Only ever non-empty under the client_secret_in_app defect (RP-20).
        "leaked_secret": config.client_secret if config.has_defect("client_secret_in_app") else "",
    }
    return render_screen(request, "login.html", screen="vssid-login", reason=reason,
                         context=context, status_code=status_code)


async def show_login(request: Request) -> Response:
    """GET /app/login: password login plus, for app versions ≥ minimum, the VNeID button."""
    return _login_screen(request)


async def submit_password_login(request: Request) -> Response:
    """POST /app/login: social insurance code or ID number + password."""
    state: StubState = request.app.state.vssid
    config = state.config
    form = await read_form(request)
    username = (single_text(form, "username") or "").strip()
    password = single_text(form, "password") or ""
    witness("password", password)
    if not (SOCIAL_INSURANCE_CODE.fullmatch(username) or ID_NUMBER.fullmatch(username)):
        return _login_screen(
            request, reason="username_format", status_code=400,
            error="Tên đăng nhập là mã số BHXH (10 chữ số) hoặc số định danh cá nhân (12 chữ số).",
        )
    account = state.accounts.by_username(username)
    if account is None:
        log.info("password login refused: unknown username")
        return _login_screen(request, reason="bad_credentials", username=username,
                             error="Tên đăng nhập hoặc mật khẩu không đúng.", status_code=401)
    lock_key = account.social_insurance_code
    locked_text = (
        f"Tài khoản tạm khóa do nhập sai mật khẩu {config.password_lockout_threshold} lần. "
        f"Vui lòng thử lại sau {max(1, config.password_lockout_seconds // 60)} phút."
    )
    if state.lockout.is_locked(lock_key):
        log.info("password login refused: account temporarily locked")
        return _login_screen(request, reason="password_locked", username=username,
                             error=locked_text, status_code=429)
    if not account.password_matches(password):
        remaining = state.lockout.record_failure(lock_key)
        log.info("password login refused: wrong password (%d tries left)", remaining)
        if remaining == 0:
            return _login_screen(request, reason="password_locked", username=username,
                                 error=locked_text, status_code=429)
        return _login_screen(
            request, reason="bad_credentials", username=username, status_code=401,
            error=f"Tên đăng nhập hoặc mật khẩu không đúng. Còn {remaining} lần thử.",
        )
    state.lockout.record_success(lock_key)
    if account.status is AccountStatus.PENDING:
        return render_outcome(request, Outcome.VSSID_PENDING, reason="account_pending")
    if account.status is AccountStatus.LOCKED:
        return render_outcome(request, Outcome.VSSID_LOCKED, reason="account_locked")
    session_id = state.sessions.open(account.id_number, method="password")
    log.info("password login: LOGGED_IN")
    response = RedirectResponse("/app/home", status_code=303)
    set_private_cookie(response, config, config.session_cookie, session_id,
                       max_age=config.session_ttl_seconds)
    return response
