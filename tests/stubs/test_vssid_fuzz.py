"""Garbage at every VssID endpoint: never a 5xx, never a traceback, never a session."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import anyio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stubs.vssid.config import DEFAULT_ACCOUNTS_FILE
from tests.stubs.vssid_rig import Rig

# Hypothesis also draws string constants found in the project's sources, so it can hit a
# real username + password pair; the test data says which pairs legitimately log in.
_ACCOUNTS = json.loads(DEFAULT_ACCOUNTS_FILE.read_text(encoding="utf-8"))["accounts"]
VALID_LOGINS = {
    (username, account["password"])
    for account in _ACCOUNTS if account["status"] == "active"
    for username in (account["id_number"], account["social_insurance_code"])
}


def grants_login(method: str, path: str, pairs: list[tuple[str, str]]) -> bool:
    """Whether a request is a well-formed password login with right credentials."""
    names = [name for name, _ in pairs]
    if (method, path) != ("POST", "/app/login") or len(names) != len(set(names)):
        return False
    form = dict(pairs)
    return (form.get("username", "").strip(), form.get("password")) in VALID_LOGINS

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

PATHS = ["/", "/app/login", "/app/vneid/start", "/app/vneid/callback", "/app/home",
         "/app/logout", "/app/register", "/api/session", "/api/vneid/start", "/_device",
         "/_stub/state", "/app/vneid/callback/", "/%ff", "/app/login/..", "/api/"]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]
NAMES = st.sampled_from(["code", "state", "iss", "error", "error_description", "next",
                         "return_to", "app_version", "username", "password", "vssid_version",
                         "reset", "session_state", "x"])
VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "1.6.7", "1.6.6", "1.6.7-beta", "https://idp.test", "access_denied",
                     "8423456789", "084190012345", "Vssid#2023", "1", "%", "%zz", "\x00"]),
    st.text(alphabet="0123456789.", max_size=12),
    st.just("A" * 5000),
)
PAIRS = st.lists(st.tuples(NAMES, VALUES), max_size=6)


def _assert_clean(response, rig: Rig, *, may_log_in: bool = False) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    assert "Traceback" not in response.text
    has_body = response.request.method != "HEAD"
    if has_body and response.headers.get("content-type", "").startswith("text/html"):
        assert '<html lang="vi">' in response.text
    if not may_log_in:
        assert len(rig.state.sessions) == 0
        assert not rig.vssid.cookies.get("vssid_session")


def _run(coroutine_function, *args) -> None:
    anyio.run(coroutine_function, *args)


@FUZZ
@given(pairs=PAIRS, start_first=st.booleans())
def test_callback_garbage_never_logs_in(pairs, start_first) -> None:
    async def scenario() -> None:
        async with Rig() as rig:
            if start_first:
                await rig.start()
            response = await rig.vssid.get("/app/vneid/callback", params=pairs)
            _assert_clean(response, rig)
            assert (await rig.session())["logged_in"] is False
    _run(scenario)


@FUZZ
@given(path=st.sampled_from(PATHS), method=st.sampled_from(METHODS), pairs=PAIRS,
       body=st.one_of(st.none(), st.binary(max_size=300)),
       content_type=st.sampled_from([None, "application/x-www-form-urlencoded",
                                     "multipart/form-data", "multipart/form-data; boundary=x",
                                     "application/json", "text/plain; charset=utf-7"]))
def test_any_endpoint_survives_garbage(path, method, pairs, body, content_type) -> None:
    async def scenario() -> None:
        async with Rig() as rig:
            headers = {"content-type": content_type} if content_type else {}
            may_log_in = False
            if body is None and method == "POST":
                response = await rig.vssid.request(
                    method, path, content=urlencode(pairs).encode(),
                    headers={"content-type": "application/x-www-form-urlencoded"})
                may_log_in = grants_login(method, path, pairs)
            else:
                response = await rig.vssid.request(method, path, params=pairs, content=body,
                                                   headers=headers)
            _assert_clean(response, rig, may_log_in=may_log_in)
            if path.startswith("/api/") and response.status_code >= 400 and method != "HEAD":
                assert "error" in response.json()
    _run(scenario)


@FUZZ
@given(username=VALUES, password=VALUES)
def test_password_login_garbage_never_logs_in(username, password) -> None:
    async def scenario() -> None:
        async with Rig() as rig:
            response = await rig.vssid.post("/app/login",
                                             data={"username": username, "password": password})
            valid = grants_login("POST", "/app/login",
                                 [("username", username), ("password", password)])
            _assert_clean(response, rig, may_log_in=valid)
            assert (await rig.session())["logged_in"] is valid
    _run(scenario)


@FUZZ
@given(version=VALUES, cookie=st.text(max_size=60))
def test_start_with_any_version_or_device_cookie(version, cookie) -> None:
    async def scenario() -> None:
        async with Rig() as rig:
            rig.vssid.cookies.set("vssid_device", cookie.encode("ascii", "replace").decode())
            await rig.vssid.get("/app/login")
            response = await rig.start(version)
            _assert_clean(response, rig)
            # 400 only for a value beyond the form's size limit.
            assert response.status_code in (200, 303) or len(version) > 4096
    _run(scenario)
