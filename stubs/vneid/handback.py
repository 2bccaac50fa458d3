"""The redirect back to the relying party: `code` or `error`, always with `state` and `iss`."""

from __future__ import annotations

import logging
from urllib.parse import quote, urlencode

from starlette.responses import RedirectResponse

from stubs.vneid.faults import AuthorizationResponseFault
from stubs.vneid.grants import CodeGrant
from stubs.vneid.stub_state import StubState

WRONG_ISS_VALUE = "https://wrong-issuer.invalid"

log = logging.getLogger("stubs.vneid")


def _response_state(stub: StubState, state: str | None, faults: set) -> str | None:
    """The state to send back: unchanged unless a defect or fault says otherwise."""
    if state is None:
        return None
    if stub.config.has_defect("state_dropped"):
        return None
    if stub.config.has_defect("state_truncated"):
        state = state[:8]
    if AuthorizationResponseFault.MISSING_STATE in faults:
        return None
    if AuthorizationResponseFault.TAMPERED_STATE in faults:
        # Still plausible-looking, but no longer the value the relying party sent.
        return state[:-1] + ("A" if state[-1:] != "A" else "B")
    return state


def _response_iss(stub: StubState, faults: set) -> str | None:
    """The iss to send back: the issuer unless a defect or fault says otherwise."""
    if stub.config.has_defect("iss_omitted"):
        return None
    if AuthorizationResponseFault.MISSING_ISS in faults:
        return None
    if AuthorizationResponseFault.WRONG_ISS in faults:
        return WRONG_ISS_VALUE
    return stub.config.issuer


def hand_back(
    stub: StubState,
    redirect_uri: str,
    state: str | None,
    outcome: dict[str, str],
    grant: CodeGrant | None = None,
) -> RedirectResponse:
    """A 303 to the redirect_uri with the outcome (code or error), state and iss."""
    faults = stub.faults.take_authorization_response_faults()
    if grant is not None and AuthorizationResponseFault.CODE_ALREADY_USED in faults:
        grant.used = True
    params = dict(outcome)
    response_state = _response_state(stub, state, faults)
    if response_state is not None:
        params["state"] = response_state
    iss = _response_iss(stub, faults)
    if iss is not None:
        params["iss"] = iss
    # Only the outcome kind and the faults: never the code or the state.
    log.info("hand-back: %s%s", outcome.get("error", "code"),
             f" (faults {sorted(f.value for f in faults)})" if faults else "")
    separator = "&" if "?" in redirect_uri else "?"
    location = redirect_uri + separator + urlencode(params, quote_via=quote)
    return RedirectResponse(location, status_code=303, headers={"Cache-Control": "no-store"})


def hand_back_error(
    stub: StubState, redirect_uri: str, state: str | None, error: str, description: str
) -> RedirectResponse:
    """An error authorization response (RFC 6749 §4.1.2.1, RFC 9207)."""
    return hand_back(stub, redirect_uri, state,
                     {"error": error, "error_description": description})
