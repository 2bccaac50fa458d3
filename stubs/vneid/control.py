"""The control plane (`/_stub/…`): reset, personas, clients, faults, keys, received requests."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from stubs.vneid.config import ClientRegistration, ConfigError
from stubs.vneid.errors import OAuthError
from stubs.vneid.faults import (
    HTTP_FAULT_ENDPOINTS,
    ArmedFault,
    FaultError,
    HttpFault,
    IdTokenFault,
    UserinfoFault,
    parse_fault_name,
)
from stubs.vneid.personas import Persona, PersonaError
from stubs.vneid.stub_state import StubState

log = logging.getLogger("stubs.vneid")


def _stub(request: Request) -> StubState:
    """The stub's state, once the caller has shown the control token."""
    stub: StubState = request.app.state.stub
    expected = stub.config.control_token
    if expected is None:
        raise OAuthError("not_found", "no such endpoint", 404)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), expected.encode()):
        raise OAuthError("invalid_token", "the control plane needs its bearer token", 401,
                         {"WWW-Authenticate": 'Bearer realm="vneid-control"'})
    return stub


async def _json_body(request: Request, max_bytes: int) -> Any:
    """The JSON body of a control call, refusing other content types and bad JSON."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise OAuthError("invalid_request", "content type must be application/json")
    body = await request.body()
    if len(body) > max_bytes:
        raise OAuthError("invalid_request", "request too large")
    try:
        return json.loads(body) if body else {}
    except (ValueError, UnicodeDecodeError) as exc:
        raise OAuthError("invalid_request", "body is not valid JSON") from exc


def _ok(data: Any = None) -> JSONResponse:
    return JSONResponse({"ok": True} if data is None else data)


async def reset(request: Request) -> Response:
    """POST /_stub/reset: everything back to how the stub started."""
    _stub(request).reset()
    return _ok()


async def list_personas(request: Request) -> Response:
    """GET /_stub/personas: every persona, with its failure count."""
    stub = _stub(request)
    return _ok({"personas": [
        {**p.as_record(), "failed_attempts": stub.personas.failures(p.id_number)}
        for p in stub.personas.all()
    ]})


async def put_persona(request: Request) -> Response:
    """PUT /_stub/personas/{key}: add or replace one persona (its key must match the path)."""
    stub = _stub(request)
    record = await _json_body(request, stub.config.max_body_bytes)
    if isinstance(record, dict):
        record = {"key": request.path_params["key"], **record}
    try:
        persona = Persona.from_record(record)
    except PersonaError as exc:
        raise OAuthError("invalid_request", f"persona.{exc}") from exc
    if persona.key != request.path_params["key"]:
        raise OAuthError("invalid_request", "persona.key: differs from the path")
    stub.personas.put(persona)
    return _ok(persona.as_record())


async def delete_persona(request: Request) -> Response:
    """DELETE /_stub/personas/{key}."""
    if not _stub(request).personas.remove(request.path_params["key"]):
        raise OAuthError("not_found", "no persona with that key", 404)
    return _ok()


async def reset_personas(request: Request) -> Response:
    """POST /_stub/personas/reset: personas and failure counts back to the data file."""
    _stub(request).personas.reset()
    return _ok()


def _client_record(client: ClientRegistration) -> dict:
    # The secret stays out of listings: whoever registered it already knows it.
    return {"client_id": client.client_id, "client_name": client.client_name,
            "redirect_uris": list(client.redirect_uris)}


async def list_clients(request: Request) -> Response:
    """GET /_stub/clients."""
    return _ok({"clients": [_client_record(c) for c in _stub(request).clients.all()]})


async def put_client(request: Request) -> Response:
    """PUT /_stub/clients/{client_id}: register or replace a client."""
    stub = _stub(request)
    body = await _json_body(request, stub.config.max_body_bytes)
    if not isinstance(body, dict):
        raise OAuthError("invalid_request", "client: must be an object")
    uris = body.get("redirect_uris")
    fields = (body.get("client_name"), body.get("client_secret"))
    if not all(isinstance(v, str) for v in fields) or not isinstance(uris, list) or not all(
            isinstance(u, str) for u in uris):
        raise OAuthError("invalid_request",
                         "client: client_name, client_secret (strings), redirect_uris (list)")
    try:
        client = ClientRegistration(request.path_params["client_id"], body["client_name"],
                                    body["client_secret"], tuple(uris))
    except ConfigError as exc:
        raise OAuthError("invalid_request", str(exc)) from exc
    stub.clients.put(client)
    return _ok(_client_record(client))


async def delete_client(request: Request) -> Response:
    """DELETE /_stub/clients/{client_id}."""
    if not _stub(request).clients.remove(request.path_params["client_id"]):
        raise OAuthError("not_found", "no client with that client_id", 404)
    return _ok()


def _armed_from(body: Any) -> ArmedFault:
    """An armed fault from a control-plane body, or a FaultError naming the field."""
    if not isinstance(body, dict):
        raise FaultError("body: must be an object")
    fault = parse_fault_name(body.get("fault"))
    count = body.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 1000:
        raise FaultError("count: must be an integer from 0 to 1000")
    armed = ArmedFault(fault, count)
    if isinstance(fault, HttpFault):
        armed.endpoint = body.get("endpoint")
        if armed.endpoint not in HTTP_FAULT_ENDPOINTS:
            raise FaultError(f"endpoint: must be one of {list(HTTP_FAULT_ENDPOINTS)}")
        delay = body.get("delay_seconds", 1.0)
        if not isinstance(delay, int | float) or isinstance(delay, bool) or not 0 <= delay <= 60:
            raise FaultError("delay_seconds: must be a number from 0 to 60")
        armed.delay_seconds = float(delay)
        status = body.get("status_code", 500)
        if status not in (500, 502, 503, 504):
            raise FaultError("status_code: must be 500, 502, 503 or 504")
        armed.status_code = status
    if isinstance(fault, UserinfoFault):
        id_number = body.get("id_number")
        if not isinstance(id_number, str) or not (len(id_number) == 12 and id_number.isascii()
                                                  and id_number.isdigit()):
            raise FaultError("id_number: must be the 12-digit ID number of a persona")
        armed.id_number = id_number
    if isinstance(fault, IdTokenFault) and "offset_seconds" in body:
        offset = body["offset_seconds"]
        if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= 10**8:
            raise FaultError("offset_seconds: must be a non-negative integer")
        armed.offset_seconds = offset
    return armed


async def faults(request: Request) -> Response:
    """GET lists, POST arms, DELETE disarms: /_stub/faults."""
    stub = _stub(request)
    if request.method == "POST":
        body = await _json_body(request, stub.config.max_body_bytes)
        try:
            armed = _armed_from(body)
            stub.faults.arm(armed)
            log.info("control: armed %s", armed.describe())
        except FaultError as exc:
            raise OAuthError("invalid_request", str(exc)) from exc
    elif request.method == "DELETE":
        stub.faults.clear()
    return _ok({"faults": [a.describe() for a in stub.faults.armed()]})


async def keys(request: Request) -> Response:
    """GET /_stub/keys: the current and published key ids."""
    stub = _stub(request)
    return _ok({"current_kid": stub.keys.current.kid,
                "published_kids": [k.kid for k in stub.keys.published()]})


async def rotate_keys(request: Request) -> Response:
    """POST /_stub/keys/rotate: sign with a new key; the old one stays published for the overlap."""
    stub = _stub(request)
    body = await _json_body(request, stub.config.max_body_bytes) if (
        await request.body()) else {}
    overlap = body.get("overlap_seconds", stub.config.key_overlap_seconds) if isinstance(
        body, dict) else None
    if not isinstance(overlap, int | float) or isinstance(overlap, bool) or overlap < 0:
        raise OAuthError("invalid_request", "overlap_seconds: must be a non-negative number")
    stub.keys.rotate(float(overlap))
    log.info("control: signing key rotated, overlap %ss", overlap)
    return await keys(request)


async def requests_received(request: Request) -> Response:
    """GET lists, DELETE clears: /_stub/requests (parameters redacted)."""
    stub = _stub(request)
    if request.method == "DELETE":
        stub.requests.clear()
    return _ok({"requests": stub.requests.entries()})


async def defects(request: Request) -> Response:
    """GET /_stub/defects: the seeded defects switched on (config only; read-only here)."""
    return _ok({"defects": sorted(_stub(request).config.defects)})


def control_routes(prefix: str) -> list[Route]:
    """Every control-plane route under the prefix."""
    return [
        Route(prefix + "/reset", reset, methods=["POST"]),
        Route(prefix + "/personas", list_personas, methods=["GET"]),
        Route(prefix + "/personas/reset", reset_personas, methods=["POST"]),
        Route(prefix + "/personas/{key}", put_persona, methods=["PUT"]),
        Route(prefix + "/personas/{key}", delete_persona, methods=["DELETE"]),
        Route(prefix + "/clients", list_clients, methods=["GET"]),
        Route(prefix + "/clients/{client_id}", put_client, methods=["PUT"]),
        Route(prefix + "/clients/{client_id}", delete_client, methods=["DELETE"]),
        Route(prefix + "/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route(prefix + "/keys", keys, methods=["GET"]),
        Route(prefix + "/keys/rotate", rotate_keys, methods=["POST"]),
        Route(prefix + "/requests", requests_received, methods=["GET", "DELETE"]),
        Route(prefix + "/defects", defects, methods=["GET"]),
    ]
