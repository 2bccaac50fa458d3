"""The control plane: bearer protection, reset, personas, clients, key rotation, request log."""

from __future__ import annotations

import json

import pytest
from joserfc import jwk, jwt

from stubs.clock import StubClock
from stubs.vneid.defects import CATALOGUE
from tests.stubs.vneid_flow import (
    CLIENT_SECRET,
    CONTROL_TOKEN,
    L2_ACTIVE,
    FakeClock,
    LoginFlow,
    control_headers,
    read_screen,
    stub_client,
    stub_config,
)

pytestmark = pytest.mark.anyio



NEW_PERSONA = {
    "id_number": "001299000001", "name": "Ngô Thị Lụa", "birthdate": "1999-01-01", "sex": "F",
    "level": 2, "status": "active", "password": "Lua@Ngo1999", "passcode": "909090",
    "social_insurance_code": "0100000001",
}


@pytest.mark.parametrize("headers", [{}, {"authorization": "Bearer wrong"},
                                     {"authorization": "Basic abc"}])
async def test_control_plane_needs_its_bearer_token(headers):
    async with stub_client() as client:
        response = await client.get("/_stub/personas", headers=headers)
    assert response.status_code == 401 and response.json()["error"] == "invalid_token"


async def test_control_plane_is_absent_without_a_token():
    async with stub_client(stub_config(control_token=None)) as client:
        response = await client.post("/_stub/reset", headers=control_headers())
    assert response.status_code == 404


async def test_personas_file_holds_the_nine_documented_people():
    async with stub_client() as client:
        personas = (await client.get("/_stub/personas", headers=control_headers())).json()
    by_key = {p["key"]: p for p in personas["personas"]}
    assert len(by_key) == 9
    assert {(p["level"], p["status"]) for p in by_key.values()} == {
        (lvl, st) for lvl in (1, 2) for st in ("active", "locked", "revoked")}
    assert by_key["l1_active"]["id_number"] == "001095004321"
    assert by_key["l2_active"]["social_insurance_code"] == "8423456789"


async def test_a_persona_added_at_run_time_can_log_in_and_reset_removes_it():
    person = {**NEW_PERSONA}
    async with stub_client() as client:
        put = await client.put("/_stub/personas/new_one", json=person, headers=control_headers())
        assert put.status_code == 200
        params = await LoginFlow(client).code_for(person)
        await client.post("/_stub/personas/reset", headers=control_headers())
        flow = LoginFlow(client)
        login = read_screen(await flow.open())
        after = read_screen(await flow.submit(login, id_number=person["id_number"],
                                              password=person["password"]))
    assert params["code"]
    assert after.outcome == "VNEID_BAD_CREDENTIALS"


async def test_replacing_a_persona_changes_its_state():
    async with stub_client() as client:
        personas = (await client.get("/_stub/personas", headers=control_headers())).json()
        record = next(p for p in personas["personas"] if p["key"] == "l2_active")
        record.pop("failed_attempts")
        await client.put("/_stub/personas/l2_active", headers=control_headers(),
                         json={**record, "status": "revoked"})
        flow = LoginFlow(client)
        screen = read_screen(await flow.submit(read_screen(await flow.open()),
                                               id_number=L2_ACTIVE["id_number"],
                                               password=L2_ACTIVE["password"]))
    assert screen.outcome == "VNEID_LOCKED"


@pytest.mark.parametrize(
    "change",
    [{"id_number": "12345678901"}, {"level": 3}, {"status": "frozen"}, {"passcode": "12345"},
     {"birthdate": "1999-13-01"}, {"extra": 1}, {"key": "other"}, {"level": "2"},
     {"phone_number": "+84912000101"}, {"phone_number": 912000101}],
)
async def test_invalid_personas_are_refused_naming_the_field(change):
    async with stub_client() as client:
        response = await client.put("/_stub/personas/new_one", headers=control_headers(),
                                    json={**NEW_PERSONA, **change})
    assert response.status_code == 400
    field = next(iter(change))
    assert field in response.json()["error_description"]


async def test_deleting_a_persona():
    async with stub_client() as client:
        deleted = await client.delete("/_stub/personas/l2_active", headers=control_headers())
        again = await client.delete("/_stub/personas/l2_active", headers=control_headers())
    assert deleted.status_code == 200 and again.status_code == 404


