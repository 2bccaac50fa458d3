"""The VNeID callback: iss and state checks, error mapping, code redemption, account link."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from stubs.vssid.accounts import ID_NUMBER, Account, AccountStatus
from stubs.vssid.attempts import LoginAttempt
from stubs.vssid.cookies import set_private_cookie
from stubs.vssid.id_token import IdTokenRefused
from stubs.vssid.outcomes import IDP_ERROR_OUTCOMES, Outcome
from stubs.vssid.provider import InvalidGrant, ProviderMisbehaved, ProviderUnavailable
from stubs.vssid.screens import render_outcome
from stubs.vssid.stub_state import StubState

log = logging.getLogger("stubs.vssid.callback")

# Parameters whose repetition would make the response ambiguous (RFC 6749 §3.1).
_SINGLE_VALUED = ("code", "state", "iss", "error")
_MAX_PARAM_CHARS = 4096


class CallbackRefused(Exception):
    """The callback ends on an outcome screen; reason names the refused check."""

    def __init__(self, outcome: Outcome, reason: str) -> None:
        super().__init__(reason)
        self.outcome = outcome
        self.reason = reason


def _param(request: Request, name: str) -> str | None:
    values = request.query_params.getlist(name)
    if not values:
        return None
    if len(values) > 1 and name in _SINGLE_VALUED:
        raise CallbackRefused(Outcome.PROTOCOL_ERROR, f"duplicate_{name}")
    if len(values[-1]) > _MAX_PARAM_CHARS:
        raise CallbackRefused(Outcome.PROTOCOL_ERROR, f"oversize_{name}")
    return values[-1]


def _claim_attempt(request: Request, state: StubState) -> LoginAttempt:
    """RP-03 / RP-19: the live, unused attempt this browser started, named by state."""
    config = state.config
    binding = request.cookies.get(config.attempt_cookie)
    returned_state = _param(request, "state")
    attempt = state.attempts.take(returned_state, binding) if returned_state else None
    if attempt is None and config.has_defect("state_unchecked"):
        attempt = state.attempts.latest_for(binding)
        if attempt is not None:
            state.attempts.discard(attempt.state)
    if attempt is None:
        raise CallbackRefused(Outcome.PROTOCOL_ERROR, "attempt_unknown")
    return attempt


async def _check_iss(request: Request, state: StubState) -> None:
    """RP-06 (RFC 9207): iss must equal the issuer; missing only if the IdP never sends it."""
    config = state.config
    if config.has_defect("iss_param_unchecked"):
        return
    iss = _param(request, "iss")
    if iss is None:
        metadata = await state.provider.metadata()
        if metadata.iss_parameter_supported and not config.has_defect(
            "iss_param_missing_accepted"
        ):
            raise CallbackRefused(Outcome.PROTOCOL_ERROR, "iss_missing")
        return
    if iss != config.issuer:
        raise CallbackRefused(Outcome.PROTOCOL_ERROR, "iss_mismatch")


def _idp_error_outcome(state: StubState, error: str) -> Outcome:
    """RP-14: each OAuth error code to its own outcome screen."""
    if state.config.has_defect("idp_errors_generic"):
        return Outcome.IDP_ERROR
    return IDP_ERROR_OUTCOMES.get(error, Outcome.IDP_ERROR)


async def _redeem(state: StubState, code: str, attempt: LoginAttempt) -> dict:
    """RP-07: one token request with the attempt's verifier; invalid_grant restarts."""
    provider = state.provider
    try:
        return await provider.redeem_code(code, attempt.code_verifier, attempt.redirect_uri)
    except InvalidGrant:
        if state.config.has_defect("token_retried_on_invalid_grant"):
            try:
                return await provider.redeem_code(code, attempt.code_verifier,
                                                  attempt.redirect_uri)
            except InvalidGrant:
                pass
        raise CallbackRefused(Outcome.PROTOCOL_ERROR, "invalid_grant") from None


def _link_account(state: StubState, claims: dict) -> Account | None:
    """RP-15: the account of the verified ID number claim, and only that claim."""
    config = state.config
    if config.has_defect("link_by_name"):
        name = claims.get(config.name_claim)
        return state.accounts.by_name(name) if isinstance(name, str) else None
    if config.has_defect("link_by_phone"):
        phone = claims.get(config.phone_claim)
        return state.accounts.by_phone(phone) if isinstance(phone, str) else None
    id_number = claims.get(config.id_number_claim)
    if not isinstance(id_number, str) or not ID_NUMBER.fullmatch(id_number):
        raise CallbackRefused(Outcome.PROTOCOL_ERROR, "id_number_claim")
    return state.accounts.by_id_number(id_number)


_STATUS_OUTCOMES = {
    AccountStatus.PENDING: Outcome.VSSID_PENDING,
    AccountStatus.LOCKED: Outcome.VSSID_LOCKED,
}


