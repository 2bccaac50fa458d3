"""A tiny scriptable OpenID provider the VssID tests use to misbehave on purpose."""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from joserfc import jwk, jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from fixtures.pkce import s256

ISSUER = "https://idp.test"
ACR_LEVEL2 = "urn:vn:vneid:loa:2"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class Script:
    """What the fake IdP does on the next requests; tests change it between steps."""

    id_number: str = "084190012345"
    name: str = "Nguyễn Thị Thu Hà"
    acr: str = ACR_LEVEL2
    claims: dict = field(default_factory=dict)          # claim overrides (None deletes)
    header: dict = field(default_factory=dict)          # JOSE header overrides
    unsigned: bool = False                              # alg: none token
    authorize_error: str | None = None                  # error=... instead of a code
    response_params: dict = field(default_factory=dict)  # overrides of code/state/iss (None drops)
    token_status: int = 200
    token_error: str | None = None
    advertise_iss: bool = True
    jwks_status: int = 200
    userinfo: dict | None = None                        # a userinfo endpoint answering this


class FakeIdp:
    """Auto-approving provider: /authorize hands back at once as the scripted person."""

    def __init__(self, *, client_id: str, client_secret: str, issuer: str = ISSUER) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = jwk.ECKey.generate_key("P-256", parameters={"kid": "k1"}, private=True)
        self.published: list = [self.key]
        self.script = Script()
        self.codes: dict[str, dict] = {}
        self.authorize_requests: list[dict] = []
        self.token_requests: list[dict] = []
        self.jwks_fetches = 0
        self.app = Starlette(routes=[
            Route("/.well-known/openid-configuration", self._discovery),
            Route("/authorize", self._authorize),
            Route("/token", self._token, methods=["POST"]),
            Route("/jwks", self._jwks),
            Route("/userinfo", self._userinfo),
        ])

    def rotate_key(self, kid: str, *, publish: bool = True) -> None:
        """Sign with a new key from now on, optionally publishing it in the JWKS."""
        self.key = jwk.ECKey.generate_key("P-256", parameters={"kid": kid}, private=True)
        if publish:
            self.published.append(self.key)

    def id_token(self, nonce: str) -> str:
        """An ID token built from the script."""
        now = int(time.time())
        claims = {
            "iss": self.issuer, "sub": "sub-" + self.script.id_number, "aud": self.client_id,
            "azp": self.client_id, "exp": now + 300, "iat": now, "nonce": nonce,
            "acr": self.script.acr, "id_number": self.script.id_number,
            "name": self.script.name, "birthdate": "1990-04-12",
        }
        for key, value in self.script.claims.items():
            if value is None:
                claims.pop(key, None)
            else:
                claims[key] = value
        if self.script.unsigned:
            header = {"alg": "none", "typ": "JWT", **self.script.header}
            return (_b64url(json.dumps(header).encode()) + "."
                    + _b64url(json.dumps(claims).encode()) + ".")
        header = {"alg": "ES256", "kid": self.key.kid, "typ": "JWT", **self.script.header}
        return jwt.encode(header, claims, self.key)

    async def _discovery(self, request: Request) -> Response:
        document = {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token",
            "jwks_uri": self.issuer + "/jwks",
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["ES256"],
        }
        if self.script.advertise_iss:
            document["authorization_response_iss_parameter_supported"] = True
        if self.script.userinfo is not None:
            document["userinfo_endpoint"] = self.issuer + "/userinfo"
        return JSONResponse(document)

    async def _userinfo(self, request: Request) -> Response:
        if self.script.userinfo is None:
            return JSONResponse({"error": "invalid_request"}, status_code=404)
        return JSONResponse(self.script.userinfo)

    async def _jwks(self, request: Request) -> Response:
        self.jwks_fetches += 1
        if self.script.jwks_status != 200:
            return JSONResponse({"error": "server_error"}, status_code=self.script.jwks_status)
        return JSONResponse({"keys": [k.as_dict(private=False) for k in self.published]})

    async def _authorize(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.authorize_requests.append(params)
        response = {"state": params.get("state"), "iss": self.issuer}
        if self.script.authorize_error:
            response["error"] = self.script.authorize_error
        else:
            code = secrets.token_urlsafe(16)
            self.codes[code] = params
            response["code"] = code
        for key, value in self.script.response_params.items():
            if value is None:
                response.pop(key, None)
            else:
                response[key] = value
        query = urlencode({k: v for k, v in response.items() if v is not None})
        return RedirectResponse(params["redirect_uri"] + "?" + query, status_code=303)

    async def _token(self, request: Request) -> Response:
        form = dict(await request.form())
        self.token_requests.append({**form, "authorization": request.headers.get("authorization")})
        if self.script.token_status != 200:
            error = self.script.token_error or "server_error"
            return JSONResponse({"error": error}, status_code=self.script.token_status)
        expected = "Basic " + base64.b64encode(
            f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or grant.get("redirect_uri") != form.get("redirect_uri"):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        verifier = form.get("code_verifier", "")
        challenge = s256(verifier)  # the kit's S256 (fixtures/pkce.py) judges the stub
        if grant.get("code_challenge_method") == "S256" and challenge != grant["code_challenge"]:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        return JSONResponse({
            "access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
            "expires_in": 300, "id_token": self.id_token(grant.get("nonce", "")),
        })
