"""One redaction for the kit and its stubs: the same tricky inputs, every secret removed by both.

The kit's functions (fixtures/redaction.py) and the stubs' (stubs/redaction.py: the reference
VssID's log filter, the stub VNeID's request log) are fed one corpus; each case names the
secrets it hides and the text that must survive (redaction must not eat what a reader needs).
"""

from __future__ import annotations

import json
import logging

import pytest

import fixtures.redaction as kit
import fixtures.secret_ledger as ledger
import stubs.redaction as shared
from fixtures.browser import keep_failure_evidence
from fixtures.drivers.oidc_client import AuthorizationRequest, RegisteredClient
from fixtures.drivers.rp_journey import HandOver
from fixtures.drivers.vssid_app_client import StartResult
from fixtures.exchange_log import Exchange
from stubs.request_log import redact_params

JWT = ("eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ4Iiwibm9uY2UiOiJOT05DRTEyMyJ9."
       "c2lnbmF0dXJlLXZhbHVlLWhlcmU")
JWE = "eyJhbGciOiJSU0EtT0FFUCJ9.ZW5jcnlwdGVka2V5.aXZpdg.Y2lwaGVydGV4dA.dGFndGFn"

# (case id, text, secrets that must go, text that must stay)
CORPUS = [
    ("query", "GET /app/vneid/callback?state=St4te-Val_ue&iss=https%3A%2F%2Fidp&code=C0deValue1 "
     "HTTP/1.1", ["St4te-Val_ue", "C0deValue1"], ["iss=https%3A%2F%2Fidp", "HTTP/1.1"]),
    ("value with ; , and .", "https://rp/cb?code=abc;def,ghi.jkl9&state=s1;s2.s3,s4X",
     ["abc;def,ghi.jkl9", "def,ghi", "s1;s2.s3,s4X", "s2.s3"], ["https://rp/cb?"]),
    ("percent-encoded names", "https://rp/cb?st%61te=EncodedName1&%63ode=EncodedName2&x=1",
     ["EncodedName1", "EncodedName2"], ["x=1"]),
    ("repeated names", "/cb?state=First111&state=Second222&code=Third333&code=Fourth44",
     ["First111", "Second222", "Third333", "Fourth44"], ["/cb?"]),
    ("fragment", "https://rp/cb#access_token=Fr4gTok3n&token_type=Bearer&state=Fr4gSt4te",
     ["Fr4gTok3n", "Fr4gSt4te"], ["token_type=Bearer"]),
    ("relative url in prose", "the phone opened /app/home?id_token=" + JWT + " and stopped.",
     [JWT, "c2lnbmF0dXJlLXZhbHVlLWhlcmU"], ["the phone opened /app/home?id_token=", "stopped."]),
    ("html-escaped url", '<a href="/x?a=1&amp;state=HtmlSt4te&amp;code=HtmlC0de">again</a>',
     ["HtmlSt4te", "HtmlC0de"], ["again</a>"]),
    ("nested in redirect_uri", "redirect_uri=https%3A%2F%2Fx%2Fcb%3Fcode%3DNest3dCode%26a%3D1",
     ["Nest3dCode"], ["redirect_uri="]),
    ("form body", "grant_type=authorization_code&code=F0rmCode&code_verifier=Ver1fier-xyz_0123"
     "&redirect_uri=https%3A%2F%2Frp%2Fcb&client_secret=Cl1entSecret",
     ["F0rmCode", "Ver1fier-xyz_0123", "Cl1entSecret"], ["grant_type=authorization_code"]),
    ("password form", "id_number=084190012345&password=Lan%25Vo1985&tx=Tx-abcdef123",
     ["Lan%25Vo1985", "Lan%Vo1985", "Tx-abcdef123"], ["id_number=084190012345"]),
    ("cookie header", "Cookie: vssid_session=S3ssion-1; theme=Dark99x; vssid_attempt=Att3mpt-1",
     ["S3ssion-1", "Dark99x", "Att3mpt-1"], ["Cookie: vssid_session="]),
    ("set-cookie header", "set-cookie: vssid_session=S3tCookie-1; Path=/; HttpOnly; Secure",
     ["S3tCookie-1"], ["Path=/; HttpOnly; Secure"]),
    ("authorization header", "authorization: Basic dnNzaWQ6c2VjcmV0LXZhbHVl\nAuthorization: "
     "Bearer B3arerTok3n.abc", ["dnNzaWQ6c2VjcmV0LXZhbHVl", "B3arerTok3n"], ["Basic", "Bearer"]),
    ("credentials mid-line", "sent Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ== to /token",
     ["QWxhZGRpbjpvcGVuIHNlc2FtZQ=="], ["to /token"]),
    ("json", '{"access_token": "Acc3ssTok3n", "token_type": "Bearer", "expires_in": 300, '
     '"id_token": "' + JWT + '", "scope": "openid"}', ["Acc3ssTok3n", JWT],
     ['"token_type": "Bearer"', '"scope": "openid"']),
    ("json in text, nested", 'VNeID answered {"error": "x", "tokens": {"refresh_token": '
     '"R3fresh!"}, "state": ["L1stState", "L2stState"], "passcode": 246810} then stopped',
     ["R3fresh!", "L1stState", "L2stState", "246810"], ["VNeID answered", "then stopped"]),
    ("json cut short", 'HTTP 200 {"access_token": "Trunc4tedAcc3ssTok', ["Trunc4tedAcc3ssTok"],
     ["HTTP 200"]),
    ("json with escapes", '{"url": "https://rp/cb?code=Esc4pedC0de\\u0026state=Esc4pedSt4te"}',
     ["Esc4pedC0de", "Esc4pedSt4te"], ['"url"']),
    ("double-encoded json", '{"body": "{\\"state\\": \\"Dbl3ncoded\\", \\"n\\": 1}"}',
     ["Dbl3ncoded"], ['"body"']),
    ("dataclass repr", "HandOver(url='https://rp/cb?code=Repr-C0de&state=Repr-St4te&iss=x')",
     ["Repr-C0de", "Repr-St4te"], ["HandOver(url='https://rp/cb?"]),
    ("persona repr", "Persona(key='l2', id_number='084190012345', password='Matkhau@2023', "
     "passcode='246810', level=2)", ["Matkhau@2023", "246810"], ["id_number='084190012345'"]),
    ("dict repr with lists", "{'state': ['D1ctState'], 'nonce': 'D1ctNonce', 'path': '/x'}",
     ["D1ctState", "D1ctNonce"], ["'path': '/x'"]),
    ("repr with base64 before a secret", "Systems(pins=('7pC1EH+pn0hgcSuF9DoZKOiEI=',), "
     "control_token='Ctl-T0ken-xyz1')", ["Ctl-T0ken-xyz1"], ["7pC1EH+pn0hgcSuF9DoZKOiEI="]),
    ("kwargs in a log line", "callback code=L0gCode123 state=L0gState123 outcome=LOGGED_IN",
     ["L0gCode123", "L0gState123"], ["outcome=LOGGED_IN"]),
    ("quoted kwargs cut short", "Falsifying example: test(state='Cut-Sh0rt-St4", ["Cut-Sh0rt-St4"],
     ["Falsifying example"]),
    ("assertion with reprs", "assert 'https://v/authorize?client_id=vssid&state=Ass3rtSt4te"
     "&nonce=Ass3rtNonce' == StartResult(status_code=303)", ["Ass3rtSt4te", "Ass3rtNonce"],
     ["client_id=vssid", "status_code=303"]),
    ("hidden input", '<form><input type="hidden" name="tx" value="Hidd3nTx-1"><input '
     'name="id_number" value="084190012345"></form>', ["Hidd3nTx-1"], ['value="084190012345"']),
    ("userinfo", "proxy https://kit:Us3rInf0Pass@proxy.local:8080/ used", ["Us3rInf0Pass"],
     ["proxy.local:8080"]),
    ("bare jws and jwe", f"token {JWT} and {JWE} end", [JWT, JWE], ["token", "end"]),
    ("suffix names", "csrf_token=Csrf-T0ken9&subject_secret=Subj3ct&new_password=N3wPass",
     ["Csrf-T0ken9", "Subj3ct", "N3wPass"], []),
]


