"""ID token validation through the callback: every OIDC Core §3.1.3.7 check VssID makes."""

from __future__ import annotations

import base64
import json
import time

import pytest
from joserfc import jwk, jwt

from tests.stubs.vssid_rig import Rig

pytestmark = pytest.mark.anyio



async def _outcome(rig: Rig) -> tuple[str | None, str | None]:
    screen = await rig.login()
    if screen.location == "/app/home":
        return "LOGGED_IN", None
    return screen.outcome, screen.reason


# Times are offsets from the moment the test runs (a value taken at collection goes stale in a
# long run: ten minutes later "600 s ahead" is no longer in the future).
NOW = "now"


def _at_run_time(claims: dict) -> dict:
    now = int(time.time())
    return {k: now + v[1] if isinstance(v, tuple) and v[:1] == (NOW,) else v
            for k, v in claims.items()}


@pytest.mark.parametrize(
    ("claims", "reason"),
    [({"iss": "https://evil.test"}, "id_token_iss"),
     ({"iss": None}, "id_token_iss"),
     ({"aud": "someone-else"}, "id_token_aud"),
     ({"aud": ["vssid", "someone-else"]}, "id_token_aud"),
     ({"aud": None}, "id_token_aud"),
     ({"azp": "someone-else"}, "id_token_azp"),
     ({"exp": (NOW, -120)}, "id_token_exp"),
     ({"exp": None}, "id_token_exp"),
     ({"exp": "9999999999"}, "id_token_exp"),
     ({"iat": (NOW, 600)}, "id_token_iat"),
     ({"iat": (NOW, -600)}, "id_token_iat"),
     ({"nonce": "not-the-nonce"}, "id_token_nonce"),
     ({"nonce": None}, "id_token_nonce"),
     ({"id_number": None}, "id_number_claim"),
     ({"id_number": 84190012345}, "id_number_claim"),
     ({"id_number": "84190012345"}, "id_number_claim")],
)
async def test_bad_claims_are_protocol_errors(claims: dict, reason: str) -> None:
    async with Rig() as rig:
        rig.idp.script.claims = _at_run_time(claims)
        assert await _outcome(rig) == ("PROTOCOL_ERROR", reason)
        assert len(rig.state.sessions) == 0


async def test_aud_as_single_item_list_and_absent_azp_are_accepted() -> None:
    async with Rig() as rig:
        rig.idp.script.claims = {"aud": ["vssid"], "azp": None}
        assert await _outcome(rig) == ("LOGGED_IN", None)


@pytest.mark.parametrize("acr", ["urn:vn:vneid:loa:1", "", "urn:vn:vneid:loa:2 "])
async def test_wrong_acr_is_level2_required(acr: str) -> None:
    async with Rig() as rig:
        rig.idp.script.acr = acr
        assert await _outcome(rig) == ("LEVEL2_REQUIRED", "id_token_acr")
        assert len(rig.state.sessions) == 0


async def test_missing_acr_is_level2_required() -> None:
    async with Rig() as rig:
        rig.idp.script.claims = {"acr": None}
        assert await _outcome(rig) == ("LEVEL2_REQUIRED", "id_token_acr")


@pytest.mark.parametrize("offset", [-60, 60])
async def test_clock_skew_boundary_is_inclusive(offset: int) -> None:
    now = 1_800_000_000.0
    async with Rig(clock=lambda: now) as rig:
        rig.idp.script.claims = {"iat": int(now) + offset, "exp": int(now) + 300}
        assert await _outcome(rig) == ("LOGGED_IN", None)


@pytest.mark.parametrize("offset", [-61, 61])
async def test_iat_just_outside_the_skew_is_refused(offset: int) -> None:
    now = 1_800_000_000.0
    async with Rig(clock=lambda: now) as rig:
        rig.idp.script.claims = {"iat": int(now) + offset, "exp": int(now) + 300}
        assert await _outcome(rig) == ("PROTOCOL_ERROR", "id_token_iat")


