"""The ID token: its claims, its signature, and the faults that spoil exactly one of them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets

from joserfc import jwt

from stubs.vneid.config import VneidConfig
from stubs.vneid.faults import ArmedFault, IdTokenFault
from stubs.vneid.grants import CodeGrant
from stubs.vneid.keys import generate_signing_key
from stubs.vneid.personas import Persona
from stubs.vneid.stub_state import StubState

UNTRUSTED_AUDIENCE = "untrusted-client"
WRONG_CLIENT = "some-other-client"
WRONG_ISSUER_SUFFIX = "/wrong"

# How far a time fault moves a claim when the control plane names no offset.
DEFAULT_FAULT_OFFSETS = {
    IdTokenFault.EXPIRED: 60,
    IdTokenFault.IAT_IN_FUTURE: 600,
    IdTokenFault.IAT_TOO_OLD: 86400,
}


def subject_for(config: VneidConfig, id_number: str) -> str:
    """A stable `sub` per person that does not reveal the ID number (a keyed hash)."""
    digest = hmac.new(config.subject_secret.encode(), id_number.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def phone_claims(persona: Persona, scope: tuple[str, ...]) -> dict:
    """The `phone` scope's claims (OIDC Core §5.4), when the person registered a number."""
    if "phone" not in scope or not persona.phone_number:
        return {}
    return {"phone_number": persona.phone_number, "phone_number_verified": True}


def id_token_claims(stub: StubState, grant: CodeGrant, persona: Persona, now: int) -> dict:
    """The correct claims of the ID token for a redeemed code (IDP-08)."""
    config = stub.config
    client_id = grant.request.client_id
    claims: dict = {
        "iss": config.issuer,
        "sub": subject_for(config, persona.id_number),
        "aud": [client_id],
        "azp": client_id,
        "exp": now + config.id_token_ttl_seconds,
        "iat": now,
        "auth_time": grant.auth_time,
        "acr": grant.acr,
        config.id_number_claim: persona.id_number,
        "name": persona.name,
        "birthdate": persona.birthdate,
    }
    claims.update(phone_claims(persona, grant.request.scope))
    if grant.request.nonce is not None and not config.has_defect("id_token_missing_nonce"):
        claims["nonce"] = grant.request.nonce
    if config.has_defect("id_token_missing_id_number"):
        del claims[config.id_number_claim]
    return claims


def _offset(armed: dict[IdTokenFault, ArmedFault], fault: IdTokenFault) -> int:
    given = armed[fault].offset_seconds
    return DEFAULT_FAULT_OFFSETS[fault] if given is None else given


def apply_claim_faults(
    config: VneidConfig, claims: dict, armed: dict[IdTokenFault, ArmedFault], now: int
) -> dict:
    """The claims spoilt by the armed faults, each in exactly its named way."""
    claims = dict(claims)
    client_id = claims["azp"]
    if IdTokenFault.WRONG_ISSUER in armed:
        claims["iss"] = config.issuer + WRONG_ISSUER_SUFFIX
    if IdTokenFault.MISSING_ISSUER in armed:
        claims.pop("iss", None)
    if IdTokenFault.WRONG_AUDIENCE in armed:
        claims["aud"] = [WRONG_CLIENT]
    if IdTokenFault.EXTRA_UNTRUSTED_AUDIENCE in armed:
        claims["aud"] = [client_id, UNTRUSTED_AUDIENCE]
    if IdTokenFault.WRONG_AZP in armed:
        claims["azp"] = WRONG_CLIENT
    if IdTokenFault.WRONG_NONCE in armed:
        claims["nonce"] = secrets.token_urlsafe(16)
    if IdTokenFault.MISSING_NONCE in armed:
        claims.pop("nonce", None)
    if IdTokenFault.EXPIRED in armed:
        # Only `exp` is wrong: `iat` stays now, so a relying party that checks the age of
        # `iat` cannot hide a missing `exp` check behind it.
        claims["exp"] = now - _offset(armed, IdTokenFault.EXPIRED)
    if IdTokenFault.IAT_IN_FUTURE in armed:
        claims["iat"] = now + _offset(armed, IdTokenFault.IAT_IN_FUTURE)
        claims["exp"] = claims["iat"] + config.id_token_ttl_seconds
    if IdTokenFault.IAT_TOO_OLD in armed:
        # Still unexpired, so only the age of `iat` is wrong.
        claims["iat"] = now - _offset(armed, IdTokenFault.IAT_TOO_OLD)
    if IdTokenFault.ACR_LEVEL1 in armed:
        claims["acr"] = config.acr_level1
    for fault, claim in ((IdTokenFault.MISSING_ACR, "acr"), (IdTokenFault.MISSING_SUB, "sub"),
                         (IdTokenFault.MISSING_ID_NUMBER, config.id_number_claim)):
        if fault in armed:
            claims.pop(claim, None)
    return claims


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _compact(header: dict, claims: dict) -> str:
    """The unsigned `header.payload` of a compact JWS."""
    return (_b64(json.dumps(header, separators=(",", ":")).encode()) + "."
            + _b64(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode()))


def sign_id_token(stub: StubState, claims: dict, faults: set[IdTokenFault]) -> str:
    """Sign with the current key, or break the signature the way a fault names."""
    keys = stub.keys
    current = keys.current
    if IdTokenFault.ALG_NONE in faults:
        # Built by hand: a JOSE library rightly refuses to help make this token.
        return _compact({"alg": "none", "typ": "JWT"}, claims) + "."
    if IdTokenFault.HS256_WITH_PUBLIC_KEY in faults:
        # Key confusion (RFC 8725 §2.1): HMAC keyed with the public key a verifier already has.
        signing_input = _compact({"alg": "HS256", "typ": "JWT", "kid": current.kid}, claims)
        secret = current.as_pem(private=False)
        mac = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
        return signing_input + "." + _b64(mac)
    if IdTokenFault.WRONG_SIGNING_KEY in faults:
        # Same `kid` as the published key, different key: only the signature is wrong.
        stranger = generate_signing_key(keys.alg)
        return jwt.encode({"alg": keys.alg, "typ": "JWT", "kid": current.kid}, claims, stranger)
    if IdTokenFault.UNKNOWN_KID in faults:
        stranger = generate_signing_key(keys.alg)
        return jwt.encode({"alg": keys.alg, "typ": "JWT", "kid": stranger.kid}, claims, stranger)
    return jwt.encode({"alg": keys.alg, "typ": "JWT", "kid": current.kid}, claims, current)


def build_id_token(stub: StubState, grant: CodeGrant, persona: Persona) -> str:
    """The ID token for a redeemed code, with any armed faults applied."""
    now = int(stub.clock())
    armed = stub.faults.take_id_token_faults()
    claims = apply_claim_faults(stub.config, id_token_claims(stub, grant, persona, now), armed, now)
    return sign_id_token(stub, claims, set(armed))
