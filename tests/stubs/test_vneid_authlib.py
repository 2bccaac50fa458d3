"""A full code + PKCE flow driven by Authlib's OAuth 2.0 client, ID token checked by Authlib."""

from __future__ import annotations

import time
import warnings
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.deprecate import AuthlibDeprecationWarning

with warnings.catch_warnings():
    # Authlib deprecates these modules in favour of joserfc/httpx2; they still make an
    # independent client and verifier, which is the point here.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client
    from authlib.jose import JsonWebKey, JsonWebToken
    from authlib.oidc.core import CodeIDToken

from stubs.vneid.app import create_app
from tests.stubs.vneid_flow import (
    CLIENT_ID,
    CLIENT_SECRET,
    ISSUER,
    L2_ACTIVE,
    LEVEL2,
    REDIRECT_URI,
    LoginFlow,
    read_screen,
    stub_config,
)

pytestmark = pytest.mark.anyio



async def test_authlib_client_completes_code_flow_with_pkce_and_validates_the_id_token():
    app = create_app(stub_config())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=ISSUER) as browser:
        metadata = (await browser.get("/.well-known/openid-configuration")).json()
        jwks = (await browser.get("/jwks")).json()
        verifier = generate_token(64)
        async with AsyncOAuth2Client(
            CLIENT_ID, CLIENT_SECRET, scope="openid profile id_number",
            redirect_uri=REDIRECT_URI, code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic", transport=transport,
        ) as rp:
            url, state = rp.create_authorization_url(
                metadata["authorization_endpoint"], code_verifier=verifier,
                nonce="n-" + "x" * 20, acr_values=LEVEL2)
            # The "browser" walks the VNeID screens the authorization URL opens.
            flow = LoginFlow(browser)
            login = read_screen(await browser.get(url))
            passcode = read_screen(await flow.submit(
                login, id_number=L2_ACTIVE["id_number"], password=L2_ACTIVE["password"]))
            consent = read_screen(await flow.submit(passcode, passcode=L2_ACTIVE["passcode"]))
            callback = (await flow.submit(consent, decision="approve")).headers["location"]
            token = await rp.fetch_token(metadata["token_endpoint"],
                                         authorization_response=callback,
                                         code_verifier=verifier, state=state)
    claims = JsonWebToken(["ES256"]).decode(
        token["id_token"], JsonWebKey.import_key_set(jwks), claims_cls=CodeIDToken,
        claims_options={"iss": {"value": metadata["issuer"]}, "acr": {"value": LEVEL2}},
        claims_params={"nonce": "n-" + "x" * 20, "client_id": CLIENT_ID})
    claims.validate(now=int(time.time()))
    assert claims["id_number"] == L2_ACTIVE["id_number"]
    assert parse_qs(urlsplit(callback).query)["iss"] == [ISSUER]
