"""The stub VNeID application factory: one config in, one Starlette app out."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from stubs.clock import StubClock
from stubs.limits import OversizeGuard
from stubs.request_log import RequestLog, RequestLogMiddleware
from stubs.vneid import app_links
from stubs.vneid.authorize import authorize, web_fallback
from stubs.vneid.clients import ClientRegistry
from stubs.vneid.config import VneidConfig
from stubs.vneid.consent import consent
from stubs.vneid.control import vneid_control_routes
from stubs.vneid.device import set_device
from stubs.vneid.discovery import jwks, openid_configuration
from stubs.vneid.errors import EXCEPTION_HANDLERS, CatchAllMiddleware
from stubs.vneid.faults import FaultPlan
from stubs.vneid.grants import GrantStore
from stubs.vneid.http_faults import HttpFaultMiddleware
from stubs.vneid.keys import SigningKeys, generate_signing_key, load_signing_key
from stubs.vneid.login import login, passcode
from stubs.vneid.personas import PersonaStore, load_personas
from stubs.vneid.stub_state import StubState
from stubs.vneid.token import token
from stubs.vneid.userinfo import userinfo


def build_state(config: VneidConfig, clock: Callable[[], float]) -> StubState:
    """The stores of a fresh stub, from its config and data files."""
    key = (load_signing_key(config.signing_key_file, config.signing_alg)
           if config.signing_key_file else generate_signing_key(config.signing_alg))
    return StubState(
        config=config,
        clock=clock,
        personas=PersonaStore(load_personas(config.personas_file)),
        clients=ClientRegistry(config.clients),
        keys=SigningKeys(key, config.signing_alg, clock),
        grants=GrantStore(clock),
        faults=FaultPlan(),
        requests=RequestLog(config.request_log_limit),
    )


def create_app(
    config: VneidConfig,
    *,
    http_transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], float] | None = None,
) -> Starlette:
    """The stub VNeID as an ASGI app.

    `http_transport` is accepted for symmetry with the other stub; VNeID calls no one.
    `clock` (seconds since the epoch) lets tests move time without sleeping; by default a
    `stubs.clock.StubClock` of its own, which the control plane's `/_stub/clock` moves.
    """
    del http_transport
    stub = build_state(config, clock if clock is not None else StubClock())
    p = config.authorize_path
    routes = [
        Route("/.well-known/openid-configuration", openid_configuration, methods=["GET"]),
        Route(config.jwks_path, jwks, methods=["GET"]),
        *app_links.ROUTES,
        Route(config.device_path, set_device, methods=["GET"]),
        Route(p, authorize, methods=["GET"]),
        Route(p + "/web", web_fallback, methods=["GET"]),
        Route(p + "/login", login, methods=["POST"]),
        Route(p + "/passcode", passcode, methods=["POST"]),
        Route(p + "/consent", consent, methods=["POST"]),
        Route(config.token_path, token, methods=["POST"]),
        Route(config.userinfo_path, userinfo, methods=["GET", "POST"]),
    ]
    if config.control_token is not None:
        routes += vneid_control_routes(config)
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(OversizeGuard),
            Middleware(CatchAllMiddleware),
            Middleware(RequestLogMiddleware, log=stub.requests,
                       skip_prefix=config.control_prefix, clock=stub.clock),
            Middleware(HttpFaultMiddleware, stub=stub),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
    )
    # Exact paths only: the slash redirect would also rebuild URLs from unvalidated bytes.
    app.router.redirect_slashes = False
    app.state.stub = stub  # what VNeID's own routes read
    app.state.control = stub  # what the shared control plane reads (stubs/control_plane.py)
    return app
