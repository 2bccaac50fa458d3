"""openid-client (npm), set up as a vendor's VssID backend, logs a person in with the stub VNeID.

Plain httpx against interop/openid-client-rp/server.mjs (not the kit's drivers): the stub
VNeID runs standalone (`python -m stubs.vneid --tls`), the RP against it, and one browser goes
through the whole login — the RP's VNeID button, VNeID's login, passcode and consent screens,
the callback (its userinfo asked after the ID token), the RP's home page with the masked ID
number — then refusals: a callback with a wrong state, the same callback replayed, a userinfo
answer for another person (OIDC Core 5.3.2), a refused ID token (then no userinfo), an old app
version.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from tests.interop.openid_client_rp import (
    CALLBACK_PATH,
    OpenIdClientRp,
    available,
    start_openid_client_rp,
)
from tests.subprocesses import stop

pytestmark = pytest.mark.skipif(available() is not None, reason=available() or "")

ROOT = Path(__file__).parents[2]
CLIENT_ID = "vssid"
CLIENT_SECRET = secrets.token_urlsafe(24)
CONTROL_TOKEN = secrets.token_urlsafe(24)
LEVEL2 = "urn:vn:vneid:loa:2"
# Persona l2_active of stubs/vneid/data/personas.json, and its VssID account.
PERSON = {"id_number": "084190012345", "password": "Matkhau@2023", "passcode": "246810",
          "name": "Nguyễn Thị Thu Hà", "social_insurance_code": "8423456789"}
# Persona l1_active: an active VssID account too, the person a wrong userinfo answer names.
OTHER = {"id_number": "001095004321", "name": "Trần Văn Bình",
         "social_insurance_code": "0112345670"}
ACCOUNTS = [
    {"id_number": PERSON["id_number"], "name": PERSON["name"],
     "social_insurance_code": PERSON["social_insurance_code"], "status": "active"},
    {**OTHER, "status": "active"},
    {"id_number": "048201000567", "name": "Phạm Minh Khoa",
     "social_insurance_code": "4856781234", "status": "pending"},
]
READY_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Systems:
    issuer: str
    vneid_ca: Path
    rp: OpenIdClientRp

    def verify(self) -> ssl.SSLContext:
        """Trust both throw-away CAs: the stub VNeID's and the RP's own."""
        context = ssl.create_default_context(cafile=str(self.vneid_ca))
        context.load_verify_locations(cafile=str(self.rp.ca_file))
        return context


@contextlib.contextmanager
def stub_vneid(workdir: Path) -> Iterator[tuple[str, Path]]:
    """`python -m stubs.vneid --tls --port 0` with its control plane on; yields issuer and CA."""
    ca_file = workdir / "vneid-ca.pem"
    stderr_file = workdir / "vneid.stderr"
    env = {**os.environ, "VNEID_CONTROL_TOKEN": CONTROL_TOKEN}
    with stderr_file.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "stubs.vneid", "--tls", "--port", "0", "--ca-out",
             str(ca_file)], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=stderr, text=True)
        try:
            lines: list[str] = []
            reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()),
                                      daemon=True)
            reader.start()
            reader.join(READY_TIMEOUT_S)
            issuer = lines[0].strip() if lines else ""
            if not issuer.startswith("https://127.0.0.1:"):
                raise RuntimeError(f"stub VNeID did not start: {issuer!r}\n"
                                   f"{stderr_file.read_text('utf-8', errors='replace')[-3000:]}")
            yield issuer, ca_file
        finally:
            stop(process)


@pytest.fixture(scope="module")
def systems(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Systems]:
    """The stub VNeID, then the RP against it, then the RP's client registered at VNeID.

    The RP discovers VNeID lazily, at the first login, so it starts with VNeID's issuer known
    and VNeID learns the RP's redirect URI (its real port) through its control plane.
    """
    workdir = tmp_path_factory.mktemp("openid-client-rp")
    with stub_vneid(workdir) as (issuer, vneid_ca), start_openid_client_rp(
            workdir / "rp", issuer=issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
            ca_file=vneid_ca, accounts=ACCOUNTS) as rp:
        with httpx.Client(verify=ssl.create_default_context(cafile=str(vneid_ca)),
                          timeout=10.0) as control:
            registered = control.put(
                f"{issuer}/_stub/clients/{CLIENT_ID}",
                headers={"Authorization": f"Bearer {CONTROL_TOKEN}"},
                json={"client_name": "VssID – Bảo hiểm xã hội Việt Nam",
                      "client_secret": CLIENT_SECRET, "redirect_uris": [rp.redirect_uri]})
            assert registered.status_code == 200, registered.text
        yield Systems(issuer, vneid_ca, rp)


@pytest.fixture
def browser(systems: Systems) -> Iterator[httpx.Client]:
    """A fresh cookie jar per test: a new phone. Redirects are followed by hand."""
    with httpx.Client(verify=systems.verify(), timeout=10.0, follow_redirects=False) as client:
        yield client


class Control:
    """The stub VNeID's control plane: faults to arm, the requests it received."""

    def __init__(self, systems: Systems, http: httpx.Client) -> None:
        self.systems, self.http = systems, http

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        answer = self.http.request(method, f"{self.systems.issuer}/_stub{path}", json=body,
                                   headers={"Authorization": f"Bearer {CONTROL_TOKEN}"})
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.content else {}

    def arm(self, fault: str, **settings) -> None:
        self.call("POST", "/faults", {"fault": fault, "count": 1, **settings})

    def forget_requests(self) -> None:
        self.call("DELETE", "/requests")

    def requests_to(self, path: str) -> list[dict]:
        return [r for r in self.call("GET", "/requests")["requests"] if r["path"] == path]


