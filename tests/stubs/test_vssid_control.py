"""The reference VssID's control plane: the shared one (stubs/control_plane.py) under /_stub,
present only with a token, answering the same verbs as the stub VNeID's."""

from __future__ import annotations

import pytest

from stubs.control_plane import Controlled
from stubs.vssid.defects import CATALOGUE
from tests.stubs.vssid_rig import Rig, vssid_config

pytestmark = pytest.mark.anyio

TOKEN = "vssid-control-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}



def controlled(**overrides) -> Rig:
    return Rig(vssid_config(control_token=TOKEN, **overrides))


@pytest.mark.parametrize("path", ["/_stub/reset", "/_stub/state", "/_stub/defects",
                                  "/_stub/clock", "/_stub/requests", "/_stub/health"])
async def test_without_a_token_there_is_no_control_plane(path):
    async with Rig() as rig:
        response = await rig.vssid.request("POST" if path.endswith("reset") else "GET", path,
                                           headers=AUTH)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"  # JSON, not the app's HTML error page


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": f"Basic {TOKEN}"}])
async def test_every_verb_but_health_needs_the_bearer_token(headers):
    async with controlled() as rig:
        assert (await rig.vssid.get("/_stub/health")).json() == {"status": "ok"}
        response = await rig.vssid.get("/_stub/state", headers=headers)
    assert response.status_code == 401 and response.json()["error"] == "invalid_token"


async def test_the_shared_state_is_the_controlled_object():
    async with controlled() as rig:
        state = rig.vssid_app.state.control
        assert state is rig.state and isinstance(state, Controlled)
        assert state.defect_catalogue is CATALOGUE


async def test_defects_list_what_each_breaks():
    async with controlled(defects=frozenset({"logout_keeps_session", "token_in_url"})) as rig:
        listed = (await rig.vssid.get("/_stub/defects", headers=AUTH)).json()["defects"]
    assert listed == [
        {"name": "logout_keeps_session",
         "requirement": CATALOGUE["logout_keeps_session"].requirement,
         "recommendation": CATALOGUE["logout_keeps_session"].recommendation},
        {"name": "token_in_url", "requirement": "RP-01", "recommendation": None}]


async def test_the_clock_moves_an_attempt_past_its_lifetime():
    """The VssID's default clock is a StubClock: /_stub/clock moves it, and an attempt older
    than attempt_ttl_seconds is refused (RP-19) without anyone sleeping."""
    async with controlled(attempt_ttl_seconds=60) as rig:
        started = await rig.start()
        handback = await rig.authorize(started)
        moved = await rig.vssid.post("/_stub/clock", json={"advance_seconds": 61}, headers=AUTH)
        assert moved.json()["offset_seconds"] == 61
        screen = await rig.callback(handback)
        assert "/app/home" not in (screen.headers.get("location") or "")
        back = await rig.vssid.delete("/_stub/clock", headers=AUTH)
        assert back.json()["offset_seconds"] == 0


async def test_requests_are_logged_redacted_and_the_control_plane_is_not():
    async with controlled() as rig:
        handback = await rig.authorize(await rig.start())
        await rig.callback(handback)
        logged = (await rig.vssid.get("/_stub/requests", headers=AUTH)).json()["requests"]
        paths = [entry["path"] for entry in logged]
        assert paths[:1] == ["/app/vneid/start"] and rig.config.redirect_path in paths
        assert not any(p.startswith("/_stub") for p in paths)
        text = str(logged)
        code = dict(p.split("=", 1) for p in handback.headers["location"].split("?", 1)[1]
                    .split("&"))["code"]
        assert code not in text and "[redacted" in text
        assert (await rig.vssid.delete("/_stub/requests", headers=AUTH)).json() == {
            "requests": []}


async def test_a_bad_control_body_gets_an_oauth_error():
    async with controlled() as rig:
        for body, kind in ((b"{", "application/json"), (b"{}", "text/plain"),
                           (b'{"advance_seconds": -1}', "application/json")):
            response = await rig.vssid.post("/_stub/clock", content=body, headers={
                **AUTH, "Content-Type": kind})
            assert response.status_code == 400
            assert response.json()["error"] == "invalid_request"


async def test_the_prefix_is_configurable():
    async with controlled(control_prefix="/_kit") as rig:
        assert (await rig.vssid.get("/_kit/state", headers=AUTH)).status_code == 200
        assert (await rig.vssid.get("/_stub/state", headers=AUTH)).status_code == 404
