"""Malformed requests get a standard OAuth error or a clear page, never a 5xx (IDP-14)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stubs.vneid.app import create_app
from tests.stubs.vneid_flow import (
    CLIENT_ID,
    CLIENT_SECRET,
    ISSUER,
    L2_ACTIVE,
    LoginFlow,
    RawResponse,
    control_headers,
    raw_request,
    read_screen,
    stub_client,
    stub_config,
)

pytestmark = pytest.mark.anyio

FORM = "application/x-www-form-urlencoded"
SCREEN_PATHS = ("/authorize", "/authorize/web", "/authorize/login", "/authorize/passcode",
                "/authorize/consent", "/_device")
API_PATHS = ("/token", "/userinfo", "/jwks", "/.well-known/openid-configuration",
             "/_stub/reset", "/_stub/personas", "/_stub/faults", "/_stub/personas/l2_active",
             "/nowhere", "/token/", "/%ff")



@pytest.mark.parametrize(
    "query",
    [b"client_id=%zz", b"client_id=%C3%28", b"state=%", b"client_id=" + b"a" * 5000,
     b"client_id=vssid%00", b"\xff\xfe=1", b"=" * 20000],
)
async def test_unreadable_authorize_query_gets_the_error_page(query):
    app = create_app(stub_config())
    response = await raw_request(app, "GET", "/authorize", query=query)
    assert response.status == 400
    assert "location" not in response.headers
    screen = read_screen(httpx.Response(response.status, content=response.body))
    assert screen.screen == "vneid-error" and screen.has("error-message")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"grant_type=authorization_code&grant_type=authorization_code", FORM),
        (b"code=%G1", FORM),
        (b"code=%C3%28", FORM),
        (b"code=" + b"x" * 20000, FORM),
        (b'{"grant_type": "authorization_code"}', "application/json"),
        (b"grant_type=authorization_code", "text/plain"),
        (b"grant_type=authorization_code", FORM + "; charset=latin-1"),
        (b"\xff\xfe\xfd", FORM),
    ],
)
async def test_unreadable_token_requests_are_invalid_request(body, content_type):
    async with stub_client() as client:
        response = await client.post("/token", content=body, auth=(CLIENT_ID, CLIENT_SECRET),
                                     headers={"content-type": content_type})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", ["/authorize", "/token", "/jwks", "/authorize/login"])
async def test_wrong_methods_are_405_with_a_clean_body(method, path):
    async with stub_client() as client:
        response = await client.request(method, path)
    assert response.status_code == 405
    if path.startswith("/authorize"):
        assert read_screen(response).screen == "vneid-error"
    else:
        assert response.json()["error"] == "invalid_request"


async def test_a_duplicated_form_field_on_a_screen_gets_the_error_page():
    async with stub_client() as client:
        flow = LoginFlow(client)
        login = read_screen(await flow.open())
        response = await client.post(
            "/authorize/login", headers={"content-type": FORM},
            content=f"tx={login.hidden['tx']}&id_number=1&id_number=2&password=x".encode())
    assert response.status_code == 400 and read_screen(response).screen == "vneid-error"


async def test_an_unreadable_device_cookie_means_default_device():
    async with stub_client() as client:
        client.cookies.set("vneid_device", "garbage%%%")
        screen = read_screen(await LoginFlow(client).open())
    assert screen.screen == "vneid-login"


async def test_head_requests_work_where_get_does():
    async with stub_client() as client:
        response = await client.head("/jwks")
    assert response.status_code == 200


# --- Hypothesis: generated malformed requests to every endpoint --------------------------

_bytes = st.binary(max_size=300)
_texty = st.text(alphabet=st.characters(codec="utf-8"), max_size=60).map(
    lambda s: s.encode("utf-8", "surrogatepass"))
_pairs = st.lists(st.tuples(st.sampled_from([b"client_id", b"redirect_uri", b"state", b"code",
                                              b"tx", b"grant_type", b"code_verifier",
                                              b"id_number", b"password", b"passcode",
                                              b"decision", b"scope", b"response_type",
                                              b"vneid_version", b"reset"]),
                             st.one_of(_bytes, _texty,
                                       st.sampled_from([b"%", b"%zz", b"%C3%28", b"vssid",
                                                        b"authorization_code", b"approve"]))),
                  max_size=8).map(lambda ps: b"&".join(k + b"=" + v for k, v in ps))
_raw = st.one_of(_bytes, _pairs)
_headers = st.fixed_dictionaries({}, optional={
    "content-type": st.sampled_from([FORM, "application/json", "text/plain", "multipart/form-data",
                                     FORM + "; charset=utf-16", "", "x/y;;;"]),
    "authorization": st.sampled_from(["Basic !!!", "Basic dnNzaWQ=", "Bearer", "Bearer x y",
                                      "Digest a", "Basic " + "A" * 500, ""]),
    "cookie": st.sampled_from(["vneid_device=0|%ff", "vneid_device=1|2.1.0", "vneid_device=|",
                               "a=b; vneid_device"]),
})


class _Target:
    """One stub shared by all examples, with a code issued before the fuzzing starts."""

    def __init__(self) -> None:
        self.app = create_app(stub_config())
        self.flow_result: dict = asyncio.run(self._issue_code())

    async def _issue_code(self) -> dict:
        async with self.client() as client:
            flow = LoginFlow(client)
            code = (await flow.code_for(L2_ACTIVE))["code"]
            personas = (await client.get("/_stub/personas", headers=control_headers())).json()
            return {"flow_verifier": flow.verifier, "code": code, "personas": personas}

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=ISSUER)

    async def send(self, method: str, path: str, query: bytes, body: bytes,
                   headers: dict) -> RawResponse:
        return await raw_request(self.app, method, path, query=query, body=body,
                                 headers=headers)


def test_fuzzed_requests_never_get_a_5xx_and_leave_personas_and_codes_unchanged():
    target = _Target()

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow],
              database=None)
    @given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]),
           path=st.sampled_from(SCREEN_PATHS + API_PATHS), query=_raw, body=_raw,
           headers=_headers)
    def one_request(method, path, query, body, headers):
        response = asyncio.run(target.send(method, path, query, body, headers))
        assert response.status < 500, (method, path, query, body, headers, response.text[:300])
        assert "Traceback" not in response.text

    one_request()

    async def after() -> tuple[object, httpx.Response]:
        async with target.client() as client:
            personas = (await client.get("/_stub/personas", headers=control_headers())).json()
            flow = LoginFlow(client)
            flow.verifier = target.flow_result["flow_verifier"]
            return personas, await flow.redeem(target.flow_result["code"])

    personas, redeemed = asyncio.run(after())
    assert personas == target.flow_result["personas"]
    assert redeemed.status_code == 200, "the code issued before fuzzing is still good"
