"""PKCE and authorization codes at the IdP (IDP-03, IDP-04)."""

from __future__ import annotations

import pytest

from fixtures.checks import ConformanceFailure, needs, should
from fixtures.drivers.oidc_client import RegisteredClient
from fixtures.drivers.rp_journey import HandOver
from fixtures.systems import not_applicable
from suites.idp.judging import follow_to_the_end, judge_refusal


def _code_for(kit_rp, idp_screens, person, **request_changes):
    __tracebackhide__ = True
    request = kit_rp.authorization_request(**request_changes)
    back = idp_screens.log_in(request.url, person)
    needs(isinstance(back, HandOver) and back.param("code"),
          f"the IdP did not hand back a code for a correct request (it showed {back!r})",
          fix="check the target's client registration and the persona's credentials")
    return request, back.param("code")


def _refused_grant(response, requirement: str, what: str, *,
                   error_code_key: str | None = None) -> None:
    """No tokens, and HTTP 400 invalid_grant (RFC 6749 §5.2). `error_code_key`: the error code
    is a recommendation of the requirement (refusing is the MUST)."""
    __tracebackhide__ = True
    if response.status_code == 200 and "access_token" in response.text:
        raise ConformanceFailure(requirement, f"invalid_grant for {what}", "tokens were issued")
    error = response.json().get("error") if "json" in response.headers.get("content-type", "") \
        else None
    if error_code_key is not None and 400 <= response.status_code < 500:
        should(response.status_code == 400 and error == "invalid_grant", error_code_key,
               f"HTTP 400 invalid_grant for {what}",
               f"HTTP {response.status_code} error={error!r} (refused, with another error)")
        return
    if response.status_code != 400 or error != "invalid_grant":
        raise ConformanceFailure(requirement, f"HTTP 400 invalid_grant for {what}",
                                 f"HTTP {response.status_code} error={error!r}")


def _refused_at_authorization(kit_rp, idp_screens, personas, request, requirement: str,
                              what: str) -> None:
    """Judged by the end of the login (an IdP may check PKCE only after it): an error page, or
    the error response RFC 7636 §4.4.1 demands (invalid_request) to the registered redirect
    URI; never a code."""
    __tracebackhide__ = True
    end = follow_to_the_end(idp_screens, request.url, personas["l2_active"])
    judge_refusal(end, kit_rp.client.redirect_uri, requirement, what,
                  redirect_error="invalid_request")


@pytest.mark.req("IDP-03")
def test_a_request_without_pkce_is_refused(kit_rp, idp_screens, personas):
    request = kit_rp.authorization_request(drop=("code_challenge", "code_challenge_method"))
    _refused_at_authorization(kit_rp, idp_screens, personas, request, "IDP-03",
                              "a request without code_challenge")


@pytest.mark.req("IDP-03")
def test_the_plain_method_is_refused(kit_rp, idp_screens, personas):
    verifier = "plain-verifier-" + "x" * 40
    request = kit_rp.authorization_request(code_challenge_method="plain", code_challenge=verifier)
    _refused_at_authorization(kit_rp, idp_screens, personas, request, "IDP-03",
                              "a request with code_challenge_method=plain")


@pytest.mark.req("IDP-03")
@pytest.mark.parametrize("verifier", ["wrong", None], ids=["wrong-verifier", "no-verifier"])
def test_a_wrong_or_missing_verifier_is_invalid_grant(kit_rp, idp_screens, personas, verifier):
    request, code = _code_for(kit_rp, idp_screens, personas["l2_active"])
    sent = None if verifier is None else request.verifier[:-4] + "AAAA"
    response = kit_rp.redeem(code, sent)
    if verifier is None and response.status_code == 400 and \
            response.json().get("error") == "invalid_request":
        return  # a missing parameter may be invalid_request (RFC 6749 §5.2)
    _refused_grant(response, "IDP-03", "a wrong verifier" if verifier else "no verifier")


@pytest.mark.req("IDP-04")
def test_a_replayed_code_is_refused_and_its_tokens_revoked(kit_rp, idp_screens, personas):
    request, code = _code_for(kit_rp, idp_screens, personas["l2_active"])
    first = kit_rp.redeem(code, request.verifier)
    needs(first.status_code == 200, f"a correct redemption failed (HTTP {first.status_code}), "
          "so there was no first redemption to replay",
          fix="check the target's client secret and token endpoint authentication")
    _refused_grant(kit_rp.redeem(code, request.verifier), "IDP-04", "a replayed code",
                   error_code_key="IDP-04/invalid-grant")
    after = kit_rp.userinfo(first.json()["access_token"])
    # Refusing the replay is the MUST; revoking what the code already gave is a SHOULD.
    should(after.status_code != 200, "IDP-04/revoke-on-replay",
           "the access token issued from the replayed code revoked",
           "userinfo still answers with it after the replay was refused")


@pytest.mark.req("IDP-04")
def test_a_code_is_bound_to_its_redirect_uri(kit_rp, idp_screens, personas):
    request, code = _code_for(kit_rp, idp_screens, personas["l2_active"])
    response = kit_rp.redeem(code, request.verifier,
                             redirect_uri=kit_rp.client.redirect_uri + "/other")
    _refused_grant(response, "IDP-04", "a different redirect_uri",
                   error_code_key="IDP-04/invalid-grant")


def _second_client(kit_rp, systems, target, request) -> RegisteredClient:
    """Another client of the IdP: registered by the kit at its own VNeID, or the second
    registration an external IdP's target declares."""
    if systems.vneid_embedded:
        other = RegisteredClient("kit-second-client", "second-client-secret-0123456789",
                                 kit_rp.client.redirect_uri)
        request.getfixturevalue("kit_vneid").put_client(
            other.client_id, "Kit second client", other.client_secret, [other.redirect_uri])
        return other
    declared = target.idp.second_client
    if declared is None:
        not_applicable("showing that a code is bound to its client needs a second client of "
                       "the IdP; declare one as [idp.second_client] (client_id, "
                       "client_secret_env, redirect_uri) in the target file")
    return RegisteredClient(declared.client_id, declared.client_secret, declared.redirect_uri)


@pytest.mark.req("IDP-04")
def test_a_code_is_bound_to_its_client(kit_rp, idp_screens, personas, systems, target, request):
    other = _second_client(kit_rp, systems, target, request)
    code_request, code = _code_for(kit_rp, idp_screens, personas["l2_active"])
    _refused_grant(kit_rp.redeem(code, code_request.verifier, client=other), "IDP-04",
                   "a code redeemed by another client",
                   error_code_key="IDP-04/invalid-grant")


@pytest.mark.req("IDP-04")
def test_a_late_code_is_refused(kit_rp, idp_screens, personas, time_passes, target):
    request, code = _code_for(kit_rp, idp_screens, personas["l2_active"])
    time_passes(target.profile.code_ttl_seconds + 1)
    _refused_grant(kit_rp.redeem(code, request.verifier), "IDP-04", "a code past its lifetime",
                   error_code_key="IDP-04/invalid-grant")
