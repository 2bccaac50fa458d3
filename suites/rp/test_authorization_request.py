"""What the relying party sends when it hands over to VNeID (RP-01, RP-02, RP-05, RP-13, RP-17)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from fixtures.checks import ConformanceFailure, needs, should

_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+$")
_PKCE_VERIFIER_CHARS = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")


@pytest.mark.req("RP-01")
def test_authorization_code_flow_and_no_token_in_the_front_channel(rp, personas, exchange_log,
                                                                    issued):
    handover = rp.start()
    if handover.param("response_type") != "code":
        raise ConformanceFailure("RP-01", "response_type=code",
                                 f"response_type={handover.param('response_type')!r}")
    rp.deliver(rp.log_in_at_vneid(handover, personas["l2_active"]))
    # By name and shape, and by the exact values the kit's VNeID issued, in any encoding.
    leaked = [(url, kinds) for url in exchange_log.urls()
              if (kinds := _front_channel_tokens(url, issued))]
    if leaked:
        url, kinds = leaked[0]
        raise ConformanceFailure("RP-01", "no token in any URL the phone opened",
                                 f"{len(leaked)} URL(s) carrying a token ({', '.join(kinds)}), "
                                 f"e.g. path {urlsplit(url).path}")


def _front_channel_tokens(url: str, issued) -> list[str]:
    """What token a URL carries: a token-named parameter, a JWT, or the exact value of a token
    the kit's VNeID issued (under any name, in any encoding)."""
    parts = urlsplit(url)
    carried = parts.query + "&" + parts.fragment
    found = issued.found_in(carried, ("access_token", "id_token"))
    if re.search(r"(^|&)(id_token|access_token|token)=", carried) or \
            re.search(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.", carried):
        found = found or ["a token-named or JWT-shaped value"]
    return found


@pytest.mark.req("RP-02")
def test_pkce_s256_with_a_fresh_challenge_per_attempt(rp):
    first, second = rp.start(), rp.start()
    for handover in (first, second):
        method = handover.param("code_challenge_method")
        if method != "S256":
            raise ConformanceFailure("RP-02", "code_challenge_method=S256", f"{method!r}")
        challenge = handover.param("code_challenge") or ""
        # A SHA-256 digest in base64url without padding is exactly 43 characters.
        if len(challenge) != 43 or not _BASE64URL.match(challenge):
            raise ConformanceFailure("RP-02", "a 43-character base64url S256 challenge",
                                     f"a challenge of {len(challenge)} characters")
    if first.param("code_challenge") == second.param("code_challenge"):
        raise ConformanceFailure("RP-02", "a fresh verifier (so a fresh challenge) per attempt",
                                 "the same code_challenge in two attempts")


@pytest.mark.req("RP-02")
def test_the_token_request_carries_a_verifier(rp, personas, kit_vneid):
    rp.deliver(rp.log_in_at_vneid(rp.start(), personas["l2_active"]))
    token_requests = [r for r in kit_vneid.received() if r.path == "/token"]
    needs(token_requests, "the relying party never redeemed the code, so there was no token "
          "request to read the verifier from")
    if not token_requests[0].param("code_verifier"):
        raise ConformanceFailure("RP-02", "a code_verifier in the token request", "none")


@pytest.mark.req("RP-05")
def test_redirect_uri_is_a_claimed_https_link(rp, systems):
    redirect_uri = rp.start().param("redirect_uri") or ""
    parts = urlsplit(redirect_uri)
    if parts.scheme != "https":
        raise ConformanceFailure("RP-05", "an https redirect_uri (a claimed app link)",
                                 f"scheme {parts.scheme!r}")
    if f"{parts.scheme}://{parts.netloc}" != systems.vssid_url:
        raise ConformanceFailure("RP-05", f"a link on the relying party's own host "
                                 f"{systems.vssid_url}", f"host {parts.netloc!r}")


@pytest.mark.req("RP-13")
def test_level2_is_requested(rp, target):
    handover = rp.start()
    requested = (handover.param("acr_values") or "").split()
    claims = handover.param("claims") or ""
    if target.profile.acr_level2 not in requested and target.profile.acr_level2 not in claims:
        raise ConformanceFailure("RP-13", f"acr_values containing {target.profile.acr_level2!r} "
                                 "(or an essential acr claim)", f"acr_values={requested}")


@pytest.mark.req("RP-04")
def test_a_nonce_is_sent_and_fresh(rp):
    first, second = rp.start(), rp.start()
    nonces = [h.param("nonce") for h in (first, second)]
    if not all(nonces):
        raise ConformanceFailure("RP-04", "a nonce in every authorization request",
                                 f"nonce present: {[bool(n) for n in nonces]}")
    if nonces[0] == nonces[1]:
        raise ConformanceFailure("RP-04", "a fresh nonce per attempt", "the same nonce twice")


@pytest.mark.req("RP-03")
def test_state_is_unguessable(rp):
    handovers = [rp.start() for _ in range(3)]
    states = [h.param("state") or "" for h in handovers]
    # 128 bits of entropy need at least 22 base64url characters (or 32 hex digits).
    short = [s for s in states if len(s) < 22]
    if short:
        raise ConformanceFailure("RP-03", "a state of at least 128 bits (22+ characters)",
                                 f"states of {[len(s) for s in states]} characters")
    if len(set(states)) != len(states):
        # RFC 9700 §4.7.1: a client may rely on PKCE for CSRF protection; a repeated state is
        # then a warning, a repeated state with a repeated challenge a failure.
        challenges = [h.param("code_challenge") for h in handovers]
        if None in challenges or len(set(challenges)) != len(challenges):
            raise ConformanceFailure("RP-03", "a different state per attempt (or, at least, a "
                                     "fresh PKCE challenge)", "a repeated state and a repeated "
                                     "or missing challenge", clause="RFC 6749 §10.12")
        should(False, "RP-03/state-fresh", "a different state per attempt",
               f"{len(states) - len(set(states)) + 1} attempts shared one state (the PKCE "
               "challenge was fresh each time)")


@pytest.mark.req("RP-17", "RP-05")
def test_hand_over_uses_the_verified_https_app_link(rp, systems):
    handover = rp.start()
    parts = urlsplit(handover.url)
    if f"{parts.scheme}://{parts.netloc}" != systems.vneid_url or parts.scheme != "https":
        raise ConformanceFailure(
            "RP-17", f"the VNeID app link on the issuer's verified https origin "
            f"{systems.vneid_url} (so a missing app falls back to VNeID's own web)",
            f"{parts.scheme}://{parts.netloc}")
