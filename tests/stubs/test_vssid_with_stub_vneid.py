"""Every oracle outcome reached through HTTP, with the reference VssID and the stub VNeID."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import httpx
import pytest

from tests.stubs.vssid_rig import CLIENT_SECRET, VSSID_BASE, read_screen, vssid_config

vneid_app = pytest.importorskip("stubs.vneid.app")
vneid_config = pytest.importorskip("stubs.vneid.config")

pytestmark = pytest.mark.anyio

VNEID_ISSUER = "https://vneid.test"

_FORM = re.compile(r'<form method="post" action="([^"]+)"')
_TX = re.compile(r'name="tx" value="([^"]+)"')
_MARKERS = re.compile(r'<body data-screen="([^"]+)"(?: data-outcome="([^"]+)")?')

# key: (id_number, password, passcode, decision, VNeID device, VssID version, outcome)
JOURNEYS = {
    "l2_active": ("084190012345", "Matkhau@2023", "246810", "approve", {}, "1.6.7",
                  "LOGGED_IN"),
    "old_vssid": ("084190012345", "Matkhau@2023", "246810", "approve", {}, "1.6.6",
                  "VSSID_UPDATE_REQUIRED"),
    "vneid_missing": ("084190012345", "Matkhau@2023", "246810", "approve",
                      {"vneid_installed": "0"}, "1.6.7", "VNEID_NOT_INSTALLED"),
    "old_vneid": ("084190012345", "Matkhau@2023", "246810", "approve",
                  {"vneid_version": "2.0.9"}, "1.6.7", "VNEID_UPDATE_REQUIRED"),
    "l2_vneid_locked": ("031075002468", "Huy&Do1975", "271828", "approve", {}, "1.6.7",
                        "VNEID_LOCKED"),
    "wrong_password": ("084190012345", "Sai@Matkhau1", "246810", "approve", {}, "1.6.7",
                       "VNEID_BAD_CREDENTIALS"),
    "l1_active": ("001095004321", "Binh@Tran95", "135790", "approve", {}, "1.6.7",
                  "LEVEL2_REQUIRED"),
    "declined": ("084190012345", "Matkhau@2023", "246810", "decline", {}, "1.6.7",
                 "CANCELLED"),
    "l2_no_vssid": ("079088006789", "Nam!Le1988", "864209", "approve", {}, "1.6.7",
                    "NO_VSSID_ACCOUNT"),
    "l2_vssid_pending": ("048201000567", "Khoa$2001pm", "112358", "approve", {}, "1.6.7",
                         "VSSID_PENDING"),
    "l2_vssid_locked": ("092185007777", "Lan%Vo1985", "314159", "approve", {}, "1.6.7",
                        "VSSID_LOCKED"),
}



class Phone:
    """Both apps on one simulated phone, each reached in-process on its own origin."""

    def __init__(self) -> None:
        config = vneid_config.load_config(None, issuer=VNEID_ISSUER, clients=(
            vneid_config.ClientRegistration(
                "vssid", "VssID – Bảo hiểm xã hội Việt Nam", CLIENT_SECRET,
                (VSSID_BASE + "/app/vneid/callback",)),
        ))
        self.vneid_asgi = vneid_app.create_app(config)
        from stubs.vssid.app import create_app

        self.vssid_app = create_app(vssid_config(issuer=VNEID_ISSUER),
                                    http_transport=httpx.ASGITransport(self.vneid_asgi))
        self.vssid = httpx.AsyncClient(transport=httpx.ASGITransport(self.vssid_app),
                                       base_url=VSSID_BASE)
        self.vneid = httpx.AsyncClient(transport=httpx.ASGITransport(self.vneid_asgi),
                                       base_url=VNEID_ISSUER)

    async def close(self) -> None:
        await self.vssid.aclose()
        await self.vneid.aclose()
        await self.vssid_app.state.vssid.provider.aclose()

    async def open(self, url: str) -> httpx.Response:
        """Navigate to an absolute URL on either app, following redirects across origins."""
        for _ in range(10):
            parts = urlsplit(url)
            client = self.vneid if url.startswith(VNEID_ISSUER) else self.vssid
            response = await client.get(parts.path + ("?" + parts.query if parts.query else ""))
            if response.status_code not in (302, 303, 307):
                return response
            url = response.headers["location"]
            if url.startswith("/"):
                url = str(client.base_url).rstrip("/") + url
        raise AssertionError("redirect loop")

    async def submit(self, page: httpx.Response, fields: dict) -> httpx.Response:
        """Post the VNeID screen's form with its hidden tx, then follow the redirects."""
        action = html.unescape(_FORM.search(page.text)[1])
        tx = html.unescape(_TX.search(page.text)[1])
        response = await self.vneid.post(urlsplit(action).path, data={"tx": tx, **fields})
        if response.status_code in (302, 303):
            return await self.open(response.headers["location"])
        return response


def _markers(response: httpx.Response) -> tuple[str | None, str | None]:
    match = _MARKERS.search(response.text)
    return (match[1], match[2]) if match else (None, None)


async def _journey(phone: Phone, key: str) -> tuple[str, str | None, httpx.Response]:
    id_number, password, passcode, decision, device, version, _ = JOURNEYS[key]
    if device:
        await phone.vneid.get("/_device", params=device)
    await phone.vssid.get("/_device", params={"vssid_version": version})
    login = await phone.vssid.get("/app/login")
    if 'data-testid="vneid-login"' not in login.text:
        # The app does not offer the button; the backend must refuse a direct call too.
        page = await phone.vssid.post("/app/vneid/start", data={"app_version": version})
        return *_markers(page), page
    started = await phone.vssid.post("/app/vneid/start", data={"app_version": version})
    page = await phone.open(started.headers["location"])
    steps = [{"id_number": id_number, "password": password}, {"passcode": passcode},
             {"decision": decision}]
    for fields in steps:
        screen, outcome = _markers(page)
        if outcome or screen.startswith("vssid"):
            break
        page = await phone.submit(page, fields)
    return *_markers(page), page


@pytest.mark.parametrize("key", sorted(JOURNEYS))
async def test_oracle_outcome_end_to_end(key: str) -> None:
    expected = JOURNEYS[key][-1]
    phone = Phone()
    try:
        screen, outcome, page = await _journey(phone, key)
        assert outcome == expected, (screen, page.text[:2000])
        session = (await phone.vssid.get("/api/session")).json()
        assert session["logged_in"] is (expected == "LOGGED_IN")
        if expected == "LOGGED_IN":
            assert screen == "vssid-home"
            assert session == {"logged_in": True, "id_number_masked": "084******345",
                               "name": "Nguyễn Thị Thu Hà",
                               "social_insurance_code": "8423456789"}
        elif screen.startswith("vssid"):
            assert read_screen(page).outcome == expected
    finally:
        await phone.close()
