"""Applies the armed HTTP faults (delay, 5xx) to the endpoint they target."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from stubs.vneid.errors import error_page, oauth_error_response
from stubs.vneid.faults import HttpFault
from stubs.vneid.stub_state import StubState


def endpoint_of(stub: StubState, path: str) -> str | None:
    """Which fault-targetable endpoint a path is, if any."""
    config = stub.config
    return {
        "/.well-known/openid-configuration": "discovery",
        config.jwks_path: "jwks",
        config.authorize_path: "authorize",
        config.token_path: "token",
        config.userinfo_path: "userinfo",
    }.get(path)


class HttpFaultMiddleware:
    """Delays or fails the next responses of an endpoint, as the control plane armed."""

    def __init__(self, app: ASGIApp, *, stub: StubState) -> None:
        self.app = app
        self.stub = stub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = endpoint_of(self.stub, scope["path"]) if scope["type"] == "http" else None
        if endpoint is None:
            await self.app(scope, receive, send)
            return
        for armed in self.stub.faults.take_http_faults(endpoint):
            if armed.fault is HttpFault.DELAY:
                await asyncio.sleep(armed.delay_seconds)
            elif armed.fault is HttpFault.SERVER_ERROR:
                request = Request(scope, receive)
                if endpoint == "authorize":
                    response = error_page(
                        request, "Hệ thống VNeID đang gặp sự cố. Vui lòng thử lại sau.",
                        outcome="IDP_ERROR", status_code=armed.status_code)
                else:
                    unavailable = armed.status_code == 503
                    error = "temporarily_unavailable" if unavailable else "server_error"
                    response = oauth_error_response(error, "injected server error",
                                                    armed.status_code)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