@pytest.fixture
def vneid(systems: Systems) -> Iterator[Control]:
    """The control plane, its request log cleared; every fault disarmed after the test."""
    with httpx.Client(verify=ssl.create_default_context(cafile=str(systems.vneid_ca)),
                      timeout=10.0) as http:
        control = Control(systems, http)
        control.forget_requests()
        yield control
        control.call("DELETE", "/faults")


def html(response: httpx.Response) -> HTMLParser:
    return HTMLParser(response.text)


def text_of(page: HTMLParser, selector: str) -> str:
    node = page.css_first(selector)
    assert node is not None, f"{selector} not on the page"
    return node.text(strip=True)


def submit(browser: httpx.Client, response: httpx.Response, form_selector: str,
           **fields: str) -> httpx.Response:
    """Post a form of the page with its hidden fields plus `fields`."""
    form = html(response).css_first(form_selector)
    assert form is not None, f"no {form_selector} on {response.url}"
    data = {node.attributes["name"]: node.attributes.get("value") or ""
            for node in form.css("input[type=hidden]")}
    data.update(fields)
    return browser.post(urljoin(str(response.url), form.attributes["action"]), data=data)


def start(browser: httpx.Client, systems: Systems, version: str | None = None) -> httpx.Response:
    """The login screen's VNeID button, with the app's version in `client_version`."""
    login = browser.get(systems.rp.url + "/signin")
    assert login.status_code == 200
    fields = {} if version is None else {"client_version": version}
    return submit(browser, login, "form#vneid-begin", **fields)


def log_in_at_vneid(browser: httpx.Client, handover: httpx.Response) -> str:
    """VNeID's login, passcode and consent screens; returns the hand-back URL to the RP."""
    assert handover.status_code == 303, handover.text
    page = browser.get(handover.headers["location"])
    while page.is_redirect:
        page = browser.get(urljoin(str(page.url), page.headers["location"]))
    page = submit(browser, page, "form[data-testid=login-form]",
                  id_number=PERSON["id_number"], password=PERSON["password"])
    page = submit(browser, page, "form[data-testid=passcode-form]", passcode=PERSON["passcode"])
    back = submit(browser, page, "form:has(button[data-testid=consent-approve])",
                  decision="approve")
    assert back.status_code in (302, 303), back.text
    return back.headers["location"]