async def _complete(request: Request, state: StubState) -> tuple[Account, str, str]:
    """Run every check in order; the account to log in, the raw ID token and access token."""
    config = state.config
    attempt = _claim_attempt(request, state)
    await _check_iss(request, state)
    error = _param(request, "error")
    if error is not None:
        known = error if error in IDP_ERROR_OUTCOMES else "other"
        raise CallbackRefused(_idp_error_outcome(state, error), f"idp_{known}")
    code = _param(request, "code")
    if not code:
        raise CallbackRefused(Outcome.PROTOCOL_ERROR, "code_missing")
    if config.has_defect("secrets_logged"):
        log.info("callback code=%s state=%s", code, attempt.state)
    tokens = await _redeem(state, code, attempt)
    id_token = tokens["id_token"]
    if config.has_defect("secrets_logged"):
        log.info("callback id_token=%s", id_token)
    try:
        claims = await state.validator.validate(
            id_token, nonce=attempt.nonce, now=state.clock()
        )
    except IdTokenRefused as refused:
        raise CallbackRefused(refused.outcome, f"id_token_{refused.reason}") from None
    access_token = str(tokens.get("access_token") or "")
    if not (config.has_defect("link_by_name") or config.has_defect("link_by_phone")):
        # The identity first: nothing more is asked of VNeID for a token without it.
        id_number = claims.get(config.id_number_claim)
        if not isinstance(id_number, str) or not ID_NUMBER.fullmatch(id_number):
            raise CallbackRefused(Outcome.PROTOCOL_ERROR, "id_number_claim")
    claims = await _with_userinfo(state, claims, access_token)
    account = _link_account(state, claims)
    if account is None:
        raise CallbackRefused(Outcome.NO_VSSID_ACCOUNT, "no_account")
    if account.status in _STATUS_OUTCOMES and not state.config.has_defect(
            "account_status_ignored"):
        raise CallbackRefused(_STATUS_OUTCOMES[account.status], f"account_{account.status}")
    return account, id_token, access_token


async def _with_userinfo(state: StubState, claims: dict, access_token: str) -> dict:
    """The person's name as VNeID's userinfo holds it now, taken only when userinfo's `sub` is
    the ID token's (RP-26, OIDC Core §5.3.2); the identity (the ID number) stays the ID
    token's. The userinfo_sub_unchecked defect takes every claim, unchecked."""
    config = state.config
    info = await state.provider.userinfo(access_token) if access_token else None
    if info is None:
        return claims
    if config.has_defect("userinfo_sub_unchecked"):
        return {**claims, **info}
    if info.get("sub") != claims.get("sub"):
        raise CallbackRefused(Outcome.PROTOCOL_ERROR, "userinfo_sub_mismatch")
    name = info.get(config.name_claim)
    return {**claims, config.name_claim: name} if isinstance(name, str) else claims


def _after_login_target(request: Request, state: StubState, id_token: str,
                        access_token: str = "") -> str:
    """Where a successful callback sends the app: always home (RP-18), bar defects."""
    config = state.config
    if config.has_defect("follow_next_param"):
        target = request.query_params.get("next") or request.query_params.get("return_to")
        if target:
            return target
    if config.has_defect("token_in_url"):
        return "/app/home?" + urlencode({"id_token": id_token})
    if config.has_defect("opaque_token_in_url") and access_token:
        return "/app/home?" + urlencode({"ref": access_token})
    return "/app/home"


async def vneid_callback(request: Request) -> Response:
    """GET {redirect_path}: finish the hand-over; a session only when every check passed."""
    state: StubState = request.app.state.vssid
    try:
        account, id_token, access_token = await _complete(request, state)
    except CallbackRefused as refused:
        log.info("callback refused: outcome=%s reason=%s", refused.outcome, refused.reason)
        status = 400 if refused.outcome is Outcome.PROTOCOL_ERROR else 200
        # RP-25: error_description is for developers (RFC 6749 §4.1.2.1), never shown.
        shown = (request.query_params.get("error_description")
                 if state.config.has_defect("error_description_raw") else None)
        return render_outcome(request, refused.outcome, reason=refused.reason, status_code=status,
                              raw_detail=shown)
    except ProviderUnavailable:
        log.info("callback failed: VNeID unavailable")
        return render_outcome(request, Outcome.IDP_ERROR, reason="idp_unavailable")
    except ProviderMisbehaved:
        log.info("callback refused: VNeID answered outside the protocol")
        return render_outcome(request, Outcome.PROTOCOL_ERROR, reason="idp_misbehaved",
                              status_code=400)
    # RP-22: a new session id at login, never one the browser brought along.
    brought = (request.cookies.get(state.config.session_cookie)
               if state.config.has_defect("session_fixation") else None)
    session_id = state.sessions.open(account.id_number, method="vneid", reuse=brought)
    log.info("callback: LOGGED_IN via VNeID")
    response = RedirectResponse(_after_login_target(request, state, id_token, access_token),
                                status_code=303)
    if state.config.has_defect("weak_session_cookie"):
        response.set_cookie(state.config.session_cookie, session_id,
                            max_age=state.config.session_ttl_seconds, path="/",
                            httponly=False, secure=False, samesite=None)  # type: ignore[arg-type]
    else:
        set_private_cookie(response, state.config, state.config.session_cookie, session_id,
                           max_age=state.config.session_ttl_seconds)
    return response
