"""The Starlette app: the app's screens, the VNeID start and callback, the account page.

| method · path | what |
|---|---|
| GET ``/`` | 303 → ``/dang-nhap`` |
| GET ``/dang-nhap`` | login screen (the VNeID button's form, hidden ``ver``) |
| POST ``/dang-nhap/vneid`` | version gate (``X-VssID-Version``, else form ``ver``); 303 → VNeID |
| GET ``/auth/return`` | the callback (redirect_uri = base URL + this path, matched exactly) |
| GET ``/tai-khoan`` | the account page of the session (303 → ``/dang-nhap`` without one) |
| GET ``/dang-xuat`` | ends the session on the server, 303 → ``/dang-nhap`` |
| GET ``/.well-known/assetlinks.json`` · ``/.well-known/apple-app-site-association`` | app links |
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
import traceback
from collections.abc import Callable
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from . import config, screens, versions
from .accounts import is_id_number, mask_id_number
from .stores import (
    BROWSER_COOKIE,
    SESSION_COOKIE,
    Store,
    clear_cookie,
    cookie,
    set_cookie,
)
from .vneid import Refusal, Vneid

log = logging.getLogger("authlib_rp")
ATTEMPT_KEY = "vssid_attempt"  # the glue's record in the browser's store: state, began
BROWSER_TTL_S = 1800
ANDROID_PACKAGE = "com.bhxhapp"
IOS_APP_ID = "TESTTEAM01.com.bhxhapp"
# A synthetic signing-certificate fingerprint (SHA-256, uppercase hex with colons).
FINGERPRINT = ":".join(f"{b:02X}" for b in hashlib.sha256(
    b"interop.authlib_rp: synthetic VssID signing certificate").digest())
CALLBACK_PARAMS = ("state", "code", "iss", "error")
MAX_FORM_BYTES = 16_384


class Backend:
    """What the routes share: settings, the VNeID client, the two server-side stores."""

    def __init__(self, settings: config.Settings, base_url: str,
                 clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.base_url = base_url
        self.redirect_uri = base_url + config.CALLBACK_PATH
        self.vneid = Vneid(settings, self.redirect_uri)
        self.clock = clock
        self.browsers = Store(BROWSER_TTL_S, clock)
        self.sessions = Store(config.SESSION_TTL_S, clock)


def _backend(request: Request) -> Backend:
    return request.app.state.backend


# -- screens without a login ----------------------------------------------------------------

async def root(request: Request) -> Response:
    return RedirectResponse("/dang-nhap", status_code=303)


async def login_screen(request: Request) -> Response:
    return screens.login(config.APP_VERSION)


async def start(request: Request) -> Response:
    backend = _backend(request)
    settings = backend.settings
    form_version = None
    try:
        if int(request.headers.get("content-length") or 0) <= MAX_FORM_BYTES:
            form = await request.form()
            form_version = form.get("ver")
    except Exception:  # an unreadable body: no version was given
        form_version = None
    header = request.headers.get("x-vssid-version")
    version = header if header is not None else form_version
    if not versions.allowed(version, settings.min_version,
                            as_text=settings.has("version_as_text")):
        log.info("start refused: VSSID_UPDATE_REQUIRED (app version below %s or unreadable)",
                 settings.min_version)
        return screens.outcome("VSSID_UPDATE_REQUIRED")

    browser_id = cookie(request, BROWSER_COOKIE)
    store = backend.browsers.get(browser_id)
    if store is None:
        browser_id, store = backend.browsers.create()
    request.scope["session"] = store  # what Authlib's Starlette integration reads
    try:
        response, state = await backend.vneid.authorization_redirect(request)
    except Refusal as refusal:
        log.info("start refused: %s (%s)", refusal.outcome, refusal.reason)
        return screens.outcome(refusal.outcome)
    store[ATTEMPT_KEY] = {"state": state, "began": backend.clock()}
    set_cookie(response, BROWSER_COOKIE, browser_id)
    response.headers["Cache-Control"] = "no-store"
    log.info("start: a new attempt, handed over to VNeID")
    return response


# -- the callback ---------------------------------------------------------------------------

class _Callback:
    """What one callback has done so far that the response must carry."""

    session_id: str | None = None  # a session opened early (the session_kept_after_error defect)


async def callback(request: Request) -> Response:
    backend = _backend(request)
    settings = backend.settings
    params = request.query_params
    if settings.has("code_in_log"):
        log.info("callback received, code=%s", params.get("code"))
    progress = _Callback()
    try:
        account, token = await _accept(request, backend, progress)
    except Refusal as refusal:
        log.info("callback refused: %s (%s)", refusal.outcome, refusal.reason)
        response = screens.outcome(refusal.outcome)
        if progress.session_id is not None:  # the defect keeps what it opened too early
            set_cookie(response, SESSION_COOKIE, progress.session_id)
        else:
            _end_session(request, backend, response)
        return response

    location = "/tai-khoan"
    if settings.has("token_in_url"):
        location += "?" + urlencode({"ref": token.get("access_token", "")})
    if settings.has("open_redirect") and params.get("next"):
        location = params["next"]
    response = RedirectResponse(location, status_code=303)
    session_id = progress.session_id or _create_session(request, backend, account.id_number,
                                                        account.name)
    set_cookie(response, SESSION_COOKIE, session_id)
    log.info("login: account %s", mask_id_number(account.id_number))
    return response


async def _accept(request: Request, backend: Backend, progress: _Callback):
    """The checks of a callback, in order; a Refusal names the first that fails."""
    settings = backend.settings
    vneid = backend.vneid
    params = request.query_params
    for name in CALLBACK_PARAMS:
        if len(params.getlist(name)) > 1:
            raise Refusal("PROTOCOL_ERROR", f"repeated_{name}")

    # 1. The attempt this browser started, named by state: single-use, 300 s.
    store = backend.browsers.get(cookie(request, BROWSER_COOKIE))
    attempt = store.get(ATTEMPT_KEY) if store is not None else None
    if attempt is not None and not settings.has("callback_reused"):
        del store[ATTEMPT_KEY]  # consumed now, whatever follows
    state = params.get("state")
    if settings.has("state_unchecked") and attempt is not None:
        state = attempt["state"]
        request = _with_state(request, state)
    if attempt is None:
        raise Refusal("PROTOCOL_ERROR", "attempt_unknown")
    request.scope["session"] = store
    try:
        if not state or not secrets.compare_digest(state.encode(), attempt["state"].encode()):
            raise Refusal("PROTOCOL_ERROR", "attempt_state_mismatch")
        if backend.clock() - attempt["began"] > config.ATTEMPT_TTL_S:
            raise Refusal("PROTOCOL_ERROR", "attempt_expired")

        # 2. RFC 9207: the response comes from the issuer this attempt went to.
        metadata = await vneid.metadata()
        if not settings.has("iss_param_unchecked"):
            iss = params.get("iss")
            if iss is None:
                if metadata.get("authorization_response_iss_parameter_supported") is True:
                    raise Refusal("PROTOCOL_ERROR", "iss_missing")
            elif iss != backend.settings.issuer:
                raise Refusal("PROTOCOL_ERROR", "iss_mismatch")

        # 3. An error response ends here, on its own screen.
        error = params.get("error")
        if error is not None:
            raise Refusal(_error_outcome(error), "idp_error")
        if not params.get("code"):
            raise Refusal("PROTOCOL_ERROR", "code_missing")
    except Refusal:
        if not settings.has("callback_reused"):
            await vneid.client.framework.clear_state_data(store, attempt["state"])
        raise

    # 4. Authlib: state against the session, the code exchange, the ID token.
    kept = None
    if settings.has("callback_reused"):
        kept = await vneid.client.framework.get_state_data(store, state)
    try:
        token = await vneid.redeem(request)
    finally:
        if kept is not None:  # the defect puts back what Authlib consumed
            await vneid.client.framework.set_state_data(store, state, kept)
    claims = token["userinfo"]

    # 5. The verified identity and its level.
    id_number = claims.get(config.ID_NUMBER_CLAIM)
    if not is_id_number(id_number):
        raise Refusal("PROTOCOL_ERROR", "id_number_claim")
    if settings.has("session_kept_after_error"):
        name = claims.get("name") if isinstance(claims.get("name"), str) else ""
        progress.session_id = _create_session(request, backend, id_number, name)
    if not settings.has("acr_ignored") and claims.get("acr") != config.ACR_LEVEL2:
        raise Refusal("LEVEL2_REQUIRED", "acr")

    # 6. Userinfo, only for an ID token that passed every check, only when advertised: its
    #    claims are the ID token's person's only if its sub is the ID token's (OIDC Core
    #    §5.3.2). Authlib does not compare them; the account stays the ID token's id_number.
    endpoint = metadata.get("userinfo_endpoint")
    if isinstance(endpoint, str) and endpoint:
        profile = await vneid.userinfo(token)
        if settings.has("userinfo_sub_unchecked"):
            claims = {**claims, **profile}  # the defect: userinfo's word over the ID token's
            id_number = claims.get(config.ID_NUMBER_CLAIM)
            if not is_id_number(id_number):
                raise Refusal("PROTOCOL_ERROR", "id_number_claim")
        elif profile["sub"] != claims.get("sub"):  # exact, as OIDC Core §5.3.2 says
            raise Refusal("PROTOCOL_ERROR", "userinfo_sub_mismatch")

    # 7. The VssID account, by the verified id_number.
    if settings.has("link_by_name"):
        account = settings.accounts.by_name(claims.get("name"))
    else:
        account = settings.accounts.by_id_number(id_number)
    if account is None:
        raise Refusal("NO_VSSID_ACCOUNT", "no_account")
    if account.status == "pending":
        raise Refusal("VSSID_PENDING", "account_pending")
    if account.status == "locked":
        raise Refusal("VSSID_LOCKED", "account_locked")
    return account, token


def _error_outcome(error: str) -> str:
    if error in ("access_denied", "consent_required"):
        return "CANCELLED"
    if error == "unmet_authentication_requirements":
        return "LEVEL2_REQUIRED"
    return "IDP_ERROR"  # login_required, interaction_required, server_error, anything else


def _with_state(request: Request, state: str) -> Request:
    """The `state_unchecked` defect: the request as if it carried the attempt's own state."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "state"]
    query.append(("state", state))
    request.scope["query_string"] = urlencode(query).encode()
    return Request(request.scope, request.receive)