def whoami(browser: httpx.Client, systems: Systems) -> dict:
    response = browser.get(systems.rp.url + "/api/whoami")
    assert response.status_code == 200
    return response.json()


def test_one_whole_login_shows_the_same_person_masked(browser: httpx.Client, systems: Systems,
                                                      vneid: Control):
    login = browser.get(systems.rp.url + "/signin")
    page = html(login)
    assert page.css_first("html").attributes["lang"] == "vi"
    assert "width=device-width" in page.css_first("meta[name=viewport]").attributes["content"]
    assert text_of(page, "form#vneid-begin button#vneid-button") == (
        "Đăng nhập bằng tài khoản định danh điện tử")
    assert page.css_first("input[name=client_version]").attributes["value"] == "1.7.0"
    assert "data-testid" not in login.text and "data-screen" not in login.text

    handover = submit(browser, login, "form#vneid-begin")
    assert handover.status_code == 303
    request = urlsplit(handover.headers["location"])
    params = {k: v[0] for k, v in parse_qs(request.query).items()}
    assert f"{request.scheme}://{request.netloc}" == systems.issuer
    assert params["client_id"] == CLIENT_ID
    assert params["redirect_uri"] == systems.rp.redirect_uri
    assert params["response_type"] == "code"
    assert params["scope"] == "openid profile id_number"
    assert params["code_challenge_method"] == "S256"
    assert params["acr_values"] == LEVEL2
    assert len(params["state"]) >= 22 and params["nonce"]
    assert CLIENT_SECRET not in handover.text + login.text

    back = log_in_at_vneid(browser, handover)
    assert back.startswith(systems.rp.redirect_uri + "?")
    landed = browser.get(back)
    assert landed.status_code == 303 and landed.headers["location"] == "/dashboard"
    session_cookie = landed.headers["set-cookie"]
    for attribute in ("HttpOnly", "Secure", "SameSite=Lax"):
        assert attribute in session_cookie
    assert "Domain=" not in session_cookie

    home = browser.get(systems.rp.url + "/dashboard")
    assert home.status_code == 200
    page = html(home)
    assert text_of(page, "#holder-name") == PERSON["name"]
    assert text_of(page, "#holder-id-number") == "********2345"
    assert text_of(page, "#holder-sic") == PERSON["social_insurance_code"]
    assert page.css_first("form#signout-form button#signout-button") is not None
    assert whoami(browser, systems) == {"logged_in": True, "id_number_masked": "********2345",
                                        "name": PERSON["name"]}
    # Userinfo asked once, after the token, with the access token as a bearer (same sub).
    assert len(vneid.requests_to("/token")) == 1
    [userinfo] = vneid.requests_to("/userinfo")
    assert userinfo["authorization"].lower() == "bearer" and userinfo["status"] == 200

    # The callback is single-use: replayed, it is refused and no session remains.
    replay = browser.get(back)
    assert replay.status_code == 400
    assert html(replay).css_first("section#result.result--protocol-error") is not None
    assert whoami(browser, systems)["logged_in"] is False

    # The RP's log names outcomes, never the code or state it handled.
    query = parse_qs(urlsplit(back).query)
    logged = systems.rp.log_file.read_text("utf-8")
    assert '"outcome":"LOGGED_IN"' in logged
    for secret in (query["code"][0], query["state"][0], params["nonce"], CLIENT_SECRET):
        assert secret not in logged


