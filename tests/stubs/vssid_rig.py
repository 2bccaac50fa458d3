"""In-process wiring of a reference VssID to an IdP app, and a phone that walks the flow."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
from starlette.applications import Starlette

from stubs.vssid.app import create_app
from stubs.vssid.config import VssidConfig, load_config
from tests.stubs.vssid_fake_idp import ISSUER, FakeIdp

VSSID_BASE = "https://vssid.test"
CLIENT_SECRET = "test-secret-" + "x" * 20

_SCREEN = re.compile(r'<body data-screen="([^"]+)"(?: data-outcome="([^"]+)")?'
                     r'(?: data-reason="([^"]+)")?')


@dataclass(frozen=True)
class Screen:
    """What a response shows: its data-screen / data-outcome / data-reason markers."""

    status: int
    screen: str | None
    outcome: str | None
    reason: str | None
    text: str
    location: str | None


def read_screen(response: httpx.Response) -> Screen:
    """Parse a VssID response into its screen markers."""
    match = _SCREEN.search(response.text) if "html" in response.headers.get(
        "content-type", "") else None
    return Screen(
        status=response.status_code,
        screen=match[1] if match else None,
        outcome=match[2] if match else None,
        reason=match[3] if match else None,
        text=response.text,
        location=response.headers.get("location"),
    )


def vssid_config(issuer: str = ISSUER, **overrides) -> VssidConfig:
    """A VssID config for in-process tests."""
    return load_config(None, base_url=VSSID_BASE, issuer=issuer, client_secret=CLIENT_SECRET,
                       **overrides)


class Rig:
    """One VssID app and one IdP app, with a browser-like client for each origin."""

    def __init__(self, config: VssidConfig | None = None, *, idp: FakeIdp | None = None,
                 idp_app: Starlette | None = None, idp_base: str = ISSUER,
                 clock=None) -> None:
        self.config = config or vssid_config()
        self.idp = idp or (FakeIdp(client_id=self.config.client_id,
                                   client_secret=self.config.client_secret)
                           if idp_app is None else None)
        idp_asgi = idp_app if idp_app is not None else self.idp.app
        self.vssid_app = create_app(self.config, http_transport=httpx.ASGITransport(idp_asgi),
                                    clock=clock)
        self.vssid = httpx.AsyncClient(transport=httpx.ASGITransport(self.vssid_app),
                                       base_url=VSSID_BASE)
        self.browser_idp = httpx.AsyncClient(transport=httpx.ASGITransport(idp_asgi),
                                             base_url=idp_base)

    @property
    def state(self):
        """The running app's in-memory state (read only by assertions)."""
        return self.vssid_app.state.vssid

    async def __aenter__(self) -> Rig:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.vssid.aclose()
        await self.browser_idp.aclose()
        await self.state.provider.aclose()

    async def start(self, app_version: str | None = "1.6.7") -> httpx.Response:
        """Tap the VNeID button: POST /app/vneid/start."""
        data = {} if app_version is None else {"app_version": app_version}
        return await self.vssid.post("/app/vneid/start", data=data)

    async def authorize(self, start_response: httpx.Response) -> httpx.Response:
        """Follow the app link to the IdP; returns its hand-back redirect."""
        assert start_response.status_code == 303, start_response.text[:500]
        location = start_response.headers["location"]
        parts = urlsplit(location)
        return await self.browser_idp.get(parts.path + "?" + parts.query)

    async def callback(self, handback: httpx.Response | str) -> httpx.Response:
        """Deliver the hand-back redirect (or a raw callback URL) to VssID."""
        location = handback if isinstance(handback, str) else handback.headers["location"]
        parts = urlsplit(location)
        return await self.vssid.get(parts.path + ("?" + parts.query if parts.query else ""))

    async def login(self, app_version: str = "1.6.7") -> Screen:
        """The whole hand-over; returns the callback's screen (or its redirect)."""
        started = await self.start(app_version)
        handback = await self.authorize(started)
        return read_screen(await self.callback(handback))

    async def session(self) -> dict:
        """GET /api/session for this browser."""
        return (await self.vssid.get("/api/session")).json()


def query_of(url: str) -> dict[str, list[str]]:
    """The parsed query of a URL."""
    return parse_qs(urlsplit(url).query, keep_blank_values=True)