# -- sessions -------------------------------------------------------------------------------

def _create_session(request: Request, backend: Backend, id_number: str, name: str) -> str:
    """A new session id for the login (the one the browser held before is dropped)."""
    backend.sessions.delete(cookie(request, SESSION_COOKIE))
    session_id, _ = backend.sessions.create(
        {"id_number": id_number, "name": name, "began": backend.clock()})
    return session_id


def _end_session(request: Request, backend: Backend, response: Response) -> None:
    backend.sessions.delete(cookie(request, SESSION_COOKIE))
    clear_cookie(response, SESSION_COOKIE)


async def account_page(request: Request) -> Response:
    backend = _backend(request)
    session = backend.sessions.get(cookie(request, SESSION_COOKIE))
    if session is None:
        response = RedirectResponse("/dang-nhap", status_code=303)
        if request.cookies.get(SESSION_COOKIE):
            clear_cookie(response, SESSION_COOKIE)
        return response
    account = backend.settings.accounts.by_id_number(session["id_number"])
    if account is not None:
        return screens.home(account.name, account.id_number, account.social_insurance_code)
    return screens.home(session["name"], session["id_number"], None)


async def logout(request: Request) -> Response:
    backend = _backend(request)
    response = RedirectResponse("/dang-nhap", status_code=303)
    _end_session(request, backend, response)
    return response


