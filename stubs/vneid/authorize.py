"""GET /authorize, the VNeID app link: validate the request, gate the app, open the login."""

from __future__ import annotations

import json
import re

from starlette.requests import Request
from starlette.responses import Response

from stubs.params import MalformedRequest, query_params, single_values
from stubs.redaction import witness
from stubs.versions import meets_minimum
from stubs.vneid.clients import redirect_uri_registered
from stubs.vneid.config import VneidConfig
from stubs.vneid.device import device_state
from stubs.vneid.errors import ScreenError
from stubs.vneid.grants import AuthorizationRequest, Transaction
from stubs.vneid.handback import hand_back_error
from stubs.vneid.screens import render_screen
from stubs.vneid.stub_state import StubState

_S256_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_PLAIN_CHALLENGE = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")


class RefusedRequest(Exception):
    """A request from a known client and redirect that is refused by redirecting an error."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(error)
        self.error = error
        self.description = description


def _request_error(message: str) -> ScreenError:
    return ScreenError(message, screen="vneid-request-error", outcome="PROTOCOL_ERROR")


def _level2_requested(config: VneidConfig, values: dict[str, str]) -> bool:
    """Level 2 asked through `acr_values` or an essential `acr` claim request."""
    by_acr_values = config.acr_level2 in values.get("acr_values", "").split()
    if "claims" not in values:
        return by_acr_values
    try:
        claims = json.loads(values["claims"])
    except ValueError as exc:
        raise RefusedRequest("invalid_request", "claims is not valid JSON") from exc
    if not isinstance(claims, dict) or not isinstance(claims.get("id_token", {}), dict):
        raise RefusedRequest("invalid_request", "claims must be a JSON object")
    acr = claims.get("id_token", {}).get("acr")
    if not isinstance(acr, dict) or acr.get("essential") is not True:
        return by_acr_values
    wanted = acr.get("values", [acr.get("value")])
    return by_acr_values or (isinstance(wanted, list) and config.acr_level2 in wanted)


def _validated_request(
    config: VneidConfig, client_id: str, redirect_uri: str, params: dict[str, list[str]]
) -> AuthorizationRequest:
    """The checks made once client and redirect are trusted; failures are redirected."""
    states = params.get("state", [])
    try:
        values = single_values(params)
    except MalformedRequest as exc:
        raise RefusedRequest("invalid_request", str(exc)) from exc
    if "request" in values:
        raise RefusedRequest("request_not_supported", "request objects are not supported")
    if "request_uri" in values:
        raise RefusedRequest("request_uri_not_supported", "request_uri is not supported")
    response_type = values.get("response_type")
    if response_type is None:
        raise RefusedRequest("invalid_request", "response_type is required")
    if response_type != "code":
        raise RefusedRequest("unsupported_response_type", "only response_type=code is supported")
    if values.get("response_mode", "query") != "query":
        raise RefusedRequest("invalid_request", "only response_mode=query is supported")
    scope = tuple(values.get("scope", "").split())
    if "openid" not in scope:
        raise RefusedRequest("invalid_scope", "scope must include openid")
    challenge = values.get("code_challenge")
    method = values.get("code_challenge_method")
    lax_pkce = config.has_defect("pkce_not_required")
    if not lax_pkce:
        if challenge is None:
            raise RefusedRequest("invalid_request", "code_challenge is required (PKCE S256)")
        if method != "S256":
            raise RefusedRequest("invalid_request", "code_challenge_method must be S256")
        if not _S256_CHALLENGE.match(challenge):
            raise RefusedRequest("invalid_request", "code_challenge is not a S256 challenge")
    elif challenge is not None and not _PLAIN_CHALLENGE.match(challenge):
        raise RefusedRequest("invalid_request", "code_challenge is malformed")
    if "none" in values.get("prompt", "").split():
        # The person always logs in on the VNeID app: there is no silent session to reuse.
        raise RefusedRequest("login_required", "VNeID always requires an interactive login")
    return AuthorizationRequest(
        client_id=client_id,
        redirect_uri=redirect_uri,
        scope=tuple(s for s in scope if s in config.scopes_supported),
        state=states[0] if states else None,
        nonce=values.get("nonce"),
        code_challenge=challenge,
        code_challenge_method=(method or "plain") if challenge else None,
        level2_requested=_level2_requested(config, values),
    )


def version_allowed(config: VneidConfig, installed: str) -> bool:
    """The VNeID version gate (N-VER-1, APP-08): the minimum itself is accepted."""
    return meets_minimum(installed, config.min_app_version,
                         as_strings=config.has_defect("version_string_compare"),
                         exclusive=config.has_defect("version_min_exclusive"))


def render_login(request: Request, tx: Transaction, *, status_code: int = 200,
                 form_error: str | None = None, outcome: str | None = None,
                 id_number: str = "") -> Response:
    """The VNeID login screen for a transaction."""
    stub: StubState = request.app.state.stub
    client = stub.clients.get(tx.request.client_id)
    return render_screen(
        request, "login.html", screen="vneid-login", outcome=outcome, status_code=status_code,
        tx=tx.id, action=stub.config.authorize_path + "/login",
        client_name=client.client_name if client else tx.request.client_id,
        form_error=form_error, id_number=id_number,
    )


async def authorize(request: Request) -> Response:
    """GET /authorize: the app link VssID opens."""
    stub: StubState = request.app.state.stub
    config = stub.config
    params = query_params(request, max_bytes=config.max_body_bytes,
                          max_value_length=config.max_param_length)
    client_ids = params.get("client_id", [])
    redirect_uris = params.get("redirect_uri", [])
    if len(client_ids) != 1 or len(redirect_uris) != 1:
        raise _request_error("Yêu cầu đăng nhập thiếu hoặc lặp lại client_id / redirect_uri.")
    client_id, redirect_uri = client_ids[0], redirect_uris[0]
    client = stub.clients.get(client_id)
    prefix = config.has_defect("redirect_uri_prefix_match")
    if client is None or not redirect_uri_registered(client, redirect_uri, prefix_match=prefix):
        states = params.get("state", [])
        if config.has_defect("redirect_on_unknown_client"):
            return hand_back_error(stub, redirect_uri, states[0] if states else None,
                                   "unauthorized_client", "unknown client or redirect_uri")
        if client is None:
            raise _request_error("Ứng dụng yêu cầu đăng nhập không được đăng ký với VNeID.")
        raise _request_error("Địa chỉ quay lại (redirect_uri) không khớp với đăng ký.")
    states = params.get("state", [])
    for name in ("state", "nonce"):  # what the client sent: a value the kit tracks (RP-21)
        for value in params.get(name, []):
            witness(name, value)
    try:
        auth_request = _validated_request(config, client_id, redirect_uri, params)
    except RefusedRequest as refused:
        # A repeated state cannot be echoed unchanged; send none rather than pick one.
        echo = states[0] if len(states) == 1 else None
        return hand_back_error(stub, redirect_uri, echo, refused.error, refused.description)

    device = device_state(request)
    if not device.installed:
        return not_installed_screen(request, stub, auth_request)
    if not version_allowed(config, device.version):
        return render_screen(
            request, "update.html", screen="vneid-update", outcome="VNEID_UPDATE_REQUIRED",
            store_url=config.store_url, installed_version=device.version,
            min_version=config.min_app_version,
        )
    tx = stub.grants.start_transaction(auth_request, config.transaction_ttl_seconds)
    return render_login(request, tx)


def not_installed_screen(request: Request, stub: StubState,
                         auth_request: AuthorizationRequest) -> Response:
    """VNEID_NOT_INSTALLED: the store link and the web fallback on VNeID's own origin (APP-06)."""
    config = stub.config
    if config.has_defect("not_installed_dead_end"):
        return render_screen(request, "not_installed.html", screen="vneid-not-installed",
                             outcome="VNEID_NOT_INSTALLED", store_url=None,
                             web_fallback_url=None)
    tx = stub.grants.start_transaction(auth_request, config.transaction_ttl_seconds)
    fallback = f"{config.authorize_path}/web?tx={tx.id}"
    if config.has_defect("web_fallback_off_origin"):
        fallback = f"{config.off_origin_fallback_url}?tx={tx.id}"
    return render_screen(request, "not_installed.html", screen="vneid-not-installed",
                         outcome="VNEID_NOT_INSTALLED", store_url=config.store_url,
                         web_fallback_url=fallback)


async def web_fallback(request: Request) -> Response:
    """GET /authorize/web?tx=…: the same login, continued in the browser without the app."""
    stub: StubState = request.app.state.stub
    values = single_values(query_params(request, max_bytes=stub.config.max_body_bytes,
                                        max_value_length=stub.config.max_param_length))
    tx = stub.grants.transaction(values.get("tx", ""), "login")
    if tx is None:
        raise ScreenError("Phiên đăng nhập đã hết hạn hoặc không hợp lệ. Vui lòng thử lại.")
    return render_login(request, tx)
