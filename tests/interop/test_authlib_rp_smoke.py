"""The Authlib VssID backend (interop/authlib_rp) against the kit's stub VNeID, over httpx.

The stub VNeID runs standalone (``python -m stubs.vneid --tls``) with its control plane on,
so a test can arm one fault (a wrong ``iss``, a bad ID token) and read which requests it got.
One whole login of the l2_active persona (its userinfo asked after the ID token), the
refusals the correct RP must make (a userinfo answer for another person among them), and, for
each ``--defect``, one quick probe showing it really changes the behaviour it names.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from starlette.applications import Starlette
from starlette.testclient import TestClient

from fixtures.servers import Tls
from interop.authlib_rp import config as rp_config
from interop.authlib_rp.app import create_app
from tests.interop.authlib_rp import CALLBACK_PATH, PROJECT_ROOT, start_authlib_rp
from tests.subprocesses import stop

CLIENT_ID = "vssid-authlib"
CLIENT_NAME = "VssID – Bảo hiểm xã hội Việt Nam"
VNEID_BUTTON = "Đăng nhập bằng tài khoản định danh điện tử"


@dataclass(frozen=True)
class Person:
    id_number: str
    name: str
    password: str
    passcode: str


# VNeID personas (stubs/vneid/data/personas.json) and the VssID accounts this RP is given.
L2_ACTIVE = Person("084190012345", "Nguyễn Thị Thu Hà", "Matkhau@2023", "246810")
L2_PENDING = Person("048201000567", "Phạm Minh Khoa", "Khoa$2001pm", "112358")
L2_LOCKED = Person("092185007777", "Võ Thị Lan", "Lan%Vo1985", "314159")
L2_NO_VSSID = Person("079088006789", "Lê Hoàng Nam", "Nam!Le1988", "864209")
L1_ACTIVE = Person("001095004321", "Trần Văn Bình", "Binh@Tran95", "135790")
NAMESAKE = Person("079301009876", L2_ACTIVE.name, "Trung@Ten01", "975310")
ACCOUNTS = [
    {"id_number": L2_ACTIVE.id_number, "name": L2_ACTIVE.name,
     "social_insurance_code": "8423456789", "status": "active"},
    {"id_number": L1_ACTIVE.id_number, "name": L1_ACTIVE.name,
     "social_insurance_code": "0112345670", "status": "active"},
    {"id_number": L2_PENDING.id_number, "name": L2_PENDING.name,
     "social_insurance_code": "4856781234", "status": "pending"},
    {"id_number": L2_LOCKED.id_number, "name": L2_LOCKED.name,
     "social_insurance_code": "9212340987", "status": "locked"},
]
MASKED_L2_ACTIVE = "084•••••••45"

# The RP's screens (interop/authlib_rp/README.md): <body id> per screen.
SCREENS = {
    "man-dang-nhap": "LOGIN", "man-tai-khoan": "LOGGED_IN",
    "man-can-cap-nhat": "VSSID_UPDATE_REQUIRED", "man-da-huy": "CANCELLED",
    "man-can-muc-2": "LEVEL2_REQUIRED", "man-chua-co-tai-khoan": "NO_VSSID_ACCOUNT",
    "man-cho-duyet": "VSSID_PENDING", "man-bi-khoa": "VSSID_LOCKED",
    "man-loi-xac-thuc": "PROTOCOL_ERROR", "man-loi-vneid": "IDP_ERROR", "man-loi": "ERROR",
}
DEFECTS = ("state_unchecked", "acr_ignored", "link_by_name", "open_redirect",
           "id_token_iss_unchecked", "aud_unchecked", "exp_unchecked", "nonce_unchecked",
           "iss_param_unchecked", "alg_none_accepted", "token_in_url", "code_in_log",
           "session_kept_after_error", "callback_reused", "version_as_text",
           "userinfo_sub_unchecked")
MASKED_L1_ACTIVE = "001•••••••21"
# The correct glue in process, for the one probe that edits its cached discovery document.
NO_USERINFO = "no-userinfo-endpoint"


# -- the stub VNeID ---------------------------------------------------------------------------

@dataclass(frozen=True)
class StubVneid:
    issuer: str
    ca_file: Path
    control_token: str
    http: httpx.Client  # for the control plane

    def _control(self, method: str, path: str, body: dict | None = None) -> dict:
        answer = self.http.request(method, self.issuer + "/_stub" + path, json=body,
                                   headers={"authorization": f"Bearer {self.control_token}"})
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.content else {}

    def register(self, client_secret: str, redirect_uris: list[str]) -> None:
        self._control("PUT", f"/clients/{CLIENT_ID}", {
            "client_name": CLIENT_NAME, "client_secret": client_secret,
            "redirect_uris": redirect_uris})

    def arm(self, fault: str, **settings) -> None:
        self._control("POST", "/faults", {"fault": fault, "count": 1, **settings})

    def disarm(self) -> None:
        self._control("DELETE", "/faults")

    def put_persona(self, key: str, person: Person) -> None:
        self._control("PUT", f"/personas/{key}", {
            "key": key, "id_number": person.id_number, "name": person.name,
            "birthdate": "2001-05-05", "sex": "F", "level": 2, "status": "active",
            "password": person.password, "passcode": person.passcode,
            "social_insurance_code": "7911122233"})

    def requests_to(self, path: str) -> list[dict]:
        return [r for r in self._control("GET", "/requests")["requests"] if r["path"] == path]

    def token_requests(self) -> int:
        return len(self.requests_to("/token"))

    def userinfo_requests(self) -> int:
        return len(self.requests_to("/userinfo"))

    def forget_requests(self) -> None:
        self._control("DELETE", "/requests")


def _read_line(stream, timeout: float) -> str:
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return lines[0].strip() if lines else ""


@contextlib.contextmanager
def start_stub_vneid(workdir: Path) -> Iterator[StubVneid]:
    ca_file = workdir / "vneid-ca.pem"
    stderr_file = workdir / "vneid.stderr"
    token = secrets.token_urlsafe(24)
    env = {**os.environ, "VNEID_CONTROL_TOKEN": token, "PYTHONUNBUFFERED": "1"}
    with stderr_file.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "stubs.vneid", "--host", "127.0.0.1", "--port", "0",
             "--tls", "--ca-out", str(ca_file)],
            cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=stderr, text=True)
    try:
        issuer = _read_line(process.stdout, 30.0)
        assert issuer.startswith("https://127.0.0.1:"), stderr_file.read_text()
        assert f"CA certificate: {ca_file}" in stderr_file.read_text()
        with httpx.Client(verify=ssl.create_default_context(cafile=str(ca_file)),
                          timeout=15.0) as http:
            yield StubVneid(issuer, ca_file, token, http)
    finally:
        stop(process)


# -- a phone's browser, over plain httpx -----------------------------------------------------

@dataclass
class Screen:
    response: httpx.Response

    @property
    def html(self) -> HTMLParser:
        return HTMLParser(self.response.text)

    @property
    def name(self) -> str:
        body = self.html.css_first("body")
        return SCREENS.get(body.attributes.get("id", "") if body else "", "UNKNOWN")

    def text(self, selector: str) -> str | None:
        node = self.html.css_first(selector)
        return node.text(strip=True) if node is not None else None


@dataclass(frozen=True)
class Rp:
    """An RP under test: a process started by the launcher, or (for the defect probes, to
    spare a process start each) the same app in this process behind Starlette's TestClient."""

    url: str
    redirect_uri: str
    log: Callable[[], str]
    ca_file: Path | None = None  # a process's own CA
    app: Starlette | None = None  # an in-process app