async def test_clients_can_be_registered_and_removed():
    body = {"client_name": "Ứng dụng thử", "client_secret": "s",
            "redirect_uris": ["https://rp.test/cb"]}
    async with stub_client() as client:
        put = await client.put("/_stub/clients/rp", json=body, headers=control_headers())
        listed = (await client.get("/_stub/clients", headers=control_headers())).json()
        flow = LoginFlow(client)
        login = read_screen(await flow.open(client_id="rp", redirect_uri="https://rp.test/cb"))
        await client.delete("/_stub/clients/rp", headers=control_headers())
        gone = read_screen(await flow.open(client_id="rp", redirect_uri="https://rp.test/cb"))
    assert put.status_code == 200
    assert {c["client_id"] for c in listed["clients"]} == {"vssid", "rp"}
    assert all("client_secret" not in c for c in listed["clients"])
    assert login.screen == "vneid-login" and "Ứng dụng thử" in login.text
    assert gone.screen == "vneid-request-error"


async def test_key_rotation_keeps_the_previous_key_for_the_overlap():
    clock = FakeClock()
    async with stub_client(stub_config(key_overlap_seconds=600), clock=clock) as client:
        flow = LoginFlow(client)
        old_token = (await flow.redeem((await flow.code_for(L2_ACTIVE))["code"])).json()[
            "id_token"]
        rotated = (await client.post("/_stub/keys/rotate", headers=control_headers())).json()
        jwks_during = (await client.get("/jwks")).json()
        flow = LoginFlow(client)
        new_token = (await flow.redeem((await flow.code_for(L2_ACTIVE))["code"])).json()[
            "id_token"]
        clock.now += 601
        jwks_after = (await client.get("/jwks")).json()
    assert len(rotated["published_kids"]) == 2
    assert [k["kid"] for k in jwks_during["keys"]] == rotated["published_kids"]
    keys_during = jwk.KeySet.import_key_set(jwks_during)
    # Both the token signed before rotation and the one after verify during the overlap.
    jwt.decode(old_token, keys_during, algorithms=["ES256"])
    jwt.decode(new_token, keys_during, algorithms=["ES256"])
    assert [k["kid"] for k in jwks_after["keys"]] == [rotated["current_kid"]]


async def test_rotation_with_zero_overlap_drops_the_old_key_at_once():
    async with stub_client() as client:
        rotated = await client.post("/_stub/keys/rotate", headers=control_headers(),
                                    json={"overlap_seconds": 0})
        jwks = (await client.get("/jwks")).json()
    assert [k["kid"] for k in jwks["keys"]] == [rotated.json()["current_kid"]]


async def test_reset_restores_everything():
    async with stub_client(stub_config(lockout_threshold=1)) as client:
        original = (await client.get("/_stub/keys", headers=control_headers())).json()
        await client.post("/_stub/keys/rotate", headers=control_headers())
        await client.post("/_stub/faults", headers=control_headers(),
                          json={"fault": "WRONG_ISSUER", "count": 5})
        flow = LoginFlow(client)
        await flow.submit(read_screen(await flow.open()), id_number=L2_ACTIVE["id_number"],
                          password="bad")
        reset = await client.post("/_stub/reset", headers=control_headers())
        keys = (await client.get("/_stub/keys", headers=control_headers())).json()
        faults = (await client.get("/_stub/faults", headers=control_headers())).json()
        requests = (await client.get("/_stub/requests", headers=control_headers())).json()
        params = await LoginFlow(client).code_for(L2_ACTIVE)
    assert reset.status_code == 200
    assert keys == original and faults["faults"] == [] and requests["requests"] == []
    assert params["code"], "the account locked before the reset is active again"


