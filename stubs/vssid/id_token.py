"""ID token validation: signature by kid, algorithm allow-list and every claim check."""

from __future__ import annotations

import json
import re
import time

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from stubs.vssid.config import VssidConfig
from stubs.vssid.outcomes import Outcome
from stubs.vssid.provider import VneidProvider

_MAX_TOKEN_CHARS = 16 * 1024
_COMPACT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


class IdTokenRefused(Exception):
    """The ID token failed a check; reason names the check, outcome what the person sees."""

    def __init__(self, reason: str, outcome: Outcome = Outcome.PROTOCOL_ERROR) -> None:
        super().__init__(reason)
        self.reason = reason
        self.outcome = outcome


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _key_for(keys: KeySet, kid: object):
    """The JWKS key named by kid; without a kid, only an unambiguous single key."""
    if kid is None:
        return keys.keys[0] if len(keys.keys) == 1 else None
    return next((key for key in keys.keys if key.kid == kid), None)


class IdTokenValidator:
    """Validates ID tokens from one VNeID for one client, per OIDC Core §3.1.3.7."""

    def __init__(self, config: VssidConfig, provider: VneidProvider) -> None:
        self._config = config
        self._provider = provider

    async def validate(self, token: str, *, nonce: str, now: float | None = None) -> dict:
        """Return the verified claims, or raise IdTokenRefused naming the failed check."""
        config = self._config
        if len(token) > _MAX_TOKEN_CHARS or not _COMPACT.fullmatch(token):
            raise IdTokenRefused("malformed")
        try:
            compact = jws.extract_compact(token.encode("ascii"))
            header = compact.headers()
            claims = json.loads(compact.payload)
        except (JoseError, ValueError, UnicodeError) as exc:
            raise IdTokenRefused("malformed") from exc
        if not isinstance(claims, dict) or not isinstance(header, dict):
            raise IdTokenRefused("malformed")

        alg = header.get("alg")
        unsigned = isinstance(alg, str) and alg.lower() == "none"
        if unsigned and not config.has_defect("alg_none_accepted"):
            raise IdTokenRefused("alg_none")  # RP-11
        if not unsigned:
            if alg not in config.allowed_algs:
                raise IdTokenRefused("alg_not_allowed")  # RP-11: HS*/unknown refused
            if not config.has_defect("signature_unchecked"):
                await self._verify_signature(token, alg, header.get("kid"))

        self._check_claims(claims, nonce=nonce, now=time.time() if now is None else now)
        return claims

    async def _verify_signature(self, token: str, alg: str, kid: object) -> None:
        # RP-10: the key named by kid; an unknown kid means rotation, so re-fetch once.
        key = _key_for(await self._provider.keys(), kid)
        if key is None and not self._config.has_defect("jwks_not_refetched"):
            key = _key_for(await self._provider.keys(refresh=True), kid)
        if key is None:
            raise IdTokenRefused("unknown_kid")
        try:
            jwt.decode(token, key, algorithms=[alg])
        except (JoseError, ValueError, TypeError) as exc:
            raise IdTokenRefused("bad_signature") from exc

    def _check_claims(self, claims: dict, *, nonce: str, now: float) -> None:
        config = self._config
        now_s = int(now)
        skew = config.clock_skew_seconds
        if not config.has_defect("id_token_iss_unchecked") and claims.get("iss") != config.issuer:
            raise IdTokenRefused("iss")  # RP-08
        if not config.has_defect("aud_unchecked"):
            aud = claims.get("aud")
            audiences = [aud] if isinstance(aud, str) else aud
            if not isinstance(audiences, list) or audiences != [config.client_id]:
                raise IdTokenRefused("aud")  # RP-09: ours, and no other audience
        if not config.has_defect("azp_unchecked") and "azp" in claims and (
            claims["azp"] != config.client_id
        ):
            raise IdTokenRefused("azp")  # RP-09
        if not config.has_defect("expired_accepted"):
            exp = claims.get("exp")
            if not _is_number(exp) or exp <= now_s - skew:
                raise IdTokenRefused("exp")  # RP-12
        if not config.has_defect("iat_unchecked"):
            iat = claims.get("iat")
            if not _is_number(iat) or abs(iat - now_s) > skew:
                raise IdTokenRefused("iat")  # RP-12: boundary at ± skew is accepted
        if not config.has_defect("nonce_unchecked") and claims.get("nonce") != nonce:
            raise IdTokenRefused("nonce")  # RP-04
        if not config.has_defect("any_acr_accepted") and claims.get("acr") != config.acr_level2:
            raise IdTokenRefused("acr", Outcome.LEVEL2_REQUIRED)  # RP-13
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub:
            raise IdTokenRefused("sub")  # OIDC Core §2: the subject is what the IdP vouches for