class Phone:
    """A browser: one client per origin (their cookies apart, as a browser keeps them). It
    follows redirects by hand, so a test sees each, and never one that leaves the RP."""

    def __init__(self, rp: Rp, vneid: StubVneid) -> None:
        self.idp_http = httpx.Client(verify=ssl.create_default_context(
            cafile=str(vneid.ca_file)), follow_redirects=False, timeout=15.0)
        if rp.app is not None:
            self.rp_http = TestClient(rp.app, base_url=rp.url, follow_redirects=False)
        else:
            self.rp_http = httpx.Client(verify=ssl.create_default_context(
                cafile=str(rp.ca_file)), follow_redirects=False, timeout=15.0)
        self.rp, self.vneid = rp, vneid

    def close(self) -> None:
        self.idp_http.close()
        self.rp_http.close()

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self._client(url).get(url, **kwargs)

    def post(self, url: str, **kwargs) -> httpx.Response:
        return self._client(url).post(url, **kwargs)

    def _client(self, url: str) -> httpx.Client:
        if url.startswith(self.rp.url + "/"):
            return self.rp_http
        assert url.startswith(self.vneid.issuer + "/"), f"the phone left the apps: {url}"
        return self.idp_http

    def open(self, url: str) -> Screen:
        """GET `url`, following redirects that stay on the RP."""
        response = self.get(url)
        while response.status_code in (302, 303) and \
                urljoin(url, response.headers["location"]).startswith(self.rp.url + "/"):
            url = urljoin(url, response.headers["location"])
            response = self.get(url)
        return Screen(response)

    def start(self, version: str | None = None) -> httpx.Response:
        """Tap the VNeID button on the login screen (the app's version in its header)."""
        login = Screen(self.get(self.rp.url + "/dang-nhap"))
        assert login.name == "LOGIN"
        assert login.text("form#form-vneid button#nut-vneid") == VNEID_BUTTON
        form = login.html.css_first("form#form-vneid")
        fields = {n.attributes["name"]: n.attributes.get("value") or ""
                  for n in form.css("input[type=hidden]")}
        headers = {"X-VssID-Version": version} if version is not None else {}
        return self.post(urljoin(self.rp.url, form.attributes["action"]), data=fields,
                         headers=headers)

    def _submit(self, page: httpx.Response, testid: str, values: dict) -> httpx.Response:
        html = HTMLParser(page.text)
        form = html.css_first(f'form[data-testid="{testid}"]')
        assert form is not None, f"no {testid} on VNeID's page: {page.text[:400]}"
        fields = {n.attributes["name"]: n.attributes.get("value") or ""
                  for n in form.css("input[type=hidden]")}
        return self.post(urljoin(str(page.url), form.attributes["action"]),
                         data={**fields, **values})

    def log_in_at_vneid(self, person: Person, handover: httpx.Response | None = None) -> str:
        """From the hand-over to the callback URL VNeID sends back (not yet delivered)."""
        handover = handover if handover is not None else self.start()
        assert handover.status_code == 303, handover.text[:400]
        authorize = handover.headers["location"]
        assert authorize.startswith(self.vneid.issuer + "/authorize?")
        page = self.get(authorize)
        page = self._submit(page, "login-form", {"id_number": person.id_number,
                                                 "password": person.password})
        page = self._submit(page, "passcode-form", {"passcode": person.passcode})
        html = HTMLParser(page.text)
        consent = html.css_first('[data-testid="consent-approve"]')
        assert consent is not None, page.text[:400]
        form = consent.parent
        while form is not None and form.tag != "form":
            form = form.parent
        fields = {n.attributes["name"]: n.attributes.get("value") or ""
                  for n in form.css("input[type=hidden]")}
        back = self.post(urljoin(str(page.url), form.attributes["action"]),
                         data={**fields, "decision": "approve"})
        assert back.status_code in (302, 303), back.text[:400]
        location = back.headers["location"]
        assert location.startswith(self.rp.redirect_uri + "?"), location
        return location

    def log_in(self, person: Person) -> Screen:
        return self.open(self.log_in_at_vneid(person))

    def account(self) -> Screen | None:
        """The account page when this browser is logged in, else None (303 to login)."""
        answer = self.get(self.rp.url + "/tai-khoan")
        if answer.status_code == 303:
            assert answer.headers["location"] == "/dang-nhap"
            return None
        assert answer.status_code == 200
        return Screen(answer)


