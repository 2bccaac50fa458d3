"""The one shape of both stubs' control planes: `<control_prefix>/…`, bearer-token protected.

Both stubs answer the same verbs here, read from the state object their routes share:

| verb | path | what |
|---|---|---|
| GET | `/health` | readiness (no token needed; it tells nothing) |
| POST | `/reset` | everything back to how the stub started |
| GET | `/defects` | the seeded defects switched on, with the requirement each breaks |
| GET / POST / DELETE | `/clock` | the stub's time; `{"advance_seconds": n}` moves it; back to now |
| GET / DELETE | `/requests` | the requests it received (redacted), or forget them |
| GET | `/state` | counters of what it holds (never the values) |

A stub adds its own routes (the stub VNeID's personas, clients, faults and keys) with the same
`guarded` check and the same error body. With no `control_token` configured the whole control
plane is absent (404), so a stub run by hand cannot be steered by whoever reaches its port.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Protocol, runtime_checkable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from stubs.defect_catalogue import DefectCatalogue
from stubs.request_log import RequestLog

MAX_BODY_BYTES = 65536


class ControlError(Exception):
    """A control call refused: an OAuth-style error body with this status."""

    def __init__(self, error: str, description: str, status: int = 400,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        return JSONResponse({"error": self.error, "error_description": self.description},
                            status_code=self.status, headers=self.headers)


@runtime_checkable
class Controlled(Protocol):
    """What a stub's shared state offers its control plane."""

    clock: Callable[[], float]
    requests: RequestLog

    @property
    def control_token(self) -> str | None: ...

    @property
    def defects_on(self) -> frozenset[str]: ...

    @property
    def defect_catalogue(self) -> DefectCatalogue: ...

    def reset(self) -> None: ...

    def counters(self) -> dict[str, int]: ...


class FromConfig:
    """The part of `Controlled` a stub's state reads off its config (`control_token`,
    `defects`) and its defect catalogue (the class's `catalogue`); mixed into both stubs'
    `StubState`."""

    catalogue: ClassVar[DefectCatalogue]
    config: Any

    @property
    def control_token(self) -> str | None:
        """The control plane's bearer token (None: no control plane)."""
        return self.config.control_token

    @property
    def defects_on(self) -> frozenset[str]:
        """The seeded defects switched on (by config only)."""
        return self.config.defects

    @property
    def defect_catalogue(self) -> DefectCatalogue:
        return self.catalogue


Handler = Callable[[Request], Awaitable[Response]]


def controlled(request: Request) -> Controlled:
    """The stub's state behind this request (each app keeps it as `app.state.control`)."""
    return request.app.state.control


def check_token(request: Request) -> Controlled:
    """The stub's state, once the caller has shown the control token; a ControlError else."""
    state = controlled(request)
    expected = state.control_token
    if expected is None:
        raise ControlError("not_found", "no such endpoint", 404)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), expected.encode()):
        raise ControlError("invalid_token", "the control plane needs its bearer token", 401,
                           {"WWW-Authenticate": 'Bearer realm="stub-control"'})
    return state


def guarded(handler: Handler) -> Handler:
    """A control route: the token checked first, a ControlError answered as its JSON body."""

    async def run(request: Request) -> Response:
        try:
            check_token(request)
            return await handler(request)
        except ControlError as refused:
            return refused.response()

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


async def json_body(request: Request, max_bytes: int = MAX_BODY_BYTES) -> Any:
    """The JSON body of a control call ({} when empty); other types and bad JSON refused."""
    body = await request.body()
    if not body:
        return {}
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise ControlError("invalid_request", "content type must be application/json")
    if len(body) > max_bytes:
        raise ControlError("invalid_request", "request too large")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ControlError("invalid_request", "body is not valid JSON") from exc


def ok(data: Any = None) -> JSONResponse:
    """A control call's answer: the data, or `{"ok": true}`."""
    return JSONResponse({"ok": True} if data is None else data)


async def health(request: Request) -> Response:
    """GET …/health: the stub is up."""
    return JSONResponse({"status": "ok"})


async def reset(request: Request) -> Response:
    """POST …/reset: everything back to how the stub started. The clock is not touched: the
    embedded stubs share one, and its owner puts it back (DELETE …/clock)."""
    controlled(request).reset()
    return ok()


async def defects(request: Request) -> Response:
    """GET …/defects: the seeded defects switched on (set by config only), with what each
    breaks."""
    state = controlled(request)
    catalogue = state.defect_catalogue
    return ok({"defects": [
        {"name": name, "requirement": catalogue[name].requirement,
         "recommendation": catalogue[name].recommendation}
        for name in sorted(state.defects_on)]})


async def clock(request: Request) -> Response:
    """GET reads, POST `{"advance_seconds": n}` moves on, DELETE puts back: …/clock."""
    state = controlled(request)
    movable = hasattr(state.clock, "advance") and hasattr(state.clock, "reset")
    if request.method != "GET" and not movable:
        raise ControlError("invalid_request",
                           "this stub's clock was given by whoever started it and cannot be moved")
    if request.method == "POST":
        body = await json_body(request)
        seconds = body.get("advance_seconds") if isinstance(body, dict) else None
        if (not isinstance(seconds, int | float) or isinstance(seconds, bool)
                or not 0 <= seconds <= 10**9):
            raise ControlError("invalid_request",
                               "advance_seconds: must be a number from 0 to 1000000000")
        state.clock.advance(float(seconds))
    elif request.method == "DELETE":
        state.clock.reset()
    return ok({"now": state.clock(), "offset_seconds": getattr(state.clock, "offset", 0.0)})


async def requests_received(request: Request) -> Response:
    """GET lists (parameters redacted), DELETE forgets: …/requests."""
    state = controlled(request)
    if request.method == "DELETE":
        state.requests.clear()
    return ok({"requests": state.requests.entries()})


async def counters(request: Request) -> Response:
    """GET …/state: how much the stub holds (never the values)."""
    return ok(controlled(request).counters())


def control_routes(prefix: str, own: list[tuple[str, Handler, list[str]]] = ()) -> list[Route]:
    """The shared control routes under `prefix`, then the stub's `own` (path, handler,
    methods), every one but /health behind the token."""
    shared: list[tuple[str, Handler, list[str]]] = [
        ("/reset", reset, ["POST"]),
        ("/defects", defects, ["GET"]),
        ("/clock", clock, ["GET", "POST", "DELETE"]),
        ("/requests", requests_received, ["GET", "DELETE"]),
        ("/state", counters, ["GET"]),
    ]
    return [Route(prefix + "/health", health, methods=["GET"])] + [
        Route(prefix + path, guarded(handler), methods=methods)
        for path, handler, methods in [*shared, *own]]