def _stub_vssid_log(text: str) -> str:
    record = logging.LogRecord("stubs.vssid", logging.INFO, __file__, 1, "%s", (text,), None)
    shared.RedactingFilter().filter(record)
    return record.getMessage()


REDACTIONS = {
    "kit": kit.redact_text,
    "stubs": shared.redact_text,
    "vssid log filter": _stub_vssid_log,
}


@pytest.mark.parametrize("how", list(REDACTIONS))
@pytest.mark.parametrize(("text", "secrets", "kept"),
                         [pytest.param(t, s, k, id=i) for i, t, s, k in CORPUS])
def test_every_secret_is_removed_and_the_rest_kept(how, text, secrets, kept):
    shown = REDACTIONS[how](text)
    leaked = [s for s in secrets if s in shown]
    assert not leaked, f"{how} left {leaked} in {shown!r}"
    lost = [k for k in kept if k not in shown]
    assert not lost, f"{how} ate {lost}: {shown!r}"
    assert shared.REDACTED in shown


def test_redaction_is_idempotent_and_keeps_stub_fingerprints():
    for _, text, _, _ in CORPUS:
        once = kit.redact_text(text)
        assert kit.redact_text(once) == once
    fingerprinted = "query={'state': ['[redacted:1a2b3c4d]']} code=[redacted]"
    assert kit.redact_text(fingerprinted) == fingerprinted