def with_query(url: str, **changes: str | None) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return urlunsplit(parts._replace(query=urlencode(query)))


def tampered(value: str) -> str:
    return value[:-1] + ("A" if value[-1] != "A" else "B")


# -- fixtures ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def vneid(tmp_path_factory) -> Iterator[StubVneid]:
    with start_stub_vneid(tmp_path_factory.mktemp("stub-vneid")) as stub:
        yield stub


@pytest.fixture(scope="module")
def client_secret() -> str:
    return secrets.token_urlsafe(24)


IN_PROCESS_PORT = 40_100  # base URLs of the in-process apps (never connected to)
LAUNCHED = (None, "code_in_log")  # through the launcher: the correct RP, and one defect


@pytest.fixture(scope="module")
def rps(tmp_path_factory, vneid, client_secret) -> Iterator[dict[str | None, Rp]]:
    """The correct RP (key None) and one per defect, all registered at the stub VNeID."""
    root = tmp_path_factory.mktemp("authlib-rp")

    def launch(defect: str | None):
        manager = start_authlib_rp(
            root / (defect or "correct"), issuer=vneid.issuer, client_id=CLIENT_ID,
            client_secret=client_secret, ca_file=vneid.ca_file, accounts=ACCOUNTS,
            defect=defect)
        return manager, manager.__enter__()

    with contextlib.ExitStack() as stack:
        started: dict[str | None, Rp] = {}
        with ThreadPoolExecutor(max_workers=len(LAUNCHED)) as pool:
            futures = {name: pool.submit(launch, name) for name in LAUNCHED}
            for name, future in futures.items():
                manager, process = future.result()
                stack.push(manager.__exit__)
                started[name] = Rp(process.url, process.redirect_uri, process.log,
                                   ca_file=process.ca_file)
        started.update(_in_process(root / "in-process", vneid, client_secret))
        vneid.register(client_secret, [rp.redirect_uri for rp in started.values()])
        yield started