def test_a_callback_with_a_wrong_state_is_refused_without_session(browser: httpx.Client,
                                                                   systems: Systems):
    handover = start(browser, systems)
    back = urlsplit(log_in_at_vneid(browser, handover))
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    query["state"] = secrets.token_urlsafe(32)
    refused = browser.get(systems.rp.redirect_uri, params=query)
    assert refused.status_code == 400
    page = html(refused)
    assert page.css_first("section#result.result--protocol-error") is not None
    assert text_of(page, "#result-title") == "Đăng nhập không thành công"
    assert text_of(page, "#result-message")
    assert page.css_first("a#back-to-signin").attributes["href"] == "/signin"
    assert whoami(browser, systems) == {"logged_in": False, "id_number_masked": None,
                                        "name": None}
    assert browser.get(systems.rp.url + "/dashboard").headers.get("location") == "/signin"


@pytest.mark.parametrize(("version", "gated"), [("1.6.6", True), ("1.6.7-beta", True),
                                                ("1.6.7", False), ("1.6.10", False)])
def test_the_server_enforces_the_minimum_app_version(browser: httpx.Client, systems: Systems,
                                                     version: str, gated: bool):
    response = start(browser, systems, version)
    if gated:
        assert response.status_code == 200
        assert html(response).css_first("section#result.result--update-required") is not None
    else:
        assert response.status_code == 303
        assert response.headers["location"].startswith(systems.issuer + "/")


def test_app_link_association_files(browser: httpx.Client, systems: Systems):
    android = browser.get(systems.rp.url + "/.well-known/assetlinks.json")
    assert android.status_code == 200
    assert android.headers["content-type"].startswith("application/json")
    [statement] = android.json()
    assert statement["target"]["package_name"] == "com.bhxhapp"
    assert "delegate_permission/common.handle_all_urls" in statement["relation"]
    apple = browser.get(systems.rp.url + "/.well-known/apple-app-site-association")
    assert apple.status_code == 200
    assert apple.headers["content-type"].startswith("application/json")
    assert apple.json() == {"applinks": {"details": [{"appIDs": ["TESTTEAM01.com.bhxhapp"],
                                                      "components": [{"/": CALLBACK_PATH}]}]}}


def refused_with(browser: httpx.Client, systems: Systems, landed: httpx.Response,
                 outcome_class: str) -> None:
    __tracebackhide__ = True
    assert html(landed).css_first(f"section#result.{outcome_class}") is not None, landed.text
    assert whoami(browser, systems)["logged_in"] is False
    assert browser.get(systems.rp.url + "/dashboard").headers.get("location") == "/signin"


def test_userinfo_for_another_person_refuses_the_login(browser: httpx.Client, systems: Systems,
                                                        vneid: Control):
    """OIDC Core 5.3.2: userinfo's sub is not the ID token's (fetchUserInfo compares them), so
    its claims are not used and the login is refused, though l1_active has an active account."""
    vneid.arm("OTHER_PERSON", id_number=OTHER["id_number"])
    back = log_in_at_vneid(browser, start(browser, systems))
    landed = browser.get(back)
    assert landed.status_code == 400
    refused_with(browser, systems, landed, "result--protocol-error")
    assert len(vneid.requests_to("/userinfo")) == 1
    logged = systems.rp.log_file.read_text("utf-8")
    assert '"reason":"userinfo_sub_mismatch"' in logged
    assert OTHER["id_number"] not in logged and PERSON["id_number"] not in logged


def test_a_refused_id_token_leads_to_no_userinfo(browser: httpx.Client, systems: Systems,
                                                 vneid: Control):
    vneid.arm("WRONG_NONCE")
    landed = browser.get(log_in_at_vneid(browser, start(browser, systems)))
    assert landed.status_code == 400
    refused_with(browser, systems, landed, "result--protocol-error")
    assert len(vneid.requests_to("/token")) == 1 and vneid.requests_to("/userinfo") == []


def test_a_userinfo_failure_is_an_idp_error(browser: httpx.Client, systems: Systems,
                                            vneid: Control):
    vneid.arm("SERVER_ERROR", endpoint="userinfo", status_code=503)
    landed = browser.get(log_in_at_vneid(browser, start(browser, systems)))
    refused_with(browser, systems, landed, "result--idp-error")
