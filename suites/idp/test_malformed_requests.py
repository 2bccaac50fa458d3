"""Malformed requests get a standard OAuth error or a clear page, never a server error (IDP-14)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest

from fixtures.checks import ConformanceFailure, should
from fixtures.verdicts import curl_line


def _raw(http: httpx.Client, method: str, endpoint: str, query: bytes = b"", **kwargs):
    """Send bytes as they are: httpx would otherwise re-encode a bad percent sequence."""
    parts = urlsplit(endpoint)
    url = httpx.URL(scheme=parts.scheme, host=parts.hostname, port=parts.port,
                    raw_path=parts.path.encode() + (b"?" + query if query else b""))
    return http.request(method, url, **kwargs)


def _authorize_query(kit_rp, **changes) -> bytes:
    return urlencode(kit_rp.authorization_request(**changes).params).encode()


def _repeat(response: httpx.Response) -> str:
    """The one request that shows the problem, as a curl line (secrets redacted)."""
    sent = response.request
    form = dict(parse_qsl(sent.content.decode("utf-8", "replace"), keep_blank_values=True)) \
        if sent.content else None
    return curl_line(sent.method, str(sent.url), form=form)


def _no_server_error(response: httpx.Response, what: str) -> None:
    __tracebackhide__ = True
    if response.status_code >= 500:
        raise ConformanceFailure("IDP-14", f"a 4xx OAuth error or a clear page for {what}",
                                 f"HTTP {response.status_code}", reproduce=_repeat(response))
    if "Traceback" in response.text:
        raise ConformanceFailure("IDP-14", f"no traceback shown for {what}", "a traceback",
                                 reproduce=_repeat(response))


def _oauth_error(response: httpx.Response, what: str) -> None:
    __tracebackhide__ = True
    _no_server_error(response, what)
    try:
        error = response.json().get("error")
    except ValueError:
        error = None
    if response.status_code < 400 or not isinstance(error, str):
        raise ConformanceFailure("IDP-14", f"an RFC 6749 error object for {what}",
                                 f"HTTP {response.status_code} {response.text[:80]!r}",
                                 reproduce=_repeat(response))


AUTHORIZE_CASES = {
    "duplicate-client_id": lambda q: q + b"&client_id=another",
    "duplicate-state": lambda q: q + b"&state=second",
    "bad-percent-encoding": lambda q: q + b"&login_hint=%ZZ",
    "invalid-utf8": lambda q: q + b"&login_hint=%FF%FE%FD",
    "oversize-state": lambda q: q.replace(b"state=", b"state=" + b"s" * 20000, 1),
    "nul-byte": lambda q: q + b"&login_hint=a%00b",
}


@pytest.mark.req("IDP-14")
@pytest.mark.parametrize("case", sorted(AUTHORIZE_CASES))
def test_malformed_authorization_requests(kit_rp, idp_http, case):
    endpoint = kit_rp.metadata["authorization_endpoint"]
    query = AUTHORIZE_CASES[case](_authorize_query(kit_rp))
    response = _raw(idp_http, "GET", endpoint, query)
    _no_server_error(response, case)
    if case.startswith("duplicate") and response.status_code in (200, 303) and \
            'data-screen="vneid-login"' in response.text:
        raise ConformanceFailure("IDP-14", f"the {case} request refused",
                                 "the login screen (the request was accepted)",
                                 reproduce=_repeat(response))


TOKEN_CASES = {
    "duplicate-code": (b"grant_type=authorization_code&code=a&code=b&redirect_uri=x",
                       "application/x-www-form-urlencoded"),
    "bad-percent-encoding": (b"grant_type=authorization_code&code=%ZZ",
                             "application/x-www-form-urlencoded"),
    "invalid-utf8": (b"grant_type=authorization_code&code=%FF%FE",
                     "application/x-www-form-urlencoded"),
    "json-body": (b'{"grant_type": "authorization_code", "code": "x"}', "application/json"),
    "oversize-body": (b"grant_type=authorization_code&code=" + b"c" * 200_000,
                      "application/x-www-form-urlencoded"),
    "no-body": (b"", "application/x-www-form-urlencoded"),
}


@pytest.mark.req("IDP-14")
@pytest.mark.parametrize("case", sorted(TOKEN_CASES))
def test_malformed_token_requests(kit_rp, idp_http, case):
    body, content_type = TOKEN_CASES[case]
    client = kit_rp.client
    response = _raw(idp_http, "POST", kit_rp.metadata["token_endpoint"], content=body,
                    headers={"Content-Type": content_type},
                    auth=(client.client_id, client.client_secret))
    _oauth_error(response, case)


@pytest.mark.req("IDP-14")
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_wrong_methods_on_the_token_endpoint(kit_rp, idp_http, method):
    response = _raw(idp_http, method, kit_rp.metadata["token_endpoint"])
    _no_server_error(response, f"{method} on the token endpoint")
    if not 400 <= response.status_code < 500:
        raise ConformanceFailure("IDP-14", f"a 4xx refusal of {method} on the token endpoint",
                                 f"HTTP {response.status_code}", clause="RFC 6749 §3.2")
    should(response.status_code == 405, "IDP-14/405",
           f"405 Method Not Allowed for {method} on the token endpoint",
           f"HTTP {response.status_code}",
           reproduce=curl_line(method, kit_rp.metadata["token_endpoint"]))