def _in_process(workdir: Path, vneid: StubVneid, client_secret: str) -> dict[str, Rp]:
    """Each other defect as the same app in this process, from the same command line."""
    workdir.mkdir(parents=True)
    tls = Tls.issue(workdir / "tls")
    accounts = workdir / "accounts.json"
    accounts.write_text(json.dumps({"accounts": ACCOUNTS}, ensure_ascii=False), "utf-8")
    apps = {}
    names = [d for d in DEFECTS if d not in LAUNCHED] + [NO_USERINFO]
    for index, name in enumerate(names):
        defect = ["--defect", name] if name in DEFECTS else []
        settings = rp_config.load(
            ["--issuer", vneid.issuer, "--client-id", CLIENT_ID, "--ca-file",
             str(vneid.ca_file), "--tls-cert", str(tls.cert_file), "--tls-key",
             str(tls.key_file), "--accounts", str(accounts), "--log-file",
             str(workdir / f"{name}.log"), *defect],
            environ={rp_config.SECRET_ENV: client_secret})
        url = f"https://127.0.0.1:{IN_PROCESS_PORT + index}"
        apps[name] = Rp(url, url + CALLBACK_PATH, lambda: "", app=create_app(settings, url))
    return apps


@pytest.fixture
def phone_of(rps, vneid):
    phones: list[Phone] = []

    def make(defect: str | None = None) -> Phone:
        phones.append(Phone(rps[defect], vneid))
        return phones[-1]

    yield make
    vneid.disarm()
    for phone in phones:
        phone.close()


def refused(phone: Phone, screen: Screen, outcome: str) -> None:
    __tracebackhide__ = True
    assert screen.name == outcome, (screen.response.status_code, screen.response.text[:600])
    assert screen.text("#tieu-de-ket-qua") and screen.text("#thong-bao-ket-qua")
    assert screen.html.css_first("a#ve-dang-nhap").attributes["href"] == "/dang-nhap"
    assert phone.account() is None, "a session remains after a refusal"


def logged_in(phone: Phone, screen: Screen) -> None:
    __tracebackhide__ = True
    assert screen.name == "LOGGED_IN", screen.response.text[:600]
    assert screen.text("#ho-ten") == L2_ACTIVE.name
    assert screen.text("#so-dinh-danh") == MASKED_L2_ACTIVE
    assert phone.account() is not None


# -- the correct RP ---------------------------------------------------------------------------

def test_one_whole_login_shows_the_person(phone_of, rps, vneid):
    phone = phone_of()
    rp = rps[None]
    handover = phone.start()
    authorize = parse_qs(urlsplit(handover.headers["location"]).query)
    assert {k: v[0] for k, v in authorize.items() if k in (
        "client_id", "redirect_uri", "response_type", "scope", "code_challenge_method",
        "acr_values")} == {
        "client_id": CLIENT_ID, "redirect_uri": rp.redirect_uri, "response_type": "code",
        "scope": "openid profile id_number", "code_challenge_method": "S256",
        "acr_values": "urn:vn:vneid:loa:2"}
    assert len(authorize["state"][0]) >= 22 and authorize["nonce"][0]
    assert len(authorize["code_challenge"][0]) == 43
    vneid.forget_requests()
    back = phone.log_in_at_vneid(L2_ACTIVE, handover)
    callback = phone.get(back)
    assert callback.status_code == 303 and callback.headers["location"] == "/tai-khoan"
    cookie = callback.headers["set-cookie"]
    assert all(flag in cookie for flag in ("HttpOnly", "Secure", "SameSite=lax"))
    assert "Domain" not in cookie
    screen = phone.open(rp.url + "/tai-khoan")
    logged_in(phone, screen)
    assert screen.text("#ma-so-bhxh") == "8423456789"
    assert vneid.token_requests() == 1
    # Userinfo asked once, after the token, with the access token as a bearer.
    [userinfo] = vneid.requests_to("/userinfo")
    assert userinfo["authorization"].lower() == "bearer" and userinfo["status"] == 200
    # Logout ends it on the server.
    assert phone.get(rp.url + "/dang-xuat").headers["location"] == "/dang-nhap"
    assert phone.account() is None
    # Nothing secret in the RP's log, nor the client secret in what the phone saw.
    code, state = parse_qs(urlsplit(back).query)["code"][0], authorize["state"][0]
    log = rp.log()
    assert "login: account 084•••••••45" in log
    for secret in (code, state, authorize["nonce"][0]):
        assert secret not in log