async def test_request_log_shows_what_the_client_did_without_secrets():
    async with stub_client() as client:
        flow = LoginFlow(client)
        code = (await flow.code_for(L2_ACTIVE))["code"]
        await flow.redeem(code)
        await flow.redeem(code)
        log = (await client.get("/_stub/requests", headers=control_headers())).json()
    text = json.dumps(log, ensure_ascii=False)
    for secret in (code, flow.state, flow.nonce, flow.verifier, L2_ACTIVE["password"],
                   L2_ACTIVE["passcode"], CLIENT_SECRET):
        assert secret not in text
    token_calls = [e for e in log["requests"] if e["path"] == "/token"]
    assert [e["status"] for e in token_calls] == [200, 400]
    assert token_calls[0]["authorization"] == "Basic"
    # Same code twice: the fingerprints match, so a test can see the replay.
    assert token_calls[0]["form"]["code"] == token_calls[1]["form"]["code"]
    assert token_calls[0]["form"]["grant_type"] == ["authorization_code"]
    assert not any(e["path"].startswith("/_stub") for e in log["requests"])


async def test_request_log_can_be_cleared():
    async with stub_client() as client:
        await client.get("/jwks")
        cleared = await client.delete("/_stub/requests", headers=control_headers())
        log = (await client.get("/_stub/requests", headers=control_headers())).json()
    assert cleared.status_code == 200 and log["requests"] == []


async def test_control_plane_refuses_non_json_bodies():
    async with stub_client() as client:
        response = await client.put("/_stub/personas/x", headers=control_headers(),
                                    content=b"{bad")
        bad_json = await client.put("/_stub/personas/x", content=b"{bad",
                                    headers={**control_headers(),
                                             "content-type": "application/json"})
    assert response.status_code == 400 and bad_json.status_code == 400


async def test_defects_are_listed_read_only_with_what_each_breaks():
    defects = frozenset({"replay_keeps_tokens", "no_lockout"})
    async with stub_client(stub_config(defects=defects)) as client:
        listed = (await client.get("/_stub/defects", headers=control_headers())).json()
        post = await client.post("/_stub/defects", headers=control_headers())
    assert listed == {"defects": [
        {"name": "no_lockout", "requirement": "IDP-13", "recommendation": None},
        {"name": "replay_keeps_tokens", "requirement": "IDP-04",
         "recommendation": "IDP-04/revoke-on-replay"}]}
    assert post.status_code == 405


async def test_no_defect_is_listed_by_default():
    async with stub_client() as client:
        listed = (await client.get("/_stub/defects", headers=control_headers())).json()
    assert listed == {"defects": []}


async def test_health_needs_no_token_and_tells_nothing():
    async with stub_client() as client:
        health = await client.get("/_stub/health")
    assert health.status_code == 200 and health.json() == {"status": "ok"}


async def test_the_clock_is_read_moved_and_put_back():
    async with stub_client() as client:
        before = (await client.get("/_stub/clock", headers=control_headers())).json()
        moved = (await client.post("/_stub/clock", headers=control_headers(),
                                   json={"advance_seconds": 3600})).json()
        back = (await client.delete("/_stub/clock", headers=control_headers())).json()
    assert before["offset_seconds"] == 0.0
    assert moved["offset_seconds"] == 3600.0
    assert moved["now"] - before["now"] >= 3600
    assert back["offset_seconds"] == 0.0 and back["now"] < moved["now"]


async def test_a_moved_clock_expires_codes():
    async with stub_client() as client:
        flow = LoginFlow(client)
        code = (await flow.code_for(L2_ACTIVE))["code"]
        await client.post("/_stub/clock", headers=control_headers(),
                          json={"advance_seconds": 61})
        response = await flow.redeem(code)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("body", [{"advance_seconds": -1}, {"advance_seconds": "60"},
                                  {"advance_seconds": True}, {}, [60],
                                  {"advance_seconds": 10**10}])
async def test_a_bad_clock_body_is_invalid_request(body):
    async with stub_client() as client:
        response = await client.post("/_stub/clock", headers=control_headers(), json=body)
        after = (await client.get("/_stub/clock", headers=control_headers())).json()
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert "advance_seconds" in response.json()["error_description"]
    assert after["offset_seconds"] == 0.0


async def test_a_clock_body_that_is_not_json_is_invalid_request():
    async with stub_client() as client:
        response = await client.post("/_stub/clock", content=b"{bad",
                                     headers={**control_headers(),
                                              "content-type": "application/json"})
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_the_clock_needs_the_token(method):
    async with stub_client() as client:
        response = await client.request(method, "/_stub/clock", json={"advance_seconds": 1})
    assert response.status_code == 401 and response.json()["error"] == "invalid_token"


