"""The back channel: one redemption, secrets on the backend, none in logs (RP-07, RP-20, RP-21)."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import pytest

from fixtures.checks import (
    ConformanceFailure,
    logged_in,
    needs,
    refused_without_session,
    requests_to,
)
from fixtures.rp_logs import RpLog
from fixtures.systems import not_applicable


@pytest.mark.req("RP-07")
def test_a_used_code_ends_cleanly_without_a_second_redemption(rp, personas, kit_vneid):
    """VNeID answers invalid_grant: the RP shows a restart screen and does not retry the code."""
    kit_vneid.arm("CODE_ALREADY_USED")
    screen = rp.log_in(personas["l2_active"])
    refused_without_session(rp, screen, "RP-07")
    redemptions = requests_to(kit_vneid.received(), "/token")
    if len(redemptions) != 1:
        raise ConformanceFailure("RP-07", "exactly one redemption by the relying party",
                                 f"{len(redemptions)} redemption(s)")
    if not screen.driver.is_present("back-to-login"):
        raise ConformanceFailure("RP-07", "a way to restart the login", "none on the screen")


@pytest.mark.req("RP-07")
def test_the_code_is_redeemed_exactly_once(rp, personas, kit_vneid):
    logged_in(rp, rp.log_in(personas["l2_active"]), "RP-07")
    redemptions = requests_to(kit_vneid.received(), "/token")
    if len(redemptions) != 1:
        raise ConformanceFailure("RP-07", "one token request", f"{len(redemptions)}")


@pytest.mark.req("RP-20")
def test_the_app_holds_no_client_secret(rp, personas, systems, exchange_log):
    """No screen or response the phone receives carries the client secret."""
    rp.log_in(personas["l2_active"])
    secret = systems.client_secret.encode()
    leaked = [e.url for e in exchange_log.exchanges if secret in e.response_body]
    if leaked:
        raise ConformanceFailure("RP-20", "the client secret only on the backend",
                                 f"it reached the phone in {len(leaked)} response(s)")


@pytest.mark.req("RP-20")
def test_the_backend_authenticates_the_code_exchange(rp, personas, kit_vneid):
    rp.log_in(personas["l2_active"])
    token_requests = requests_to(kit_vneid.received(), "/token")
    needs(token_requests, "the relying party never redeemed the code, so there was no token "
          "request to check for client authentication")
    authenticated = [r for r in token_requests if r.authorization or r.param("client_secret")]
    if len(authenticated) != len(token_requests):
        raise ConformanceFailure("RP-20", "client authentication on every token request",
                                 "an unauthenticated token request")


@pytest.mark.req("RP-21")
def test_no_code_token_or_state_in_the_relying_partys_logs(rp, personas, caplog, systems, target,
                                                           issued):
    """What the RP writes to its log during a login: the embedded RP's records in this process,
    an external RP's log (rp.log_file or rp.log_command) — searched for the exact codes,
    tokens, state and nonce of the login, under any name, in any encoding."""
    log = RpLog(target.rp)
    if not systems.vssid_embedded and not log.readable:
        not_applicable("an external relying party's logs are not visible to the kit; name the "
                       "file it writes as rp.log_file, or a command that prints its log as "
                       "rp.log_command, in the target file (the RP's own URLs are checked by "
                       "test_no_code_or_state_in_the_relying_partys_own_urls)")
    log.mark()
    caplog.set_level(logging.DEBUG)
    _, back = rp.callback_for(personas["l2_active"])
    logged_in(rp, rp.deliver(back), "RP-21")
    if log.readable:
        logged = log.since_mark()
    else:
        logged = "\n".join(record.getMessage() + repr(record.args) for record in caplog.records)
    leaked = issued.found_in(logged)
    if leaked:
        raise ConformanceFailure("RP-21", "no code, token or state in the logs",
                                 f"{', '.join(leaked)} written to the log")


@pytest.mark.req("RP-21")
def test_no_code_or_state_in_the_relying_partys_own_urls(rp, personas, exchange_log, systems,
                                                          issued):
    rp.log_in(personas["l2_active"])
    callback_seen = False
    callback = urlsplit(systems.redirect_uri)
    for exchange in exchange_log.exchanges:
        url = exchange.url
        if not url.startswith(systems.vssid_url):
            continue
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc, parts.path) == \
                (callback.scheme, callback.netloc, callback.path):
            callback_seen = True
            continue  # the registered redirect URI: the one URL that must carry them
        # By name, and by the exact values the kit's VNeID issued or received (any name, any
        # encoding), in the URL and in where the RP sends the phone next on its own origin.
        location = exchange.response_headers.get("location", "")
        own_next = location if location.startswith(("/", systems.vssid_url)) else ""
        named = any(f"{name}=" in url for name in ("code", "state", "id_token", "access_token"))
        kinds = issued.found_in(parts.query + "&" + parts.fragment + " " + own_next)
        if named or kinds:
            raise ConformanceFailure("RP-21", "no secret in the relying party's own URLs",
                                     f"{', '.join(kinds) or 'a secret-named parameter'} in a "
                                     f"URL on path {parts.path}")
    needs(callback_seen, "the journey never reached the relying party's callback, so its own "
          "URLs after it were not seen")