def test_a_callback_with_a_wrong_state_is_refused_without_session(phone_of, vneid):
    phone = phone_of()
    back = phone.log_in_at_vneid(L2_ACTIVE)
    state = parse_qs(urlsplit(back).query)["state"][0]
    vneid.forget_requests()
    screen = phone.open(with_query(back, state=tampered(state)))
    refused(phone, screen, "PROTOCOL_ERROR")
    assert screen.response.status_code == 400
    assert vneid.token_requests() == 0
    # The attempt was consumed by the refused delivery: the genuine one is refused too.
    refused(phone, phone.open(back), "PROTOCOL_ERROR")


def test_a_callback_is_accepted_once_and_only_by_the_browser_that_started(phone_of, vneid):
    phone, other = phone_of(), phone_of()
    back = phone.log_in_at_vneid(L2_ACTIVE)
    refused(other, other.open(back), "PROTOCOL_ERROR")  # another phone: not its attempt
    logged_in(phone, phone.open(back))
    phone.get(phone.rp.url + "/dang-xuat")
    vneid.forget_requests()
    refused(phone, phone.open(back), "PROTOCOL_ERROR")
    assert vneid.token_requests() == 0


@pytest.mark.parametrize(("fault", "outcome"), [
    ("WRONG_ISS", "PROTOCOL_ERROR"), ("MISSING_ISS", "PROTOCOL_ERROR"),
    ("CODE_ALREADY_USED", "PROTOCOL_ERROR"),
    ("WRONG_ISSUER", "PROTOCOL_ERROR"), ("WRONG_AUDIENCE", "PROTOCOL_ERROR"),
    ("EXTRA_UNTRUSTED_AUDIENCE", "PROTOCOL_ERROR"), ("WRONG_AZP", "PROTOCOL_ERROR"),
    ("WRONG_NONCE", "PROTOCOL_ERROR"), ("MISSING_NONCE", "PROTOCOL_ERROR"),
    ("ALG_NONE", "PROTOCOL_ERROR"), ("HS256_WITH_PUBLIC_KEY", "PROTOCOL_ERROR"),
    ("WRONG_SIGNING_KEY", "PROTOCOL_ERROR"), ("UNKNOWN_KID", "PROTOCOL_ERROR"),
    ("EXPIRED", "PROTOCOL_ERROR"), ("IAT_IN_FUTURE", "PROTOCOL_ERROR"),
    ("IAT_TOO_OLD", "PROTOCOL_ERROR"), ("MISSING_SUB", "PROTOCOL_ERROR"),
    ("MISSING_ID_NUMBER", "PROTOCOL_ERROR"),
    ("ACR_LEVEL1", "LEVEL2_REQUIRED"), ("MISSING_ACR", "LEVEL2_REQUIRED"),
])
def test_the_correct_rp_refuses_each_fault(phone_of, vneid, fault, outcome):
    vneid.arm(fault, **({"offset_seconds": 70} if fault in (
        "EXPIRED", "IAT_IN_FUTURE", "IAT_TOO_OLD") else {}))
    phone = phone_of()
    vneid.forget_requests()
    refused(phone, phone.log_in(L2_ACTIVE), outcome)
    redeemed = vneid.token_requests()
    assert redeemed == (0 if fault in ("WRONG_ISS", "MISSING_ISS") else 1)
    assert vneid.userinfo_requests() == 0  # nothing is asked with a refused token


def test_userinfo_for_another_person_refuses_the_login(phone_of, rps, vneid):
    """OIDC Core §5.3.2: userinfo's sub is not the ID token's, so its claims are not used —
    the login is refused (l1_active has an active account: it must not be opened either)."""
    vneid.arm("OTHER_PERSON", id_number=L1_ACTIVE.id_number)
    phone = phone_of()
    vneid.forget_requests()
    screen = phone.log_in(L2_ACTIVE)
    refused(phone, screen, "PROTOCOL_ERROR")
    assert screen.response.status_code == 400
    assert vneid.userinfo_requests() == 1
    assert "PROTOCOL_ERROR (userinfo_sub_mismatch)" in rps[None].log()
    assert "login: account" not in rps[None].log().split("userinfo_sub_mismatch")[-1]


