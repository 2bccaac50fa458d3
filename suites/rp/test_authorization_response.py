"""What the relying party accepts back from VNeID (RP-03, RP-06, RP-14, RP-18, RP-19)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from fixtures.checks import (
    ConformanceFailure,
    did_not_call,
    logged_in,
    refused_without_session,
    requests_to,
)
from fixtures.drivers.rp_journey import HandOver, expect_screen_or_link
from fixtures.drivers.screens import arrive


@pytest.mark.req("RP-06")
@pytest.mark.parametrize("fault", ["WRONG_ISS", "MISSING_ISS"])
def test_a_response_with_a_wrong_or_missing_iss_is_refused(rp, personas, kit_vneid, fault):
    kit_vneid.arm(fault)
    screen = rp.log_in(personas["l2_active"])
    refused_without_session(rp, screen, "RP-06")
    did_not_call(kit_vneid.received(), "/token", "RP-06",
                 "a response from an unproven issuer must not be redeemed")


@pytest.mark.req("RP-03")
@pytest.mark.parametrize("fault", ["TAMPERED_STATE", "MISSING_STATE"])
def test_a_response_with_a_wrong_or_missing_state_is_refused(rp, personas, kit_vneid, fault):
    kit_vneid.arm(fault)
    screen = rp.log_in(personas["l2_active"])
    refused_without_session(rp, screen, "RP-03")
    did_not_call(kit_vneid.received(), "/token", "RP-03",
                 "a response not bound to the attempt must not be redeemed")


@pytest.mark.req("RP-03")
def test_state_is_bound_to_the_phone_that_started(rp, personas, kit_vneid, make_rp):
    """A callback carried to another phone (as a hostile app could) does not log that phone in."""
    _, back = rp.callback_for(personas["l2_active"])
    other_phone = make_rp()
    screen = other_phone.deliver(back)
    refused_without_session(other_phone, screen, "RP-03")


@pytest.mark.req("RP-14")
@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        ("access_denied", "CANCELLED"),
        ("unmet_authentication_requirements", "LEVEL2_REQUIRED"),
        ("login_required", None),
        ("interaction_required", None),
        ("server_error", None),
        ("temporarily_unavailable", None),
    ],
)
def test_error_responses_end_on_their_screen_without_session(rp, kit_vneid, systems, error,
                                                             outcome):
    """VNeID's error responses (sent with the attempt's real state and iss) are each handled."""
    handover = rp.start()
    back = HandOver(handover.param("redirect_uri")).with_params(
        error=error, state=handover.param("state"), iss=systems.vneid_url)
    screen = rp.deliver(back)
    refused_without_session(rp, screen, "RP-14", outcome)
    if not screen.driver.is_present("outcome-message") or not screen.driver.text("outcome-message"):
        raise ConformanceFailure("RP-14", "a message telling the person what happened",
                                 "no outcome message")
    did_not_call(kit_vneid.received(), "/token", "RP-14", "an error response carries no code")


@pytest.mark.req("RP-14")
def test_declining_consent_ends_as_cancelled(rp, personas):
    screen = rp.log_in(personas["l2_active"], consent=False)
    refused_without_session(rp, screen, "RP-14", "CANCELLED")


@pytest.mark.req("RP-14")
@pytest.mark.parametrize("status_code", [500, 503])
def test_a_token_endpoint_failure_ends_on_try_again(rp, personas, kit_vneid, status_code):
    kit_vneid.arm("SERVER_ERROR", endpoint="token", status_code=status_code)
    screen = rp.log_in(personas["l2_active"])
    refused_without_session(rp, screen, "RP-14")


@pytest.mark.req("RP-18")
@pytest.mark.parametrize("suffix", ["/", "x", "/extra", ";jsessionid=1"])
def test_the_callback_path_must_match_exactly(rp, personas, kit_vneid, suffix):
    _, back = rp.callback_for(personas["l2_active"])
    page = rp.deliver_raw(back.with_path(urlsplit(back.url).path + suffix))
    if page.status_code < 400 and page.body_attribute("data-outcome") in (None, "LOGGED_IN"):
        raise ConformanceFailure("RP-18", "an error for a callback path that is not exactly "
                                 "the registered one", f"HTTP {page.status_code}, screen "
                                 f"{page.body_attribute('data-screen')!r}")
    if rp.session().logged_in:
        raise ConformanceFailure("RP-18", "no session", rp.session().shown)
    did_not_call(kit_vneid.received(), "/token", "RP-18",
                 "only the registered callback may redeem a code")


@pytest.mark.req("RP-18")
def test_unknown_callback_parameters_are_ignored(rp, personas):
    _, back = rp.callback_for(personas["l2_active"])
    screen = rp.deliver(back.with_params(utm_source="sms", lang="vi"))
    logged_in(rp, screen, "RP-18")


@pytest.mark.req("RP-18")
@pytest.mark.parametrize("parameter", ["next", "return_to", "redirect", "continue"])
def test_the_callback_never_follows_a_url_from_a_parameter(rp, personas, parameter):
    _, back = rp.callback_for(personas["l2_active"])
    phone = rp.deliver_raw(back.with_params(**{parameter: "https://attacker.invalid/steal"}))
    if phone.left_the_apps:
        raise ConformanceFailure("RP-18", f"the phone kept on VssID whatever {parameter}= says",
                                 f"VssID sent it to {phone.current_url()}",
                                 clause="RFC 9700 §4.11.1")
    logged_in(rp, arrive(phone), "RP-18")


@pytest.mark.req("RP-19")
def test_a_callback_is_accepted_once(rp, personas, kit_vneid):
    _, back = rp.callback_for(personas["l2_active"])
    logged_in(rp, rp.deliver(back), "RP-19")
    rp.log_out()
    screen = rp.deliver(back)
    refused_without_session(rp, screen, "RP-19")
    redemptions = requests_to(kit_vneid.received(), "/token")
    if len(redemptions) != 1:
        raise ConformanceFailure("RP-19", "the replayed callback refused before any redemption",
                                 f"{len(redemptions)} token requests")


@pytest.mark.req("RP-19")
def test_a_late_callback_is_refused(rp, personas, kit_vneid, stub_clock, target):
    handover = rp.start()
    back = expect_screen_or_link(rp.log_in_at_vneid(handover, personas["l2_active"]))
    stub_clock.advance(target.profile.attempt_ttl_seconds + 1)
    screen = rp.deliver(back)
    refused_without_session(rp, screen, "RP-19")
    did_not_call(kit_vneid.received(), "/token", "RP-19",
                 "an expired attempt is refused before its code is redeemed")
