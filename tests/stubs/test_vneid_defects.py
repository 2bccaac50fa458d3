"""Every seeded defect breaks its requirement: the probe holds by default and fails with it on."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable

import httpx
import pytest

from stubs.vneid.config import ClientRegistration
from stubs.vneid.defects import DEFECT_REQUIREMENTS, Defect
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
PROBES: dict[Defect, Probe] = {}
OTHER = ClientRegistration("other", "Other", "other-secret", ("https://other.test/cb",))


@pytest.fixture
def anyio_backend():
    return "asyncio"


def probe(defect: Defect):
    """Register the check of the requirement that `defect` breaks."""
    def register(check: Probe) -> Probe:
        PROBES[defect] = check
        return check
    return register


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


async def _token_response(client, person=L2_ACTIVE) -> tuple[LoginFlow, dict]:
    flow = LoginFlow(client)
    response = await flow.redeem((await flow.code_for(person))["code"])
    return flow, response.json()


@probe(Defect.REDIRECT_URI_PREFIX_MATCH)
async def exact_redirect_uri(client, clock):
    response = await LoginFlow(client).open(redirect_uri=REDIRECT_URI + "/../evil")
    return read_screen(response).screen == "vneid-request-error"


@probe(Defect.REDIRECT_ON_UNKNOWN_CLIENT)
async def error_page_for_unknown_client(client, clock):
    response = await LoginFlow(client).open(client_id="nobody",
                                            redirect_uri="https://evil.test/cb")
    return "location" not in response.headers


@probe(Defect.PKCE_NOT_REQUIRED)
async def challenge_required(client, clock):
    response = await LoginFlow(client).open(code_challenge=None, code_challenge_method=None)
    return response.is_redirect and callback_params(response).get("error") == "invalid_request"


@probe(Defect.PKCE_VERIFIER_NOT_CHECKED)
async def verifier_checked(client, clock):
    flow = LoginFlow(client)
    code = (await flow.code_for(L2_ACTIVE))["code"]
    return (await flow.redeem(code, verifier=pkce_pair()[0])).status_code == 400


@probe(Defect.CODES_REUSABLE)
async def code_single_use(client, clock):
    flow = LoginFlow(client)
    code = (await flow.code_for(L2_ACTIVE))["code"]
    await flow.redeem(code)
    return (await flow.redeem(code)).status_code == 400


@probe(Defect.CODES_NEVER_EXPIRE)
async def code_expires(client, clock):
    flow = LoginFlow(client)
    code = (await flow.code_for(L2_ACTIVE))["code"]
    clock.now += 61
    return (await flow.redeem(code)).status_code == 400


@probe(Defect.CODE_NOT_BOUND_TO_CLIENT)
async def code_bound_to_client(client, clock):
    flow = LoginFlow(client)
    code = (await flow.code_for(L2_ACTIVE))["code"]
    response = await client.post("/token", auth=("other", "other-secret"), data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
        "code_verifier": flow.verifier})
    return response.status_code == 400


@probe(Defect.CODE_NOT_BOUND_TO_REDIRECT_URI)
async def code_bound_to_redirect(client, clock):
    flow = LoginFlow(client)
    code = (await flow.code_for(L2_ACTIVE))["code"]
    return (await flow.redeem(code, redirect_uri="https://other.test/cb")).status_code == 400


@probe(Defect.ISS_OMITTED)
async def iss_in_response(client, clock):
    return (await LoginFlow(client).code_for(L2_ACTIVE)).get("iss") == ISSUER


@probe(Defect.ISS_NOT_ADVERTISED)
async def iss_advertised(client, clock):
    doc = (await client.get("/.well-known/openid-configuration")).json()
    return doc.get("authorization_response_iss_parameter_supported") is True


@probe(Defect.STATE_DROPPED)
async def state_echoed(client, clock):
    flow = LoginFlow(client)
    return (await flow.code_for(L2_ACTIVE)).get("state") == flow.state


PROBES[Defect.STATE_TRUNCATED] = state_echoed


@probe(Defect.LEVEL1_TOKENS_ISSUED)
async def level1_refused(client, clock):
    flow = LoginFlow(client)
    login = read_screen(await flow.open())
    passcode = read_screen(await flow.submit(login, id_number=L1_ACTIVE["id_number"],
                                             password=L1_ACTIVE["password"]))
    response = await flow.submit(passcode, passcode=L1_ACTIVE["passcode"])
    return response.is_redirect and callback_params(response).get("error") == (
        "unmet_authentication_requirements")


@probe(Defect.ID_TOKEN_MISSING_NONCE)
async def nonce_in_token(client, clock):
    flow, body = await _token_response(client)
    return _claims(body["id_token"]).get("nonce") == flow.nonce


@probe(Defect.ID_TOKEN_MISSING_ID_NUMBER)
async def id_number_in_token(client, clock):
    _, body = await _token_response(client)
    return _claims(body["id_token"]).get("id_number") == L2_ACTIVE["id_number"]


@probe(Defect.JWKS_DROPS_PREVIOUS_KEY)
async def previous_key_kept(client, clock):
    before = (await client.get("/jwks")).json()["keys"][0]["kid"]
    await client.post("/_stub/keys/rotate", headers=control_headers())
    return before in {k["kid"] for k in (await client.get("/jwks")).json()["keys"]}


@probe(Defect.ISSUER_MISMATCH)
async def issuer_matches(client, clock):
    doc = (await client.get("/.well-known/openid-configuration")).json()
    _, body = await _token_response(client)
    return doc["issuer"] == _claims(body["id_token"])["iss"] == ISSUER


@probe(Defect.CONSENT_SKIPPED)
async def consent_shown(client, clock):
    flow = LoginFlow(client)
    login = read_screen(await flow.open())
    passcode = read_screen(await flow.submit(login, id_number=L2_ACTIVE["id_number"],
                                             password=L2_ACTIVE["password"]))
    response = await flow.submit(passcode, passcode=L2_ACTIVE["passcode"])
    return "location" not in response.headers and read_screen(response).screen == "vneid-consent"


@probe(Defect.CANCEL_NOT_ACCESS_DENIED)
async def cancel_is_access_denied(client, clock):
    flow = LoginFlow(client)
    consent = await flow.login_until_consent(L2_ACTIVE)
    return callback_params(await flow.submit(consent, decision="decline"))["error"] == (
        "access_denied")


@probe(Defect.NO_LOCKOUT)
async def lockout(client, clock):
    flow = LoginFlow(client)
    screen = read_screen(await flow.open())
    for _ in range(5):
        screen = read_screen(await flow.submit(screen, id_number=L2_ACTIVE["id_number"],
                                               password="Wrong@2023"))
    return screen.outcome == "VNEID_LOCKED"


@probe(Defect.MALFORMED_INPUT_500)
async def malformed_is_400(client, clock):
    response = await client.post("/token", content=b"code=%zz",
                                 headers={"content-type": "application/x-www-form-urlencoded"})
    return response.status_code == 400


@probe(Defect.WRONG_METHOD_404)
async def wrong_method_is_405(client, clock):
    return (await client.get("/token")).status_code == 405


@probe(Defect.REPLAY_KEEPS_TOKENS)
async def replay_revokes_tokens(client, clock):
    flow = LoginFlow(client)
    code = (await flow.code_for(L2_ACTIVE))["code"]
    first = (await flow.redeem(code)).json()
    await flow.redeem(code)
    userinfo = await client.get("/userinfo",
                                headers={"authorization": f"Bearer {first['access_token']}"})
    return userinfo.status_code == 401


@probe(Defect.VERSION_STRING_COMPARE)
async def version_numeric(client, clock):
    await client.get("/_device?vneid_version=10.0")
    return read_screen(await LoginFlow(client).open()).screen == "vneid-login"


@probe(Defect.VERSION_MIN_EXCLUSIVE)
async def minimum_inclusive(client, clock):
    await client.get("/_device?vneid_version=2.1.0")
    return read_screen(await LoginFlow(client).open()).screen == "vneid-login"


@probe(Defect.NINE_DIGIT_ID_ACCEPTED)
async def nine_digits_refused_clearly(client, clock):
    flow = LoginFlow(client)
    screen = read_screen(await flow.submit(read_screen(await flow.open()),
                                           id_number="084190012", password="x"))
    return screen.outcome is None and "9 số" in screen.text


@probe(Defect.ID_NUMBER_LEADING_ZEROS_DROPPED)
async def leading_zeros_kept(client, clock):
    flow = LoginFlow(client)
    screen = read_screen(await flow.submit(read_screen(await flow.open()),
                                           id_number=L1_ACTIVE["id_number"],
                                           password=L1_ACTIVE["password"]))
    return screen.screen == "vneid-passcode"


@probe(Defect.APP_LINKS_UNVERIFIED)
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


@probe(Defect.NOT_INSTALLED_DEAD_END)
async def not_installed_offers_a_way_on(client, clock):
    screen = await _not_installed_screen(client)
    return screen.has("store-link") and screen.has("web-fallback")


@probe(Defect.WEB_FALLBACK_OFF_ORIGIN)
async def web_fallback_stays_on_vneid(client, clock):
    href = (await _not_installed_screen(client)).testids["web-fallback"]["href"]
    if not href.startswith("/authorize/web?tx="):
        return False
    # The fallback really continues the same login in the browser.
    return read_screen(await client.get(href)).screen == "vneid-login"


def _config(defects: frozenset[str]):
    base = stub_config()
    return stub_config(clients=(*base.clients, OTHER), defects=defects)


@pytest.mark.parametrize("defect", list(Defect), ids=lambda d: d.value)
async def test_probe_holds_by_default_and_fails_with_the_defect(defect):
    check = PROBES[defect]
    clock = FakeClock()
    async with stub_client(_config(frozenset()), clock=clock) as client:
        assert await check(client, clock), f"{defect.value}: probe fails on the correct stub"
    clock = FakeClock()
    async with stub_client(_config(frozenset({defect.value})), clock=clock) as client:
        assert not await check(client, clock), f"{defect.value}: the defect changed nothing"


def test_every_defect_has_a_probe_and_a_requirement():
    assert set(PROBES) == set(Defect)
    assert set(DEFECT_REQUIREMENTS) == set(Defect)


def test_defaults_switch_no_defect_on():
    assert stub_config().defects == frozenset()