def test_a_userinfo_failure_is_an_idp_error(phone_of, vneid):
    vneid.arm("SERVER_ERROR", endpoint="userinfo", status_code=503)
    phone = phone_of()
    refused(phone, phone.log_in(L2_ACTIVE), "IDP_ERROR")


def test_userinfo_is_not_asked_when_discovery_does_not_advertise_it(phone_of, rps, vneid):
    phone = phone_of(NO_USERINFO)
    handover = phone.start()  # discovery read (and cached by Authlib) here
    rps[NO_USERINFO].app.state.backend.vneid.client.server_metadata.pop("userinfo_endpoint")
    vneid.forget_requests()
    logged_in(phone, phone.open(phone.log_in_at_vneid(L2_ACTIVE, handover)))
    assert vneid.token_requests() == 1 and vneid.userinfo_requests() == 0


@pytest.mark.parametrize("status_code", [500, 503])
def test_a_token_endpoint_failure_is_an_idp_error_without_retry(phone_of, vneid, status_code):
    vneid.arm("SERVER_ERROR", endpoint="token", status_code=status_code)
    phone = phone_of()
    vneid.forget_requests()
    refused(phone, phone.log_in(L2_ACTIVE), "IDP_ERROR")
    assert vneid.token_requests() == 1


@pytest.mark.parametrize("fault", ["EXPIRED", "IAT_IN_FUTURE", "IAT_TOO_OLD"])
def test_times_within_the_skew_are_accepted(phone_of, vneid, fault):
    vneid.arm(fault, offset_seconds=50)
    phone = phone_of()
    logged_in(phone, phone.log_in(L2_ACTIVE))


@pytest.mark.parametrize(("person", "outcome"), [
    (L2_NO_VSSID, "NO_VSSID_ACCOUNT"), (L2_PENDING, "VSSID_PENDING"),
    (L2_LOCKED, "VSSID_LOCKED"),
])
def test_the_vssid_account_decides(phone_of, person, outcome):
    phone = phone_of()
    refused(phone, phone.log_in(person), outcome)


def test_a_level1_person_is_refused(phone_of):
    phone = phone_of()
    handover = phone.start()  # VNeID refuses a level 1 account before its consent screen
    page = phone.get(handover.headers["location"])
    page = phone._submit(page, "login-form", {"id_number": L1_ACTIVE.id_number,
                                              "password": L1_ACTIVE.password})
    answer = phone._submit(page, "passcode-form", {"passcode": L1_ACTIVE.passcode})
    assert answer.status_code in (302, 303)
    assert "error=unmet_authentication_requirements" in answer.headers["location"]
    refused(phone, phone.open(answer.headers["location"]), "LEVEL2_REQUIRED")


@pytest.mark.parametrize(("error", "outcome"), [
    ("access_denied", "CANCELLED"), ("consent_required", "CANCELLED"),
    ("unmet_authentication_requirements", "LEVEL2_REQUIRED"),
    ("login_required", "IDP_ERROR"), ("interaction_required", "IDP_ERROR"),
    ("server_error", "IDP_ERROR"), ("temporarily_unavailable", "IDP_ERROR"),
    ("something_else", "IDP_ERROR"),
])
def test_error_responses_end_on_their_screen(phone_of, rps, vneid, error, outcome):
    phone = phone_of()
    state = parse_qs(urlsplit(phone.start().headers["location"]).query)["state"][0]
    back = rps[None].redirect_uri + "?" + urlencode({
        "error": error, "error_description": "<b>ignored</b>", "state": state,
        "iss": vneid.issuer})
    screen = phone.open(back)
    refused(phone, screen, outcome)
    assert "<b>ignored</b>" not in screen.response.text and "ignored" not in screen.response.text


def test_an_error_response_with_a_wrong_state_is_a_protocol_error(phone_of, rps, vneid):
    phone = phone_of()
    state = parse_qs(urlsplit(phone.start().headers["location"]).query)["state"][0]
    back = rps[None].redirect_uri + "?" + urlencode({
        "error": "access_denied", "state": tampered(state), "iss": vneid.issuer})
    refused(phone, phone.open(back), "PROTOCOL_ERROR")


