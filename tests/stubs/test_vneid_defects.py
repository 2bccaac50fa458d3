"""Every seeded defect breaks its requirement: the probe holds by default and fails with it on."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable

import httpx
import pytest

from stubs.settings import ConfigError
from stubs.vneid.config import ClientRegistration
from stubs.vneid.defects import CATALOGUE
from tests.stubs.vneid_flow import (
    ISSUER,
    L1_ACTIVE,
    L2_ACTIVE,
    REDIRECT_URI,
    FakeClock,
    LoginFlow,
    callback_params,
    control_headers,
    pkce_pair,
    read_screen,
    stub_client,
    stub_config,
)

pytestmark = pytest.mark.anyio

Probe = Callable[[httpx.AsyncClient, FakeClock], Awaitable[bool]]
PROBES: dict[str, Probe] = {}
OTHER = ClientRegistration(client_id="other", client_name="Other", client_secret="other-secret",
                           redirect_uris=("https://other.test/cb",))



def probe(defect: str):
    """Register the check of the requirement that `defect` (a name in CATALOGUE) breaks."""
    def register(check: Probe) -> Probe:
        PROBES[CATALOGUE.require(defect)] = check
        return check
    return register


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


async def _token_response(client, person=L2_ACTIVE) -> tuple[LoginFlow, dict]:
    flow = LoginFlow(client)
    response = await flow.redeem((await flow.code_for(person))["code"])
    return flow, response.json()


@probe("redirect_uri_prefix_match")
async def exact_redirect_uri(client, clock):
    response = await LoginFlow(client).open(redirect_uri=REDIRECT_URI + "/../evil")
    return read_screen(response).screen == "vneid-request-error"


@probe("redirect_on_unknown_client")
async def error_page_for_unknown_client(client, clock):
    response = await LoginFlow(client).open(client_id="nobody",
                                            redirect_uri="https://evil.test/cb")
    return "location" not in response.headers


@probe("pkce_not_required")
async def challenge_required(client, clock):
    response = await LoginFlow(client).open(code_challenge=None, code_challenge_method=None)
    return response.is_redirect and callback_params(response).get("error") == "invalid_request"


@probe("pkce_verifier_not_checked")
async def verifier_checked(client, clock):
    flow = LoginFlow(client)
    code = (await flow.code_for(L2_ACTIVE))["code"]
    return (await flow.redeem(code, verifier=pkce_pair()[0])).status_code == 400


@probe("codes_reusable")
async def code_single_use(client, clock):
    flow = LoginFlow(client)
    code = (await flow.code_for(L2_ACTIVE))["code"]
    await flow.redeem(code)
    return (await flow.redeem(code)).status_code == 400


@probe("codes_never_expire")
async def code_expires(client, clock):
    flow = LoginFlow(client)
    code = (await flow.code_for(L2_ACTIVE))["code"]
    clock.now += 61
    return (await flow.redeem(code)).status_code == 400


@probe("code_not_bound_to_client")
async def code_bound_to_client(client, clock):
    flow = LoginFlow(client)
    code = (await flow.code_for(L2_ACTIVE))["code"]
    response = await client.post("/token", auth=("other", "other-secret"), data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
        "code_verifier": flow.verifier})
    return response.status_code == 400


@probe("code_not_bound_to_redirect_uri")
async def code_bound_to_redirect(client, clock):
    flow = LoginFlow(client)
    code = (await flow.code_for(L2_ACTIVE))["code"]
    return (await flow.redeem(code, redirect_uri="https://other.test/cb")).status_code == 400


@probe("iss_omitted")
async def iss_in_response(client, clock):
    return (await LoginFlow(client).code_for(L2_ACTIVE)).get("iss") == ISSUER


@probe("iss_not_advertised")
async def iss_advertised(client, clock):
    doc = (await client.get("/.well-known/openid-configuration")).json()
    return doc.get("authorization_response_iss_parameter_supported") is True


@probe("state_dropped")
async def state_echoed(client, clock):
    flow = LoginFlow(client)
    return (await flow.code_for(L2_ACTIVE)).get("state") == flow.state


PROBES[CATALOGUE.require("state_truncated")] = state_echoed


@probe("level1_tokens_issued")
async def level1_refused(client, clock):
    flow = LoginFlow(client)
    login = read_screen(await flow.open())
    passcode = read_screen(await flow.submit(login, id_number=L1_ACTIVE["id_number"],
                                             password=L1_ACTIVE["password"]))
    response = await flow.submit(passcode, passcode=L1_ACTIVE["passcode"])
    return response.is_redirect and callback_params(response).get("error") == (
        "unmet_authentication_requirements")


@probe("id_token_missing_nonce")
async def nonce_in_token(client, clock):
    flow, body = await _token_response(client)
    return _claims(body["id_token"]).get("nonce") == flow.nonce


@probe("id_token_missing_id_number")
async def id_number_in_token(client, clock):
    _, body = await _token_response(client)
    return _claims(body["id_token"]).get("id_number") == L2_ACTIVE["id_number"]


@probe("jwks_drops_previous_key")
async def previous_key_kept(client, clock):
    before = (await client.get("/jwks")).json()["keys"][0]["kid"]
    await client.post("/_stub/keys/rotate", headers=control_headers())
    return before in {k["kid"] for k in (await client.get("/jwks")).json()["keys"]}


@probe("issuer_mismatch")
async def issuer_matches(client, clock):
    doc = (await client.get("/.well-known/openid-configuration")).json()
    _, body = await _token_response(client)
    return doc["issuer"] == _claims(body["id_token"])["iss"] == ISSUER


@probe("consent_skipped")
async def consent_shown(client, clock):
    flow = LoginFlow(client)
    login = read_screen(await flow.open())
    passcode = read_screen(await flow.submit(login, id_number=L2_ACTIVE["id_number"],
                                             password=L2_ACTIVE["password"]))
    response = await flow.submit(passcode, passcode=L2_ACTIVE["passcode"])
    return "location" not in response.headers and read_screen(response).screen == "vneid-consent"


@probe("cancel_not_access_denied")
async def cancel_is_access_denied(client, clock):
    flow = LoginFlow(client)
    consent = await flow.login_until_consent(L2_ACTIVE)
    return callback_params(await flow.submit(consent, decision="decline"))["error"] == (
        "access_denied")


@probe("no_lockout")
async def lockout(client, clock):
    flow = LoginFlow(client)
    screen = read_screen(await flow.open())
    for _ in range(5):
        screen = read_screen(await flow.submit(screen, id_number=L2_ACTIVE["id_number"],
                                               password="Wrong@2023"))
    return screen.outcome == "VNEID_LOCKED"


@probe("malformed_input_500")
async def malformed_is_400(client, clock):
    response = await client.post("/token", content=b"code=%zz",
                                 headers={"content-type": "application/x-www-form-urlencoded"})
    return response.status_code == 400


@probe("wrong_method_404")
async def wrong_method_is_405(client, clock):
    return (await client.get("/token")).status_code == 405


@probe("replay_keeps_tokens")
async def replay_revokes_tokens(client, clock):
    flow = LoginFlow(client)
    code = (await flow.code_for(L2_ACTIVE))["code"]
    first = (await flow.redeem(code)).json()
    await flow.redeem(code)
    userinfo = await client.get("/userinfo",
                                headers={"authorization": f"Bearer {first['access_token']}"})
    return userinfo.status_code == 401


@probe("version_string_compare")
async def version_numeric(client, clock):
    await client.get("/_device?vneid_version=10.0")
    return read_screen(await LoginFlow(client).open()).screen == "vneid-login"


@probe("version_min_exclusive")
async def minimum_inclusive(client, clock):
    await client.get("/_device?vneid_version=2.1.0")
    return read_screen(await LoginFlow(client).open()).screen == "vneid-login"


@probe("nine_digit_id_accepted")
async def nine_digits_refused_clearly(client, clock):
    flow = LoginFlow(client)
    screen = read_screen(await flow.submit(read_screen(await flow.open()),
                                           id_number="084190012", password="x"))
    return screen.outcome is None and "9 số" in screen.text


@probe("id_number_leading_zeros_dropped")
async def leading_zeros_kept(client, clock):
    flow = LoginFlow(client)
    screen = read_screen(await flow.submit(read_screen(await flow.open()),
                                           id_number=L1_ACTIVE["id_number"],
                                           password=L1_ACTIVE["password"]))
    return screen.screen == "vneid-passcode"


@probe("app_links_unverified")
async def app_links_name_the_vneid_app(client, clock):
    assetlinks = await client.get("/.well-known/assetlinks.json")
    apple = await client.get("/.well-known/apple-app-site-association")
    return (assetlinks.json()[0]["target"]["package_name"] == "com.vnid"
            and apple.status_code == 200 and "applinks" in apple.json())


async def _not_installed_screen(client) -> object:
    await client.get("/_device?vneid_installed=0")
    screen = read_screen(await LoginFlow(client).open())
    assert screen.outcome == "VNEID_NOT_INSTALLED", screen.screen
    return screen


@probe("not_installed_dead_end")
async def not_installed_offers_a_way_on(client, clock):
    screen = await _not_installed_screen(client)
    return screen.has("store-link") and screen.has("web-fallback")


@probe("web_fallback_off_origin")
async def web_fallback_stays_on_vneid(client, clock):
    href = (await _not_installed_screen(client)).testids["web-fallback"]["href"]
    if not href.startswith("/authorize/web?tx="):
        return False
    # The fallback really continues the same login in the browser.
    return read_screen(await client.get(href)).screen == "vneid-login"


def _config(defects: frozenset[str]):
    base = stub_config()
    return stub_config(clients=(*base.clients, OTHER), defects=defects)


@pytest.mark.parametrize("defect", sorted(CATALOGUE.names))
async def test_probe_holds_by_default_and_fails_with_the_defect(defect):
    check = PROBES[defect]
    clock = FakeClock()
    async with stub_client(_config(frozenset()), clock=clock) as client:
        assert await check(client, clock), f"{defect}: probe fails on the correct stub"
    clock = FakeClock()
    async with stub_client(_config(frozenset({defect})), clock=clock) as client:
        assert not await check(client, clock), f"{defect}: the defect changed nothing"


def test_every_defect_has_a_probe_and_a_requirement():
    assert set(PROBES) == CATALOGUE.names
    assert all(d.requirement and d.effect for d in CATALOGUE)


def test_only_should_level_defects_name_a_recommendation_of_their_requirement():
    warned = {d.name: d.recommendation for d in CATALOGUE if d.recommendation}
    assert warned == {"wrong_method_404": "IDP-14/405",
                      "replay_keeps_tokens": "IDP-04/revoke-on-replay",
                      "nine_digit_id_accepted": "APP-07/refused-as-input"}
    assert all(CATALOGUE[name].requirement == key.split("/")[0] for name, key in warned.items())


def test_a_misspelt_defect_fails_loudly_in_code_and_config():
    with pytest.raises(KeyError, match="no_lokout"):
        stub_config().has_defect("no_lokout")
    with pytest.raises(ConfigError, match="defects: unknown defect name"):
        stub_config(defects=frozenset({"no_lokout"}))


def test_defaults_switch_no_defect_on():
    assert stub_config().defects == frozenset()