def test_plain_prose_is_untouched():
    prose = ("expected the state to be echoed unchanged; actual: a different state (the code "
             "was refused, the session ended). See RFC 6749 §4.1.2, a=1, b: 2.")
    assert kit.redact_text(prose) == prose


def test_urls_pairs_headers_and_json():
    url = "https://u:Pa55word@rp/cb?code=UrlC0de1&iss=https%3A%2F%2Fidp#state=UrlSt4te1"
    shown = kit.redact_url(url)
    assert "UrlC0de1" not in shown and "UrlSt4te1" not in shown and "Pa55word" not in shown
    assert "iss=https%3A%2F%2Fidp" in shown  # the rest as written, not re-encoded
    assert kit.redact_url("https://rp/app/home") == "https://rp/app/home"
    assert kit.redact_pairs([("code", "P4irCode"), ("next", "/x?state=P4irSt4te")]) == [
        ("code", "[redacted]"), ("next", "/x?state=[redacted]")]
    headers = kit.redact_headers({"Authorization": "Basic dnNzaWQ6cw==",
                                  "cookie": "vssid_session=H3aderS3ss; a=B0ring1",
                                  "location": "/cb?code=L0cC0de", "content-type": "text/html"})
    assert headers == {"Authorization": "Basic [redacted]",
                       "cookie": "vssid_session=[redacted]; a=[redacted]",
                       "location": "/cb?code=[redacted]", "content-type": "text/html"}
    assert kit.redact_json({"a": [{"Code_Verifier": "J50nVer"}], "b": "x?nonce=J50nNonce"}) == {
        "a": [{"Code_Verifier": "[redacted]"}], "b": "x?nonce=[redacted]"}


def test_the_stub_vneid_request_log_redacts_every_secret_name():
    shown = redact_params({"state": ["R3qSt4te"], "password": ["R3qPass!"], "tx": ["R3qTx99"],
                           "redirect_uri": ["https://rp/cb"], "vssid_session": ["R3qS3ss"]})
    assert shown["state"][0].startswith("[redacted:") and shown["tx"][0].startswith("[redacted:")
    assert shown["password"] == ["[redacted]"] and shown["redirect_uri"] == ["https://rp/cb"]
    assert "R3qS3ss" not in json.dumps(shown)


def test_what_redaction_replaces_is_remembered():
    ledger.forget()
    try:
        kit.redact_text("x?code=Rememb3redC0de&state=state&code_verifier=verifier "
                        "Persona(password='Rememb3red!Pass')")
        known = ledger.known()
        assert known["code"] == {"Rememb3redC0de"}
        assert known["password"] == {"Rememb3red!Pass"}
        # Plain words the redaction met in source lines are not secrets anyone knew.
        assert "state" not in known and "code_verifier" not in known
        ledger.remember("state", "short")  # under MIN_LENGTH: by chance anywhere, ignored
        assert "state" not in ledger.known()
    finally:
        ledger.forget()