@pytest.mark.parametrize(("version", "allowed"), [
    ("1.6.7", True), ("1.6.10", True), ("1.7", True), ("1.6.7+build.9", True),
    ("1.6.6", False), ("1.6", False), ("1.6.7-beta", False), ("banana", False), ("", False),
])
def test_the_version_gate(phone_of, version, allowed):
    phone = phone_of()
    answer = phone.start(version)
    if allowed:
        assert answer.status_code == 303
    else:
        assert answer.status_code == 200
        assert Screen(answer).name == "VSSID_UPDATE_REQUIRED"
        assert Screen(answer).html.css_first("a#lien-ket-cua-hang") is not None


def test_the_form_field_carries_the_version_without_the_header(phone_of, rps):
    phone = phone_of()
    answer = phone.post(rps[None].url + "/dang-nhap/vneid", data={"ver": "1.6.6"})
    assert Screen(answer).name == "VSSID_UPDATE_REQUIRED"
    assert phone.start().status_code == 303  # the page's own "1.7.0"


@pytest.mark.parametrize("suffix", ["/", "x", "/extra", ";jsessionid=1"])
def test_only_the_exact_callback_path_is_the_callback(phone_of, vneid, suffix):
    phone = phone_of()
    back = phone.log_in_at_vneid(L2_ACTIVE)
    parts = urlsplit(back)
    answer = phone.get(urlunsplit(parts._replace(path=parts.path + suffix)))
    assert answer.status_code == 404 and Screen(answer).name == "ERROR"
    assert phone.account() is None


def test_no_500_for_odd_requests(phone_of, rps):
    phone = phone_of()
    url = rps[None].url
    odd = [
        phone.get(url + "/auth/return"),
        phone.get(url + "/auth/return?state=%ff%fe&code=%00&iss=\u00e9"),
        phone.get(url + "/auth/return?state=a&state=b&code=c"),
        phone.post(url + "/auth/return"),
        phone.get(url + "/khong-co"),
    ]
    for answer in odd:
        assert 400 <= answer.status_code < 500, (answer.request.url, answer.status_code)
        assert "Traceback" not in answer.text and Screen(answer).name != "UNKNOWN"
    # An unreadable start form carries no version: the update screen, not an error.
    garbled = phone.post(url + "/dang-nhap/vneid", content=b"\xff\xfe=\x00",
                         headers={"content-type": "multipart/form-data; boundary=x"})
    assert Screen(garbled).name == "VSSID_UPDATE_REQUIRED"


def test_the_account_page_needs_a_session(phone_of, rps):
    answer = phone_of().get(rps[None].url + "/tai-khoan")
    assert answer.status_code == 303 and answer.headers["location"] == "/dang-nhap"


def test_app_link_association_files(phone_of, rps):
    phone = phone_of()
    rp = rps[None]
    links = phone.get(rp.url + "/.well-known/assetlinks.json")
    apple = phone.get(rp.url + "/.well-known/apple-app-site-association")
    for answer in (links, apple):
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/json")
    statement = links.json()[0]
    assert statement["relation"] == ["delegate_permission/common.handle_all_urls"]
    assert statement["target"]["package_name"] == "com.bhxhapp"
    assert re.fullmatch(r"(?:[0-9A-F]{2}:){31}[0-9A-F]{2}",
                        statement["target"]["sha256_cert_fingerprints"][0])
    assert apple.json() == {"applinks": {"details": [{
        "appIDs": ["TESTTEAM01.com.bhxhapp"], "components": [{"/": "/auth/return"}]}]}}


def test_no_client_secret_reaches_the_phone(phone_of, rps, client_secret):
    phone = phone_of()
    pages = [phone.get(rps[None].url + "/dang-nhap"), phone.start()]
    assert all(client_secret not in page.text and client_secret not in str(page.headers)
               for page in pages)


# -- each defect changes exactly what it names ------------------------------------------------

def _login_with_fault(phone: Phone, vneid: StubVneid, fault: str, **settings) -> Screen:
    vneid.arm(fault, **settings)
    return phone.log_in(L2_ACTIVE)


@pytest.mark.parametrize(("defect", "fault", "settings"), [
    ("acr_ignored", "ACR_LEVEL1", {}),
    ("id_token_iss_unchecked", "WRONG_ISSUER", {}),
    ("aud_unchecked", "WRONG_AUDIENCE", {}),
    ("exp_unchecked", "EXPIRED", {"offset_seconds": 3600}),
    ("nonce_unchecked", "WRONG_NONCE", {}),
    ("iss_param_unchecked", "WRONG_ISS", {}),
    ("alg_none_accepted", "ALG_NONE", {}),
])
def test_a_defect_accepts_the_fault_it_names(phone_of, vneid, defect, fault, settings):
    phone = phone_of(defect)
    logged_in(phone, _login_with_fault(phone, vneid, fault, **settings))


