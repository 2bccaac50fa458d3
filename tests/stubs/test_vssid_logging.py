"""RP-21: codes, tokens, state and passwords never reach VssID's logs."""

from __future__ import annotations

import logging

import pytest

from stubs.redaction import RedactingFilter, redact
from tests.stubs.vssid_rig import CLIENT_SECRET, Rig, query_of

pytestmark = pytest.mark.anyio



async def test_a_whole_flow_logs_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # whatever other tests did to it
    caplog.set_level(logging.DEBUG, logger="stubs.vssid")
    async with Rig() as rig:
        started = await rig.start()
        params = {k: v[0] for k, v in query_of(started.headers["location"]).items()}
        handback = await rig.authorize(started)
        code = query_of(handback.headers["location"])["code"][0]
        assert (await rig.callback(handback)).headers["location"] == "/app/home"
        await rig.vssid.post("/app/login", data={"username": "8423456789",
                                                 "password": "Vssid#2023a"})
        await rig.vssid.post("/app/login", data={"username": "8423456789",
                                                 "password": "Wrong#Pass1"})
        session_cookie = rig.vssid.cookies["vssid_session"]
    # VssID's own records, and its backend's outbound HTTP calls; the test clients' httpx
    # records (which show the callback URL the test itself requested) are not VssID's.
    own = [r.getMessage() for r in caplog.records if r.name.startswith("stubs.vssid")
           or (r.name == "httpx" and "https://idp.test/" in r.getMessage()
               and "/authorize" not in r.getMessage())]
    text = "\n".join(own)
    assert "LOGGED_IN" in text and "/token" in text  # the flow is logged...
    secrets = [code, params["state"], params["nonce"], params["code_challenge"], CLIENT_SECRET,
               "Vssid#2023a", "Wrong#Pass1", session_cookie, "eyJ"]
    for secret in secrets:
        assert secret not in text  # ...without its secrets


def test_redact_scrubs_query_form_json_and_jwts() -> None:
    jwt_like = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"
    line = (f'GET /app/vneid/callback?state=abc&iss=https%3A%2F%2Fidp&code=xyz HTTP/1.1 '
            f'{{"id_token": "{jwt_like}", "password": "pw"}} Authorization: Basic dnNzaWQ6cw==')
    cleaned = redact(line)
    for secret in ("abc", "xyz", jwt_like, "pw\"", "dnNzaWQ6cw=="):
        assert secret not in cleaned
    assert "iss=https%3A%2F%2Fidp" in cleaned  # not a secret: kept for debugging


def test_filter_rewrites_records_with_args() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:1", "GET", "/cb?code=SECRET&state=S2", "1.1", 303),
                               None)
    assert RedactingFilter().filter(record) is True
    assert "SECRET" not in record.getMessage() and "S2" not in record.getMessage()
    assert "/cb?code=[redacted]&state=[redacted]" in record.getMessage()
