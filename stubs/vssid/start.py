"""Starting a VNeID login: the server-side version gate, then a new attempt and the app link."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from stubs.pkce import s256_challenge
from stubs.redaction import witness
from stubs.versions import meets_minimum, parse_version
from stubs.vssid.cookies import set_private_cookie
from stubs.vssid.errors import error_json
from stubs.vssid.forms import read_form, single_text
from stubs.vssid.outcomes import Outcome
from stubs.vssid.provider import ProviderMisbehaved, ProviderUnavailable
from stubs.vssid.screens import render_outcome
from stubs.vssid.stub_state import StubState

log = logging.getLogger("stubs.vssid.start")


@dataclass(frozen=True)
class StartResult:
    """Either the authorization URL (with the browser binding) or the outcome that refused."""

    authorization_url: str | None = None
    browser_binding: str | None = None
    outcome: Outcome | None = None
    reason: str | None = None


def version_allowed(state: StubState, app_version: str | None) -> bool:
    """The minimum-version gate, as the server enforces it (N-VER-2, APP-08)."""
    config = state.config
    if config.has_defect("unreadable_version_accepted") and parse_version(app_version) is None:
        return True
    return meets_minimum(
        app_version,
        config.min_app_version,
        as_strings=config.has_defect("version_string_compare"),
        exclusive=config.has_defect("version_min_exclusive"),
    )


async def begin_attempt(request: Request, app_version: str | None) -> StartResult:
    """Refuse old app versions, else open an attempt and build the VNeID app link."""
    state: StubState = request.app.state.vssid
    config = state.config
    enforced = not config.has_defect("version_gate_ui_only")
    if enforced and not version_allowed(state, app_version):
        log.info("start refused: app version below minimum %s", config.min_app_version)
        return StartResult(outcome=Outcome.VSSID_UPDATE_REQUIRED, reason="app_version")
    try:
        metadata = await state.provider.metadata()
    except ProviderUnavailable:
        return StartResult(outcome=Outcome.IDP_ERROR, reason="discovery_unavailable")
    except ProviderMisbehaved:
        return StartResult(outcome=Outcome.PROTOCOL_ERROR, reason="discovery_invalid")

    binding = request.cookies.get(config.attempt_cookie) or ""
    if not (20 <= len(binding) <= 64):
        binding = secrets.token_urlsafe(24)
    verifier = (
        state.reused_verifier if config.has_defect("pkce_verifier_reused")
        else secrets.token_urlsafe(48)
    )
    witness("code_verifier", verifier)
    witness("session", binding)  # the attempt cookie binds the login to this browser
    attempt = state.attempts.create(
        browser_binding=binding, code_verifier=verifier, redirect_uri=config.redirect_uri
    )
    plain = config.has_defect("pkce_plain")
    params = {
        "client_id": config.client_id,
        "redirect_uri": attempt.redirect_uri,
        "response_type": "code",
        # link_by_phone also asks for the phone number it then (wrongly) links by.
        "scope": f"{config.scope} phone" if config.has_defect("link_by_phone") else config.scope,
        "state": attempt.state,
        "nonce": attempt.nonce,
        "code_challenge": verifier if plain else s256_challenge(verifier),
        "code_challenge_method": "plain" if plain else "S256",
    }
    if not config.has_defect("acr_not_requested"):
        params["acr_values"] = config.acr_level2
    endpoint = metadata.authorization_endpoint
    if config.has_defect("handover_custom_scheme"):
        # RP-17 broken: any app registering this scheme may answer instead of VNeID.
        endpoint = "vneid://" + endpoint.split("://", 1)[1]
    separator = "&" if "?" in endpoint else "?"
    log.info("start: attempt opened, handing over to VNeID")
    return StartResult(
        authorization_url=endpoint + separator + urlencode(params), browser_binding=binding
    )


def _bind(response: Response, state: StubState, binding: str) -> None:
    config = state.config
    set_private_cookie(response, config, config.attempt_cookie, binding,
                       max_age=max(config.attempt_ttl_seconds, 60))


async def start_vneid_login(request: Request) -> Response:
    """POST /app/vneid/start (form app_version): 303 to the VNeID app link, or a refusal."""
    form = await read_form(request)
    result = await begin_attempt(request, single_text(form, "app_version"))
    if result.outcome is not None:
        return render_outcome(request, result.outcome, reason=result.reason)
    response = RedirectResponse(result.authorization_url, status_code=303)
    _bind(response, request.app.state.vssid, result.browser_binding)
    return response


async def start_vneid_login_api(request: Request) -> Response:
    """POST /api/vneid/start: the same, answered as JSON for a native app or a test client."""
    form = await read_form(request)
    result = await begin_attempt(request, single_text(form, "app_version"))
    if result.outcome is Outcome.VSSID_UPDATE_REQUIRED:
        response = error_json(403, "update_required", "VssID app version below the minimum")
    elif result.outcome is not None:
        response = error_json(502, "temporarily_unavailable", "VNeID discovery failed")
    else:
        response = JSONResponse({"authorization_url": result.authorization_url},
                                headers={"Cache-Control": "no-store"})
        _bind(response, request.app.state.vssid, result.browser_binding)
    if result.outcome is not None:
        response.headers["X-Vssid-Outcome"] = result.outcome.value
    return response