def test_state_unchecked_accepts_a_wrong_state(phone_of):
    phone = phone_of("state_unchecked")
    back = phone.log_in_at_vneid(L2_ACTIVE)
    state = parse_qs(urlsplit(back).query)["state"][0]
    logged_in(phone, phone.open(with_query(back, state=tampered(state))))


def test_link_by_name_opens_a_namesakes_account(phone_of, vneid):
    vneid.put_persona("namesake", NAMESAKE)
    correct = phone_of()
    refused(correct, correct.log_in(NAMESAKE), "NO_VSSID_ACCOUNT")
    phone = phone_of("link_by_name")
    logged_in(phone, phone.log_in(NAMESAKE))  # the holder's account, another person


def test_open_redirect_follows_next(phone_of):
    for defect, leaves in ((None, False), ("open_redirect", True)):
        phone = phone_of(defect)
        back = with_query(phone.log_in_at_vneid(L2_ACTIVE), next="https://attacker.invalid/x")
        answer = phone.get(back)
        assert answer.status_code == 303
        assert (answer.headers["location"] == "https://attacker.invalid/x") is leaves


def test_token_in_url_puts_the_access_token_in_the_home_url(phone_of):
    for defect in (None, "token_in_url"):
        phone = phone_of(defect)
        answer = phone.get(phone.log_in_at_vneid(L2_ACTIVE))
        location = answer.headers["location"]
        if defect is None:
            assert location == "/tai-khoan"
        else:
            assert location.startswith("/tai-khoan?ref=") and len(location) > 30
            logged_in(phone, phone.open(urljoin(phone.rp.url, location)))


def test_code_in_log_writes_the_code(phone_of):
    for defect in (None, "code_in_log"):
        phone = phone_of(defect)
        back = phone.log_in_at_vneid(L2_ACTIVE)
        logged_in(phone, phone.open(back))
        code = parse_qs(urlsplit(back).query)["code"][0]
        assert (code in phone.rp.log()) is (defect is not None)


def test_session_kept_after_error_keeps_a_refused_session(phone_of):
    phone = phone_of("session_kept_after_error")
    screen = phone.log_in(L2_PENDING)
    assert screen.name == "VSSID_PENDING"
    account = phone.account()
    assert account is not None and account.text("#ho-ten") == L2_PENDING.name


def test_callback_reused_redeems_a_second_delivery(phone_of, vneid):
    phone = phone_of("callback_reused")
    back = phone.log_in_at_vneid(L2_ACTIVE)
    logged_in(phone, phone.open(back))
    phone.get(phone.rp.url + "/dang-xuat")
    vneid.forget_requests()
    # The attempt is still there: the code goes to VNeID again (which refuses the replay).
    phone.open(back)
    assert vneid.token_requests() == 1


def test_userinfo_sub_unchecked_logs_in_as_the_person_userinfo_names(phone_of, vneid):
    phone = phone_of("userinfo_sub_unchecked")
    logged_in(phone, phone.log_in(L2_ACTIVE))  # userinfo for the same person: as before
    other = phone_of("userinfo_sub_unchecked")
    vneid.arm("OTHER_PERSON", id_number=L1_ACTIVE.id_number)
    screen = other.log_in(L2_ACTIVE)  # the ID token is L2_ACTIVE's; userinfo says L1_ACTIVE
    assert screen.name == "LOGGED_IN", screen.response.text[:600]
    assert screen.text("#ho-ten") == L1_ACTIVE.name
    assert screen.text("#so-dinh-danh") == MASKED_L1_ACTIVE


def test_version_as_text_refuses_1_6_10(phone_of):
    assert phone_of().start("1.6.10").status_code == 303
    answer = phone_of("version_as_text").start("1.6.10")
    assert Screen(answer).name == "VSSID_UPDATE_REQUIRED"


def test_an_unknown_defect_exits_2_with_a_message(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "interop.authlib_rp", "--issuer", "https://127.0.0.1:9",
         "--client-id", "x", "--ca-file", __file__, "--tls-cert", __file__,
         "--tls-key", __file__, "--accounts", __file__, "--log-file",
         str(tmp_path / "log"), "--defect", "no_such_defect"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=30,
        env={**os.environ, "RP_CLIENT_SECRET": "s"})
    assert result.returncode == 2
    assert "no_such_defect" in result.stderr and "Traceback" not in result.stderr
