"""ID tokens the RP must refuse, one claim or the signature wrong at a time (RP-04, RP-08..13)."""

from __future__ import annotations

import pytest

from fixtures.checks import did_not_call, logged_in, refused_without_session, should
from fixtures.oracle import Outcome

# Far enough from the ± skew boundary that the seconds a login takes cannot cross it.
BOUNDARY_MARGIN_S = 10


def _refuses_token(rp, kit_vneid, person, fault, requirement, outcome=None, **settings):
    """The happy path with the ID token wrong in one way: error screen, no session, no userinfo."""
    __tracebackhide__ = True
    kit_vneid.arm(fault, **settings)
    screen = rp.log_in(person)
    refused_without_session(rp, screen, requirement, outcome)
    did_not_call(kit_vneid.received(), "/userinfo", requirement,
                 "nothing obtained with a refused token may be used")


@pytest.mark.req("RP-04")
@pytest.mark.parametrize("fault", ["WRONG_NONCE", "MISSING_NONCE"])
def test_nonce_must_match(rp, personas, kit_vneid, fault):
    _refuses_token(rp, kit_vneid, personas["l2_active"], fault, "RP-04")


@pytest.mark.req("RP-08")
@pytest.mark.parametrize("fault", ["WRONG_ISSUER", "MISSING_ISSUER"])
def test_issuer_must_equal_the_discovered_issuer(rp, personas, kit_vneid, fault):
    _refuses_token(rp, kit_vneid, personas["l2_active"], fault, "RP-08")


@pytest.mark.req("RP-09")
@pytest.mark.parametrize("fault", ["WRONG_AUDIENCE", "EXTRA_UNTRUSTED_AUDIENCE"])
def test_audience_and_authorized_party(rp, personas, kit_vneid, fault):
    _refuses_token(rp, kit_vneid, personas["l2_active"], fault, "RP-09")


@pytest.mark.req("RP-09")
def test_an_authorized_party_other_than_the_client_is_refused(rp, personas, kit_vneid):
    """OIDC Core §3.1.3.7 (5): an `azp` present SHOULD be the client's id (a warning)."""
    kit_vneid.arm("WRONG_AZP")
    screen = rp.log_in(personas["l2_active"])
    session = rp.session()
    should(screen.outcome != Outcome.LOGGED_IN and not session.logged_in, "RP-09/azp-checked",
           "an error outcome screen and no session for an ID token whose azp is another "
           "client", f"{screen!r}, {session.shown}")


@pytest.mark.req("RP-10")
@pytest.mark.parametrize("fault", ["WRONG_SIGNING_KEY", "UNKNOWN_KID"])
def test_signature_by_the_published_key(rp, personas, kit_vneid, fault):
    _refuses_token(rp, kit_vneid, personas["l2_active"], fault, "RP-10")


@pytest.mark.req("RP-10")
def test_an_unknown_kid_refetches_the_jwks_once(rp, personas, kit_vneid):
    kit_vneid.arm("UNKNOWN_KID")
    before = len([r for r in kit_vneid.received() if r.path == "/jwks"])
    rp.log_in(personas["l2_active"])
    fetches = len([r for r in kit_vneid.received() if r.path == "/jwks"]) - before
    should(fetches <= 2, "RP-10/jwks-refetch-bounded",
           "at most one re-fetch of the JWKS for one unknown kid",
           f"the JWKS was fetched {fetches} times")


@pytest.mark.req("RP-10")
def test_a_rotated_key_is_picked_up(rp, personas, kit_vneid, make_rp):
    """After VNeID rotates its key, the next login still works (the RP re-fetches the JWKS)."""
    logged_in(rp, rp.log_in(personas["l2_active"]), "RP-10")
    kit_vneid.rotate_keys()
    second = make_rp()
    logged_in(second, second.log_in(personas["l2_active"]), "RP-10")


@pytest.mark.req("RP-11")
@pytest.mark.parametrize("fault", ["ALG_NONE", "HS256_WITH_PUBLIC_KEY"])
def test_unsigned_and_key_confusion_tokens_are_refused(rp, personas, kit_vneid, fault):
    _refuses_token(rp, kit_vneid, personas["l2_active"], fault, "RP-11")


@pytest.mark.req("RP-12")
@pytest.mark.parametrize("fault", ["EXPIRED", "IAT_IN_FUTURE", "IAT_TOO_OLD"])
def test_tokens_outside_their_time_are_refused(rp, personas, kit_vneid, fault, target):
    skew = target.profile.clock_skew_seconds
    _refuses_token(rp, kit_vneid, personas["l2_active"], fault, "RP-12",
                   offset_seconds=skew + BOUNDARY_MARGIN_S)


@pytest.mark.req("RP-12")
@pytest.mark.parametrize("fault", ["EXPIRED", "IAT_IN_FUTURE", "IAT_TOO_OLD"])
def test_tokens_within_the_clock_skew_are_accepted(rp, personas, kit_vneid, fault, target):
    """Just inside ± skew is accepted: a relying party stricter than it declares fails here."""
    skew = target.profile.clock_skew_seconds
    kit_vneid.arm(fault, offset_seconds=max(skew - BOUNDARY_MARGIN_S, 0))
    logged_in(rp, rp.log_in(personas["l2_active"]), "RP-12")


@pytest.mark.req("RP-13")
@pytest.mark.parametrize("fault", ["ACR_LEVEL1", "MISSING_ACR"])
def test_a_token_below_level2_is_refused(rp, personas, kit_vneid, fault):
    _refuses_token(rp, kit_vneid, personas["l2_active"], fault, "RP-13")


@pytest.mark.req("RP-15")
@pytest.mark.parametrize("fault", ["MISSING_ID_NUMBER", "MISSING_SUB"])
def test_a_token_without_the_verified_identity_is_refused(rp, personas, kit_vneid, fault):
    _refuses_token(rp, kit_vneid, personas["l2_active"], fault, "RP-15")
