"""Test-side driver of the stub VNeID: builds an in-process stub and follows its screens."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from fixtures.pkce import new_pair
from stubs.vneid.app import create_app
from stubs.vneid.config import ClientRegistration, VneidConfig

ISSUER = "https://127.0.0.1:8443"
CLIENT_ID = "vssid"
CLIENT_NAME = "VssID – Bảo hiểm xã hội Việt Nam"
CLIENT_SECRET = "test-secret-" + secrets.token_hex(8)
REDIRECT_URI = "https://127.0.0.1:9443/app/vneid/callback"
CONTROL_TOKEN = "control-" + secrets.token_hex(8)
LEVEL2 = "urn:vn:vneid:loa:2"
LEVEL1 = "urn:vn:vneid:loa:1"
FORM = {"content-type": "application/x-www-form-urlencoded"}

# The personas of docs/personas.md that the tests log in as.
L2_ACTIVE = {"id_number": "084190012345", "password": "Matkhau@2023", "passcode": "246810",
             "name": "Nguyễn Thị Thu Hà", "birthdate": "1990-04-12"}
L1_ACTIVE = {"id_number": "001095004321", "password": "Binh@Tran95", "passcode": "135790"}
L2_LOCKED = {"id_number": "031075002468", "password": "Huy&Do1975", "passcode": "271828"}
L2_REVOKED = {"id_number": "038199001357", "password": "Mai*Hoang99", "passcode": "161803"}


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_760_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def stub_config(**overrides: Any) -> VneidConfig:
    """The config of a stub with the VssID client registered and the control plane on."""
    client = ClientRegistration(client_id=CLIENT_ID, client_name=CLIENT_NAME,
                                client_secret=CLIENT_SECRET, redirect_uris=(REDIRECT_URI,))
    values: dict[str, Any] = {"issuer": ISSUER, "clients": (client,),
                              "control_token": CONTROL_TOKEN}
    values.update(overrides)
    return VneidConfig(**values)


def pkce_pair() -> tuple[str, str]:
    """A fresh S256 verifier and challenge."""
    return new_pair()  # the kit's (fixtures/pkce.py), independent of the stubs' own


@dataclass
class Screen:
    """What a test needs to read off a rendered screen."""

    status: int
    screen: str | None
    outcome: str | None
    testids: dict[str, dict[str, str]]
    hidden: dict[str, str]
    form_action: str | None
    text: str

    def has(self, testid: str) -> bool:
        """Whether an element with this data-testid is on the screen."""
        return testid in self.testids


class _ScreenParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.body: dict[str, str] = {}
        self.testids: dict[str, dict[str, str]] = {}
        self.hidden: dict[str, str] = {}
        self.form_action: str | None = None
        self.html_lang: str | None = None
        self.viewport = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "body":
            self.body = a
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "meta" and a.get("name") == "viewport":
            self.viewport = True
        if tag == "form" and self.form_action is None:
            self.form_action = a.get("action")
        if tag == "input" and a.get("type") == "hidden":
            self.hidden[a.get("name", "")] = a.get("value", "")
        if "data-testid" in a:
            self.testids[a["data-testid"]] = a


def read_screen(response: httpx.Response) -> Screen:
    """Parse a screen response; asserts the contract every screen keeps."""
    parser = _ScreenParser()
    parser.feed(response.text)
    assert parser.html_lang == "vi", "every screen is <html lang=vi>"
    assert parser.viewport, "every screen has the mobile viewport meta"
    return Screen(response.status_code, parser.body.get("data-screen"),
                  parser.body.get("data-outcome"), parser.testids, parser.hidden,
                  parser.form_action, response.text)


def callback_params(response: httpx.Response) -> dict[str, str]:
    """The single-valued query parameters of a redirect back to the relying party."""
    assert response.status_code in (302, 303), f"expected a redirect, got {response.status_code}"
    location = response.headers["location"]
    assert location.startswith(REDIRECT_URI), location
    params = parse_qs(urlsplit(location).query, keep_blank_values=True)
    assert all(len(v) == 1 for v in params.values()), params
    return {k: v[0] for k, v in params.items()}


@dataclass
class LoginFlow:
    """One person's trip through the VNeID screens, as a browser would make it."""

    client: httpx.AsyncClient
    verifier: str = ""
    state: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(16))

    def authorize_params(self, **overrides: str | None) -> dict[str, str]:
        """A correct authorization request, with some parameters changed or removed (None)."""
        self.verifier, challenge = pkce_pair()
        params: dict[str, str | None] = {
            "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI,
            "scope": "openid profile id_number", "state": self.state, "nonce": self.nonce,
            "code_challenge": challenge, "code_challenge_method": "S256",
            "acr_values": LEVEL2,
        }
        params.update(overrides)
        return {k: v for k, v in params.items() if v is not None}

    async def open(self, **overrides: str | None) -> httpx.Response:
        """GET /authorize (the app link)."""
        return await self.client.get("/authorize?" + urlencode(self.authorize_params(**overrides)))

    async def submit(self, screen: Screen, **fields: str) -> httpx.Response:
        """POST the screen's form with its hidden fields plus the given ones."""
        assert screen.form_action, f"screen {screen.screen} has no form"
        return await self.client.post(screen.form_action, data={**screen.hidden, **fields})

    async def login_until_consent(self, person: dict[str, str], **overrides: str | None) -> Screen:
        """Authorize, log in, enter the passcode; the screen that follows."""
        login = read_screen(await self.open(**overrides))
        assert login.screen == "vneid-login", login.screen
        passcode = read_screen(await self.submit(
            login, id_number=person["id_number"], password=person["password"]))
        assert passcode.screen == "vneid-passcode", passcode.screen
        return read_screen(await self.submit(passcode, passcode=person["passcode"]))

    async def code_for(self, person: dict[str, str], **overrides: str | None) -> dict[str, str]:
        """A full approved login; the callback parameters."""
        consent = await self.login_until_consent(person, **overrides)
        assert consent.screen == "vneid-consent", consent.screen
        return callback_params(await self.submit(consent, decision="approve"))

    async def redeem(self, code: str, *, verifier: str | None = None,
                     **form: str) -> httpx.Response:
        """POST /token with client_secret_basic."""
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
                "code_verifier": self.verifier if verifier is None else verifier, **form}
        return await self.client.post("/token", data=data, auth=(CLIENT_ID, CLIENT_SECRET))


def stub_client(config: VneidConfig | None = None, **create: Any) -> httpx.AsyncClient:
    """An httpx client wired in-process to a fresh stub (no sockets)."""
    app = create_app(config or stub_config(), **create)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ISSUER)
    client.app = app  # type: ignore[attr-defined]
    return client


def control_headers() -> dict[str, str]:
    """The bearer header of the control plane."""
    return {"authorization": f"Bearer {CONTROL_TOKEN}"}


@dataclass
class RawResponse:
    """A response read straight off the ASGI app."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


async def raw_request(app: Any, method: str, path: str, *, query: bytes = b"",
                      body: bytes = b"", headers: dict[str, str] | None = None) -> RawResponse:
    """Send exact bytes to the app (HTTP clients refuse to send some malformed input)."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "https", "path": path, "raw_path": path.encode("utf-8", "surrogateescape"),
        "query_string": query, "root_path": "", "server": ("127.0.0.1", 8443),
        "client": ("127.0.0.1", 50000),
        "headers": [(b"host", b"127.0.0.1:8443")] + [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()
        ],
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict] = []

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    payload = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    head = {k.decode("latin-1"): v.decode("latin-1") for k, v in start.get("headers", [])}
    return RawResponse(start["status"], head, payload)