# -- app links ------------------------------------------------------------------------------

async def assetlinks(request: Request) -> Response:
    return JSONResponse([{
        "relation": ["delegate_permission/common.handle_all_urls"],
        "target": {"namespace": "android_app", "package_name": ANDROID_PACKAGE,
                   "sha256_cert_fingerprints": [FINGERPRINT]},
    }])


async def apple_association(request: Request) -> Response:
    return JSONResponse({"applinks": {"details": [{
        "appIDs": [IOS_APP_ID], "components": [{"/": config.CALLBACK_PATH}],
    }]}})


# -- errors and the request log -------------------------------------------------------------

async def http_error(request: Request, exc: HTTPException) -> Response:
    return screens.error(exc.status_code)


class Guard:
    """Logs each request (method, path, status: never the query string) and turns any
    unexpected exception into the Vietnamese error page, never a 500 or a traceback."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status: list[int] = []

        async def sending(message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:  # the last line of defence
            frame = traceback.extract_tb(exc.__traceback__)[-1:]
            where = f"{frame[0].filename}:{frame[0].lineno}" if frame else "?"
            log.error("unexpected %s at %s", type(exc).__name__, where)
            if not status:
                await screens.error(400)(scope, receive, sending)
        log.info("%s %s %s", scope.get("method"), scope.get("path"),
                 status[0] if status else "-")


def create_app(settings: config.Settings, base_url: str,
               clock: Callable[[], float] = time.time) -> Starlette:
    routes = [
        Route("/", root, methods=["GET"]),
        Route("/dang-nhap", login_screen, methods=["GET"]),
        Route("/dang-nhap/vneid", start, methods=["POST"]),
        Route(config.CALLBACK_PATH, callback, methods=["GET"]),
        Route("/tai-khoan", account_page, methods=["GET"]),
        Route("/dang-xuat", logout, methods=["GET"]),
        Route("/.well-known/assetlinks.json", assetlinks, methods=["GET"]),
        Route("/.well-known/apple-app-site-association", apple_association, methods=["GET"]),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(Guard)],
                    exception_handlers={HTTPException: http_error})
    app.router.redirect_slashes = False  # /auth/return/ is not the callback
    app.state.backend = Backend(settings, base_url, clock)
    return app
