"""POST /token: authenticate the client, redeem the code once, issue the ID token."""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import re
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse

from stubs.params import form_params, single_values
from stubs.pkce import s256_challenge
from stubs.redaction import witness
from stubs.vneid.config import ClientRegistration
from stubs.vneid.errors import OAuthError
from stubs.vneid.grants import CodeGrant
from stubs.vneid.id_tokens import build_id_token
from stubs.vneid.stub_state import StubState

_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
_BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="vneid"'}

log = logging.getLogger("stubs.vneid")


def _invalid_client(description: str) -> OAuthError:
    """The 401 answer for failed client authentication."""
    return OAuthError("invalid_client", description, 401, _BASIC_CHALLENGE)


def _basic_credentials(header: str) -> tuple[str, str]:
    """client_id and secret from an HTTP Basic header (RFC 6749 §2.3.1)."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        raise _invalid_client("unsupported authorization scheme")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise _invalid_client("malformed basic credentials") from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise _invalid_client("malformed basic credentials")
    # RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))


def authenticate_client(
    stub: StubState, request: Request, values: dict[str, str]
) -> ClientRegistration:
    """client_secret_basic or client_secret_post, exactly one of them."""
    header = request.headers.get("authorization")
    if header is not None and "client_secret" in values:
        raise OAuthError("invalid_request", "use one client authentication method, not two")
    if header is not None:
        client_id, secret = _basic_credentials(header)
        if "client_id" in values and values["client_id"] != client_id:
            raise OAuthError("invalid_request", "client_id does not match the credentials")
    elif "client_secret" in values:
        client_id, secret = values.get("client_id", ""), values["client_secret"]
    else:
        raise _invalid_client("client authentication is required")
    client = stub.clients.get(client_id)
    if client is None or not hmac.compare_digest(secret.encode(), client.client_secret.encode()):
        raise _invalid_client("unknown client or wrong secret")
    return client


def _check_pkce(stub: StubState, grant: CodeGrant, verifier: str | None) -> None:
    """The code_verifier must hash to the code's challenge (RFC 7636 §4.6)."""
    if stub.config.has_defect("pkce_verifier_not_checked"):
        return
    challenge = grant.request.code_challenge
    if challenge is None:
        return  # only reachable with the pkce_not_required defect
    if verifier is None or not _VERIFIER.match(verifier):
        raise OAuthError("invalid_grant", "code_verifier is missing or malformed")
    s256 = grant.request.code_challenge_method == "S256"
    expected = s256_challenge(verifier) if s256 else verifier
    if not hmac.compare_digest(expected, challenge):
        raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")


def redeem_code(stub: StubState, client: ClientRegistration, values: dict[str, str]) -> CodeGrant:
    """The code's grant, once, if every binding holds (IDP-03, IDP-04)."""
    config = stub.config
    code = values.get("code")
    if not code:
        raise OAuthError("invalid_request", "code is required")
    grant = stub.grants.codes.get(code)
    if grant is None:
        raise OAuthError("invalid_grant", "unknown code")
    if grant.used and not config.has_defect("codes_reusable"):
        if not config.has_defect("replay_keeps_tokens"):
            stub.grants.revoke_tokens_of(grant)
        raise OAuthError("invalid_grant", "code already used; tokens issued from it are revoked")
    if grant.expires_at <= stub.clock() and not config.has_defect("codes_never_expire"):
        raise OAuthError("invalid_grant", "code expired")
    if (grant.request.client_id != client.client_id
            and not config.has_defect("code_not_bound_to_client")):
        raise OAuthError("invalid_grant", "code was issued to another client")
    if (values.get("redirect_uri") != grant.request.redirect_uri
            and not config.has_defect("code_not_bound_to_redirect_uri")):
        raise OAuthError("invalid_grant", "redirect_uri differs from the authorization request")
    _check_pkce(stub, grant, values.get("code_verifier"))
    grant.used = True
    return grant


async def token(request: Request) -> JSONResponse:
    """POST /token (authorization_code grant only)."""
    stub: StubState = request.app.state.stub
    config = stub.config
    values = single_values(await form_params(request, max_bytes=config.max_body_bytes,
                                             max_value_length=config.max_param_length))
    client = authenticate_client(stub, request, values)
    grant_type = values.get("grant_type")
    if grant_type is None:
        raise OAuthError("invalid_request", "grant_type is required")
    if grant_type != "authorization_code":
        raise OAuthError("unsupported_grant_type", "only authorization_code is supported")
    grant = redeem_code(stub, client, values)
    persona = stub.personas.by_id_number(grant.id_number)
    if persona is None or persona.status != "active":
        raise OAuthError("invalid_grant", "the account can no longer log in")
    access = stub.grants.issue_access_token(grant, config.access_token_ttl_seconds)
    log.info("token: issued to client %s", client.client_id)
    id_token = build_id_token(stub, grant, persona)
    witness("id_token", id_token)
    return JSONResponse(
        {
            "access_token": access.token,
            "token_type": "Bearer",
            "expires_in": config.access_token_ttl_seconds,
            "id_token": id_token,
            "scope": " ".join(grant.request.scope),
        },
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )
