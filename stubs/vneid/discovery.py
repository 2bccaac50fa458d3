"""The OpenID Provider metadata document and the public JWKS."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from stubs.vneid.stub_state import StubState


def discovery_document(stub: StubState) -> dict:
    """What the stub advertises (OIDC Discovery §3, RFC 8414, RFC 9207 §3)."""
    config = stub.config
    issuer = config.issuer
    if config.has_defect("issuer_mismatch"):
        issuer += "/"
    document = {
        "issuer": issuer,
        "authorization_endpoint": config.url(config.authorize_path),
        "token_endpoint": config.url(config.token_path),
        "userinfo_endpoint": config.url(config.userinfo_path),
        "jwks_uri": config.url(config.jwks_path),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [config.signing_alg],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": True,
        "acr_values_supported": [config.acr_level2, config.acr_level1],
        "claims_supported": list(config.claims_supported),
        "claims_parameter_supported": True,
        "scopes_supported": list(config.scopes_supported),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "prompt_values_supported": ["login", "consent"],
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
    }
    if config.has_defect("iss_not_advertised"):
        del document["authorization_response_iss_parameter_supported"]
    return document


async def openid_configuration(request: Request) -> JSONResponse:
    """GET /.well-known/openid-configuration."""
    return JSONResponse(discovery_document(request.app.state.stub))


async def jwks(request: Request) -> JSONResponse:
    """GET the JWKS: the current key and, during rotation, the previous one (IDP-08)."""
    stub: StubState = request.app.state.stub
    document = stub.keys.jwks()
    if stub.config.has_defect("jwks_drops_previous_key"):
        document = {"keys": document["keys"][:1]}
    return JSONResponse(document, headers={"Cache-Control": "public, max-age=60"})