def test_the_stubs_witness_reaches_registered_hooks():
    seen: list[tuple[str, str]] = []
    shared.SECRET_WITNESSES.append(lambda kind, value: seen.append((kind, value)))
    try:
        shared.witness("code", "W1tnessedC0de")
        shared.redact_text("state=W1tnessedSt4te")
    finally:
        shared.SECRET_WITNESSES.pop()
    assert ("code", "W1tnessedC0de") in seen and ("state", "W1tnessedSt4te") in seen


def test_the_drivers_dataclasses_show_no_secret():
    link = HandOver("https://rp/cb?code=Dr1verCode&state=Dr1verState&iss=https%3A%2F%2Fidp")
    request = AuthorizationRequest({"state": "Dr1verState2", "nonce": "Dr1verNonce"},
                                   "Dr1verVerifier", "https://idp/authorize?state=Dr1verState2")
    shown = " ".join(repr(x) for x in (
        link, request, RegisteredClient("vssid", "Dr1verSecret", "https://rp/cb"),
        StartResult(303, "https://idp/authorize?state=Dr1verState3&nonce=Dr1verNonce3", None),
        Exchange("POST", "https://idp/token?code=Dr1verCode4", {"authorization": "Basic eA=="},
                 b"code=Dr1verCode5", 200, {}, b'{"access_token": "Dr1verTok"}')))
    for secret in ("Dr1verCode", "Dr1verState", "Dr1verNonce", "Dr1verVerifier", "Dr1verSecret",
                   "Dr1verTok"):
        assert secret not in shown, shown
    assert "iss=https%3A%2F%2Fidp" in shown and "https://idp/token" in shown


def test_a_failing_report_is_scrubbed_before_anyone_reads_it(pytester: pytest.Pytester):
    """A bare assert, an argument, a local and a captured log, each holding a secret: the
    longrepr, the sections and the exception message of the report are redacted."""
    pytester.makeconftest("pytest_plugins = ['fixtures.secret_ledger']\n")
    pytester.makepyfile(test_leaky="""
        import logging, pytest

        @pytest.fixture
        def state():
            return "F1xtureSt4te-abc"

        def test_leaks(state):
            logging.getLogger("stubs.vssid").warning("callback code=L0ggedC0de-xyz")
            print("printed ?access_token=Pr1ntedTok3n")
            url = "https://rp/cb?code=L0calC0de-123&state=" + state
            assert url == "https://rp/home"
    """)
    result = pytester.runpytest_inprocess("-l", "-p", "no:randomly", "-p", "no:cacheprovider",
                                          "--junitxml", str(pytester.path / "junit.xml"))
    result.assert_outcomes(failed=1)
    output = result.stdout.str() + (pytester.path / "junit.xml").read_text(encoding="utf-8")
    for secret in ("F1xtureSt4te-abc", "L0ggedC0de-xyz", "Pr1ntedTok3n", "L0calC0de-123"):
        assert secret not in output
    assert "[redacted]" in output and "test_leaks" in output


def test_failure_evidence_keeps_no_secret_of_the_last_screen(tmp_path):
    """The last screen's source (a VNeID screen holds its transaction in a hidden input) and
    the Appium log are redacted before they are written or attached."""
    class Driver:
        def screenshot(self) -> bytes:
            return b"\x89PNG"

        def page_source(self) -> str:
            return ('<form action="/authorize/login"><input type="hidden" name="tx" '
                    'value="Ev1denceTx-1"></form><a href="/cb?code=Ev1denceC0de&amp;x=1">')

    class Request:
        class config:  # what keep_failure_evidence reads of pytest's config
            @staticmethod
            def getoption(name):
                return tmp_path

        class node:
            nodeid = "suites/journey/test_x.py::test_y[playwright]"

    keep_failure_evidence(Request, Driver(), 'POST /url {"url": "https://v/?state=Ev1denceSt"}')
    written = "".join(p.read_text(encoding="utf-8", errors="ignore")
                      for p in tmp_path.rglob("*") if p.is_file())
    assert "page.html" in {p.name for p in tmp_path.rglob("*")}
    for secret in ("Ev1denceTx-1", "Ev1denceC0de", "Ev1denceSt"):
        assert secret not in written
