"""The app factory: wires config, stores, the VNeID client and every route into Starlette."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator, Callable

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from stubs.clock import StubClock
from stubs.control_plane import control_routes
from stubs.limits import OversizeGuard
from stubs.request_log import RequestLog, RequestLogMiddleware
from stubs.vssid import app_links, home
from stubs.vssid.accounts import AccountBook
from stubs.vssid.attempts import AttemptStore
from stubs.vssid.callback import vneid_callback
from stubs.vssid.config import VssidConfig
from stubs.vssid.device import set_device
from stubs.vssid.errors import EXCEPTION_HANDLERS
from stubs.vssid.id_token import IdTokenValidator
from stubs.vssid.lockout import PasswordLockout
from stubs.vssid.password_login import show_login, submit_password_login
from stubs.vssid.provider import VneidProvider
from stubs.vssid.sessions import SessionStore
from stubs.vssid.start import start_vneid_login, start_vneid_login_api
from stubs.vssid.stub_state import StubState


def build_state(
    config: VssidConfig,
    http_transport: httpx.AsyncBaseTransport | None,
    clock: Callable[[], float],
) -> StubState:
    """Everything the routes share, built from the config alone."""
    provider = VneidProvider(config, http_transport=http_transport)
    return StubState(
        config=config,
        clock=clock,
        accounts=AccountBook.from_file(config.accounts_file),
        attempts=AttemptStore(
            config.attempt_ttl_seconds,
            reusable=config.has_defect("attempt_reusable"),
            never_expires=config.has_defect("attempt_never_expires"),
            guessable_state=config.has_defect("state_guessable"),
            clock=clock,
        ),
        sessions=SessionStore(config.session_ttl_seconds, clock=clock),
        lockout=PasswordLockout(config.password_lockout_threshold,
                                config.password_lockout_seconds, clock=clock),
        provider=provider,
        validator=IdTokenValidator(config, provider),
        reused_verifier=secrets.token_urlsafe(48),
        requests=RequestLog(config.request_log_limit),
    )


def create_app(
    config: VssidConfig,
    *,
    http_transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], float] | None = None,
) -> Starlette:
    """A reference VssID; http_transport lets its backend reach VNeID in-process.

    `clock` (seconds since the epoch) lets tests move time without sleeping; by default a
    `stubs.clock.StubClock` of its own, which the control plane's `/_stub/clock` moves.
    """
    state = build_state(config, http_transport, clock if clock is not None else StubClock())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await state.provider.aclose()

    routes = [
        Route("/", home.go_to_login, methods=["GET"]),
        Route("/_device", set_device, methods=["GET"]),
        *app_links.ROUTES,
        Route("/app/login", show_login, methods=["GET"]),
        Route("/app/login", submit_password_login, methods=["POST"]),
        Route("/app/vneid/start", start_vneid_login, methods=["POST"]),
        Route(config.redirect_path, vneid_callback, methods=["GET"]),
        Route("/app/home", home.show_home, methods=["GET"]),
        Route("/app/logout", home.logout, methods=["POST"]),
        Route(config.register_path, home.show_register, methods=["GET"]),
        Route("/api/session", home.session_api, methods=["GET"]),
        Route("/api/vneid/start", start_vneid_login_api, methods=["POST"]),
    ]
    if config.control_token is not None:
        routes += control_routes(config.control_prefix)
    app = Starlette(
        routes=routes, exception_handlers=EXCEPTION_HANDLERS, lifespan=lifespan,
        middleware=[Middleware(OversizeGuard),
                    Middleware(RequestLogMiddleware, log=state.requests,
                               skip_prefix=config.control_prefix, clock=state.clock)])
    # RP-18: the callback path matches exactly; no slash-redirect carrying its query along.
    app.router.redirect_slashes = False
    app.state.vssid = state  # what VssID's own routes read
    app.state.control = state  # what the shared control plane reads (stubs/control_plane.py)
    return app