async def test_a_clock_given_by_the_caller_is_read_but_not_moved():
    clock = FakeClock()
    async with stub_client(clock=clock) as client:
        read = (await client.get("/_stub/clock", headers=control_headers())).json()
        moved = await client.post("/_stub/clock", headers=control_headers(),
                                  json={"advance_seconds": 5})
    assert read["now"] == clock.now
    assert moved.status_code == 400 and moved.json()["error"] == "invalid_request"


async def test_the_clock_given_by_the_harness_is_shared_and_moved():
    clock = StubClock()
    async with stub_client(clock=clock) as client:
        await client.post("/_stub/clock", headers=control_headers(), json={"advance_seconds": 9})
    assert clock.offset == 9.0


async def test_state_counts_what_the_stub_holds_never_the_values():
    async with stub_client() as client:
        fresh = (await client.get("/_stub/state", headers=control_headers())).json()
        flow = LoginFlow(client)
        code = (await flow.code_for(L2_ACTIVE))["code"]
        token = (await flow.redeem(code)).json()["access_token"]
        await client.post("/_stub/faults", headers=control_headers(),
                          json={"fault": "WRONG_NONCE", "count": 2})
        busy = await client.get("/_stub/state", headers=control_headers())
        await client.post("/_stub/reset", headers=control_headers())
        after_reset = (await client.get("/_stub/state", headers=control_headers())).json()
        unauthorised = await client.get("/_stub/state")
    assert fresh == {"personas": 9, "clients": 1, "published_keys": 1, "transactions": 0,
                     "codes": 0, "access_tokens": 0, "armed_faults": 0, "requests": 0}
    counts = busy.json()
    assert counts["codes"] == 1 and counts["access_tokens"] == 1
    assert counts["armed_faults"] == 1 and counts["requests"] > 0
    assert all(isinstance(v, int) for v in counts.values())
    assert code not in busy.text and token not in busy.text
    assert after_reset == fresh
    assert unauthorised.status_code == 401


@pytest.mark.parametrize("path", ["/_stub/health", "/_stub/clock", "/_stub/state",
                                  "/_stub/defects", "/_stub/personas"])
async def test_without_a_token_no_control_route_exists(path):
    async with stub_client(stub_config(control_token=None)) as client:
        response = await client.get(path, headers=control_headers())
    assert response.status_code == 404


async def test_the_shared_state_is_the_controlled_object():
    async with stub_client() as client:
        state = client.app.state.control
    assert state is client.app.state.stub
    assert state.control_token == CONTROL_TOKEN and state.defects_on == frozenset()
    assert state.defect_catalogue is CATALOGUE


async def test_error_redirect_from_unknown_flow_is_logged_too():
    async with stub_client() as client:
        await LoginFlow(client).open(response_type="token")
        log = (await client.get("/_stub/requests", headers=control_headers())).json()
    entry = log["requests"][-1]
    assert entry["path"] == "/authorize" and entry["status"] == 303
    assert entry["query"]["state"][0].startswith("[redacted:")



async def test_logs_carry_no_secret_over_a_whole_flow(caplog):
    caplog.set_level("DEBUG")
    async with stub_client(stub_config(lockout_threshold=2)) as client:
        await client.post("/_stub/faults", headers=control_headers(),
                          json={"fault": "WRONG_NONCE"})
        flow = LoginFlow(client)
        code = (await flow.code_for(L2_ACTIVE))["code"]
        body = (await flow.redeem(code)).json()
        await flow.redeem(code)
        bad = LoginFlow(client)
        screen = read_screen(await bad.open())
        for _ in range(2):
            screen = read_screen(await bad.submit(screen, id_number=L2_ACTIVE["id_number"],
                                                  password="Wrong@2023"))
    text = caplog.text
    assert "hand-back: code" in text and "token: issued" in text and "VNEID_LOCKED" in text
    for secret in (code, flow.state, flow.nonce, flow.verifier, body["access_token"],
                   body["id_token"], L2_ACTIVE["password"], L2_ACTIVE["passcode"],
                   L2_ACTIVE["id_number"], CLIENT_SECRET, "Wrong@2023"):
        assert secret not in text
