"""The logged-in side: home screen, logout, the session API and small static screens."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from stubs.vssid.accounts import Account, mask_id_number
from stubs.vssid.cookies import clear_private_cookie
from stubs.vssid.screens import render_screen
from stubs.vssid.stub_state import StubState


def _current_account(request: Request) -> Account | None:
    state: StubState = request.app.state.vssid
    session = state.sessions.get(request.cookies.get(state.config.session_cookie))
    if session is None:
        return None
    return state.accounts.by_id_number(session.id_number)


def _masked(state: StubState, account: Account) -> str:
    config = state.config
    return mask_id_number(account.id_number, config.id_number_mask_visible_prefix,
                          config.id_number_mask_visible_suffix)


async def go_to_login(request: Request) -> Response:
    """GET /: the app opens on its login screen."""
    return RedirectResponse("/app/login", status_code=303)


async def show_home(request: Request) -> Response:
    """GET /app/home: name, masked ID number and social insurance code of the session."""
    state: StubState = request.app.state.vssid
    account = _current_account(request)
    if account is None:
        return RedirectResponse("/app/login", status_code=303)
    return render_screen(
        request, "home.html", screen="vssid-home", outcome="LOGGED_IN",
        context={"account": account, "id_number_masked": _masked(state, account)},
    )


async def logout(request: Request) -> Response:
    """POST /app/logout: end the session and go back to the login screen."""
    state: StubState = request.app.state.vssid
    if not state.config.has_defect("logout_keeps_session"):
        state.sessions.close(request.cookies.get(state.config.session_cookie))
    response = RedirectResponse("/app/login", status_code=303)
    clear_private_cookie(response, state.config, state.config.session_cookie)
    return response


async def session_api(request: Request) -> Response:
    """GET /api/session: whether the cookie's holder is logged in, and as whom."""
    state: StubState = request.app.state.vssid
    account = _current_account(request)
    body = {"logged_in": False, "id_number_masked": None, "name": None,
            "social_insurance_code": None}
    if account is not None:
        body = {"logged_in": True, "id_number_masked": _masked(state, account),
                "name": account.name, "social_insurance_code": account.social_insurance_code}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


async def show_register(request: Request) -> Response:
    """GET {register_path}: where the "register" link of NO_VSSID_ACCOUNT leads."""
    return render_screen(request, "register.html", screen="vssid-register")