@pytest.mark.parametrize(("exp_offset", "accepted"), [(-59, True), (-60, False)])
async def test_exp_boundary_with_skew(exp_offset: int, accepted: bool) -> None:
    now = 1_800_000_000.0
    async with Rig(clock=lambda: now) as rig:
        rig.idp.script.claims = {"iat": int(now), "exp": int(now) + exp_offset}
        expected = ("LOGGED_IN", None) if accepted else ("PROTOCOL_ERROR", "id_token_exp")
        assert await _outcome(rig) == expected


async def test_alg_none_is_refused() -> None:
    async with Rig() as rig:
        rig.idp.script.unsigned = True
        assert await _outcome(rig) == ("PROTOCOL_ERROR", "id_token_alg_none")


async def test_hs256_signed_with_the_public_key_is_refused() -> None:
    """RS/HS confusion: an HMAC over the public JWK bytes must not verify."""
    async with Rig() as rig:
        public = json.dumps(rig.idp.key.as_dict(private=False)).encode()
        secret = jwk.OctKey.import_key(public)
        token = jwt.encode({"alg": "HS256", "kid": "k1"}, {"iss": rig.idp.issuer}, secret)
        rig.idp.id_token = lambda nonce: token  # the fake hands out the forged token
        assert await _outcome(rig) == ("PROTOCOL_ERROR", "id_token_alg_not_allowed")


async def test_signature_by_another_key_is_refused() -> None:
    async with Rig() as rig:
        rig.idp.rotate_key("k1", publish=False)  # same kid, key not the published one
        assert await _outcome(rig) == ("PROTOCOL_ERROR", "id_token_bad_signature")


async def test_tampered_payload_is_refused() -> None:
    async with Rig() as rig:
        original = rig.idp.id_token

        def tampered(nonce: str) -> str:
            header, payload, signature = original(nonce).split(".")
            claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
            claims["id_number"] = "079088006789"
            forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
            return ".".join([header, forged.decode(), signature])

        rig.idp.id_token = tampered
        assert await _outcome(rig) == ("PROTOCOL_ERROR", "id_token_bad_signature")


async def test_unknown_kid_refetches_the_jwks_once() -> None:
    async with Rig() as rig:
        assert await _outcome(rig) == ("LOGGED_IN", None)
        assert rig.idp.jwks_fetches == 1
        rig.idp.rotate_key("k2")  # rotation: new key published after VssID cached the JWKS
        await rig.vssid.post("/app/logout")
        assert await _outcome(rig) == ("LOGGED_IN", None)
        assert rig.idp.jwks_fetches == 2
        assert await _outcome(rig) == ("LOGGED_IN", None)
        assert rig.idp.jwks_fetches == 2  # cached again


async def test_unpublished_kid_is_refused_after_one_refetch() -> None:
    async with Rig() as rig:
        rig.idp.rotate_key("k-unpublished", publish=False)
        assert await _outcome(rig) == ("PROTOCOL_ERROR", "id_token_unknown_kid")
        assert rig.idp.jwks_fetches == 2


@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.b.c.d", "é.b.c", "x" * 20000])
async def test_garbage_tokens_are_refused(token: str) -> None:
    async with Rig() as rig:
        rig.idp.id_token = lambda nonce: token
        outcome, reason = await _outcome(rig)
        assert outcome == "PROTOCOL_ERROR"
        assert reason in ("id_token_malformed", "idp_misbehaved")


async def test_jwks_outage_is_idp_error_and_garbage_jwks_is_protocol_error() -> None:
    async with Rig() as rig:
        rig.idp.script.jwks_status = 503
        assert (await _outcome(rig))[0] == "IDP_ERROR"
        assert len(rig.state.sessions) == 0
    async with Rig() as rig:
        rig.idp.script.jwks_status = 404
        assert await _outcome(rig) == ("PROTOCOL_ERROR", "idp_misbehaved")
        assert len(rig.state.sessions) == 0
