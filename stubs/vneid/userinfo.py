"""GET/POST /userinfo: the person's claims for a bearer access token."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from stubs.vneid.errors import OAuthError
from stubs.vneid.id_tokens import phone_claims, subject_for
from stubs.vneid.stub_state import StubState


def _bearer_error(error: str | None, description: str) -> OAuthError:
    challenge = 'Bearer realm="vneid"'
    if error:
        challenge += f', error="{error}", error_description="{description}"'
    return OAuthError(error or "invalid_token", description, 401, {"WWW-Authenticate": challenge})


async def userinfo(request: Request) -> JSONResponse:
    """The claims of the person the access token was issued for (RFC 6750 bearer only)."""
    stub: StubState = request.app.state.stub
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _bearer_error(None, "a bearer access token is required")
    access = stub.grants.access_grant(token.strip())
    persona = stub.personas.by_id_number(access.id_number) if access else None
    if access is None or persona is None:
        raise _bearer_error("invalid_token", "the access token is unknown, expired or revoked")
    config = stub.config
    fault = stub.faults.take_userinfo_fault()
    if fault is not None:
        # OTHER_PERSON: another persona's sub and claims for this person's token.
        persona = stub.personas.by_id_number(fault.id_number or "") or persona
    return JSONResponse(
        {
            "sub": subject_for(config, persona.id_number),
            "name": persona.name,
            "birthdate": persona.birthdate,
            config.id_number_claim: persona.id_number,
            **phone_claims(persona, access.scope),
        },
        headers={"Cache-Control": "no-store"},
    )
