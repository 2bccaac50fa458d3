"""The test control plane: health probe, state counters and a cheap per-test reset."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from stubs.vssid.backend_state import BackendState


async def health(request: Request) -> Response:
    """GET /_control/health: readiness probe."""
    return JSONResponse({"status": "ok"})


async def counters(request: Request) -> Response:
    """GET /_control/state: how many attempts and sessions are live (never their values)."""
    state: BackendState = request.app.state.vssid
    return JSONResponse({
        "attempts": len(state.attempts),
        "sessions": len(state.sessions),
        "defects": sorted(state.config.defects),
    })


async def reset(request: Request) -> Response:
    """POST /_control/reset: forget attempts, sessions, lockouts and cached VNeID data."""
    state: BackendState = request.app.state.vssid
    state.reset()
    return JSONResponse({"status": "reset"})
