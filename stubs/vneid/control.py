"""The stub VNeID's own control routes: personas, clients, faults and signing keys.

They are mounted under `control_prefix` (`/_stub`) by the shared control plane
(stubs/control_plane.py), which also gives the verbs both stubs share (health, reset, defects,
clock, requests, state), the bearer-token check and the error body; a refused call raises
`ControlError`.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from stubs.control_plane import ControlError, control_routes, controlled, json_body, ok
from stubs.settings import ConfigError, settings_from
from stubs.vneid.config import ClientRegistration, VneidConfig
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
    """The stub VNeID's state behind a control call (the token is already checked)."""
    return controlled(request)  # type: ignore[return-value]


async def _body(request: Request) -> Any:
    """A control call's JSON body, no larger than the stub's `max_body_bytes`."""
    return await json_body(request, _stub(request).config.max_body_bytes)


async def list_personas(request: Request) -> Response:
    """GET /_stub/personas: every persona, with its failure count."""
    stub = _stub(request)
    return ok({"personas": [
        {**p.as_record(), "failed_attempts": stub.personas.failures(p.id_number)}
        for p in stub.personas.all()
    ]})


async def put_persona(request: Request) -> Response:
    """PUT /_stub/personas/{key}: add or replace one persona (its key must match the path)."""
    stub = _stub(request)
    record = await _body(request)
    if isinstance(record, dict):
        record = {"key": request.path_params["key"], **record}
    try:
        persona = Persona.from_record(record)
    except PersonaError as exc:
        raise ControlError("invalid_request", f"persona.{exc}") from exc
    if persona.key != request.path_params["key"]:
        raise ControlError("invalid_request", "persona.key: differs from the path")
    stub.personas.put(persona)
    return ok(persona.as_record())


async def delete_persona(request: Request) -> Response:
    """DELETE /_stub/personas/{key}."""
    if not _stub(request).personas.remove(request.path_params["key"]):
        raise ControlError("not_found", "no persona with that key", 404)
    return ok()


async def reset_personas(request: Request) -> Response:
    """POST /_stub/personas/reset: personas and failure counts back to the data file."""
    _stub(request).personas.reset()
    return ok()


def _client_record(client: ClientRegistration) -> dict:
    # The secret stays out of listings: whoever registered it already knows it.
    return {"client_id": client.client_id, "client_name": client.client_name,
            "redirect_uris": list(client.redirect_uris)}


async def list_clients(request: Request) -> Response:
    """GET /_stub/clients."""
    return ok({"clients": [_client_record(c) for c in _stub(request).clients.all()]})


async def put_client(request: Request) -> Response:
    """PUT /_stub/clients/{client_id}: register or replace a client, checked as a `[[clients]]`
    table of the config is."""
    stub = _stub(request)
    body = await _body(request)
    if not isinstance(body, dict):
        raise ControlError("invalid_request", "client: must be an object")
    client_id = request.path_params["client_id"]
    if body.get("client_id", client_id) != client_id:
        raise ControlError("invalid_request", "client.client_id: differs from the path")
    try:
        client = settings_from(ClientRegistration, {**body, "client_id": client_id})
    except ConfigError as exc:
        raise ControlError("invalid_request", f"client.{exc}") from exc
    stub.clients.put(client)
    return ok(_client_record(client))


async def delete_client(request: Request) -> Response:
    """DELETE /_stub/clients/{client_id}."""
    if not _stub(request).clients.remove(request.path_params["client_id"]):
        raise ControlError("not_found", "no client with that client_id", 404)
    return ok()


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
        body = await _body(request)
        try:
            armed = _armed_from(body)
        except FaultError as exc:
            raise ControlError("invalid_request", str(exc)) from exc
        stub.faults.arm(armed)
        log.info("control: armed %s", armed.describe())
    elif request.method == "DELETE":
        stub.faults.clear()
    return ok({"faults": [a.describe() for a in stub.faults.armed()]})


async def keys(request: Request) -> Response:
    """GET /_stub/keys: the current and published key ids."""
    stub = _stub(request)
    return ok({"current_kid": stub.keys.current.kid,
               "published_kids": [k.kid for k in stub.keys.published()]})


async def rotate_keys(request: Request) -> Response:
    """POST /_stub/keys/rotate: sign with a new key; the old one stays published for the
    overlap (`{"overlap_seconds": S}`, default `key_overlap_seconds`)."""
    stub = _stub(request)
    body = await _body(request)
    overlap = (body.get("overlap_seconds", stub.config.key_overlap_seconds)
               if isinstance(body, dict) else None)
    if not isinstance(overlap, int | float) or isinstance(overlap, bool) or overlap < 0:
        raise ControlError("invalid_request", "overlap_seconds: must be a non-negative number")
    stub.keys.rotate(float(overlap))
    log.info("control: signing key rotated, overlap %ss", overlap)
    return await keys(request)


OWN_ROUTES = [
    ("/personas", list_personas, ["GET"]),
    ("/personas/reset", reset_personas, ["POST"]),
    ("/personas/{key}", put_persona, ["PUT"]),
    ("/personas/{key}", delete_persona, ["DELETE"]),
    ("/clients", list_clients, ["GET"]),
    ("/clients/{client_id}", put_client, ["PUT"]),
    ("/clients/{client_id}", delete_client, ["DELETE"]),
    ("/faults", faults, ["GET", "POST", "DELETE"]),
    ("/keys", keys, ["GET"]),
    ("/keys/rotate", rotate_keys, ["POST"]),
]


def vneid_control_routes(config: VneidConfig) -> list[Route]:
    """The whole control plane under `control_prefix`: the shared verbs, then VNeID's own."""
    return control_routes(config.control_prefix, own=OWN_ROUTES)
