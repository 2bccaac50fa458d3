"""The ID token and the metadata the IdP publishes (IDP-08, IDP-09)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from fixtures.checks import ConformanceFailure, needs
from fixtures.drivers.oidc_client import IdTokenInvalid
from fixtures.drivers.rp_journey import HandOver

REQUIRED_CLAIMS = ("iss", "sub", "aud", "exp", "iat", "nonce", "acr")


def _verified(kit_rp, id_token: str, when: str) -> dict:
    """The ID token's claims; one that does not verify by the published JWKS breaks IDP-08."""
    __tracebackhide__ = True
    try:
        return kit_rp.verify_id_token(id_token)
    except IdTokenInvalid as exc:
        raise ConformanceFailure("IDP-08", f"an ID token {when} that verifies with a key of the "
                                 "published JWKS", str(exc), clause="OIDC Core §10.1.1") from None


def _tokens(kit_rp, idp_screens, person):
    __tracebackhide__ = True
    request = kit_rp.authorization_request()
    back = idp_screens.log_in(request.url, person)
    needs(isinstance(back, HandOver) and back.param("code"),
          f"the IdP did not hand back a code for a correct request (it showed {back!r})",
          fix="check the target's client registration and the persona's credentials")
    response = kit_rp.redeem(back.param("code"), request.verifier)
    needs(response.status_code == 200,
          f"a correct redemption failed (HTTP {response.status_code}): no ID token to inspect",
          fix="check the target's client secret and token endpoint authentication")
    return request, response.json()


@pytest.mark.req("IDP-08")
def test_the_id_token_carries_every_required_claim(kit_rp, idp_screens, personas, target):
    person = personas["l2_active"]
    request, tokens = _tokens(kit_rp, idp_screens, person)
    claims = _verified(kit_rp, tokens["id_token"], "for a correct request")
    missing = [c for c in (*REQUIRED_CLAIMS, target.profile.id_number_claim) if c not in claims]
    if missing:
        raise ConformanceFailure("IDP-08", "iss, sub, aud, exp, iat, nonce, acr and the ID number",
                                 f"missing {missing}")
    expected = {"iss": kit_rp.issuer, "nonce": request.nonce,
                "acr": target.profile.acr_level2,
                target.profile.id_number_claim: person.id_number}
    wrong = {k: claims[k] for k, v in expected.items() if claims[k] != v}
    if wrong:
        raise ConformanceFailure("IDP-08", f"claims {sorted(wrong)} as requested / verified",
                                 f"{sorted(wrong)} differ")
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if kit_rp.client.client_id not in audiences:
        raise ConformanceFailure("IDP-08", "aud containing the client_id", f"aud={audiences}")


@pytest.mark.req("IDP-08")
def test_the_previous_key_stays_published_during_rotation(kit_rp, idp_screens, personas,
                                                          kit_vneid):
    _, tokens = _tokens(kit_rp, idp_screens, personas["l2_active"])
    kit_vneid.rotate_keys()
    # A token signed before the rotation must still verify with the published JWKS.
    _verified(kit_rp, tokens["id_token"], "signed before the key rotation")
    _, fresh = _tokens(kit_rp, idp_screens, personas["l2_active"])
    _verified(kit_rp, fresh["id_token"], "signed after the key rotation")


@pytest.mark.req("IDP-09")
def test_the_issuer_is_https_and_equals_discovery(kit_rp, systems):
    issuer = kit_rp.metadata.get("issuer")
    if issuer != systems.vneid_url:
        raise ConformanceFailure("IDP-09", f"discovery issuer {systems.vneid_url!r} (the URL it "
                                 "was fetched from)", f"{issuer!r}")
    if urlsplit(issuer).scheme != "https":
        raise ConformanceFailure("IDP-09", "an https issuer", f"{issuer!r}")


@pytest.mark.req("IDP-09", "IDP-08")
def test_the_token_issuer_equals_discovery(kit_rp, idp_screens, personas):
    _, tokens = _tokens(kit_rp, idp_screens, personas["l2_active"])
    claims = _verified(kit_rp, tokens["id_token"], "for a correct request")
    if claims["iss"] != kit_rp.metadata["issuer"]:
        raise ConformanceFailure("IDP-09", "the ID token's iss equal to the discovery issuer",
                                 f"{claims['iss']!r}")
