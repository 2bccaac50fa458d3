"""VNeID through Authlib's Starlette client, and the checks the vendor's glue adds to it.

What Authlib does here by itself (``authorize_redirect`` / ``authorize_access_token``):
the state, nonce and PKCE S256 verifier of an attempt, kept in ``request.session`` and
consumed by the callback; the code exchange (``client_secret_basic``, ``code_verifier``,
``redirect_uri``); the ID token's signature by the JWKS key its ``kid`` names (one JWKS
re-fetch on an unknown ``kid``), ``exp``, ``iat`` not in the future, ``nonce``, ``azp`` and
the presence of ``iss``/``sub``/``aud``/``exp``/``iat``.

What the glue adds, because Authlib leaves it to the application (README.md, "Gaps"):
the discovery document's ``issuer``; an algorithm allow-list of its own (Authlib takes the
one in the IdP's discovery document); ``aud`` exactly this client (Authlib checks no ``aud``
unless told, and then accepts extra audiences); the ID token's ``iss`` once any claims option
is given; ``iat`` not older than the skew; RFC 9207 ``iss``; the attempt's expiry; ``state``
before an error response is believed; a token response without an ID token; ``acr``; and,
after all of them, userinfo's ``sub`` equal to the ID token's (Authlib's ``userinfo`` compares
nothing: it returns whatever the endpoint answered, OIDC Core §5.3.2 is the caller's).
"""

from __future__ import annotations

import logging
import secrets
import ssl

import httpx
from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth
from authlib.oidc.core import CodeIDToken
from joserfc.errors import InvalidClaimError, JoseError
from joserfc.jwt import JWTClaimsRegistry
from starlette.requests import Request
from starlette.responses import Response

from . import config

log = logging.getLogger("authlib_rp")
NAME = "vneid"  # Authlib keeps the attempt under "_state_vneid_<state>" in the session
IDP_UNAVAILABLE = ("server_error", "temporarily_unavailable")


class Refusal(Exception):
    """The login stops on an outcome screen; `reason` is for the log (never a secret)."""

    def __init__(self, outcome: str, reason: str) -> None:
        super().__init__(f"{outcome} ({reason})")
        self.outcome, self.reason = outcome, reason


class _TimeChecks(JWTClaimsRegistry):
    """joserfc's time checks (``exp`` with leeway, ``iat`` not after now + leeway), plus
    ``iat`` not before now - leeway: a token issued long ago is as stale as an expired one."""

    def validate_iat(self, value: object) -> None:
        super().validate_iat(value)
        if value < self.now - self.leeway:
            raise InvalidClaimError("iat", "The token was issued too long ago")


class _ExpUnchecked(_TimeChecks):
    """The `exp_unchecked` defect: `exp` must still be a number, its time is not looked at."""

    def validate_exp(self, value: object) -> None:
        return None


class VneidIDToken(CodeIDToken):
    registry_cls = _TimeChecks


class _ExpUncheckedIDToken(VneidIDToken):
    registry_cls = _ExpUnchecked


class _NonceUncheckedIDToken(VneidIDToken):
    """The `nonce_unchecked` defect."""

    def validate_nonce(self) -> None:
        return None


class Vneid:
    def __init__(self, settings: config.Settings, redirect_uri: str) -> None:
        self.settings = settings
        self.issuer = settings.issuer
        self.client_id = settings.client_id
        self.redirect_uri = redirect_uri
        self.allowed_algs = list(config.ALLOWED_ID_TOKEN_ALGS)
        if settings.has("alg_none_accepted"):
            self.allowed_algs.append("none")
        self.oauth = OAuth()
        self.client = self.oauth.register(
            NAME,
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            server_metadata_url=f"{settings.issuer}/.well-known/openid-configuration",
            client_kwargs={
                "scope": config.SCOPE,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic",
                "verify": ssl.create_default_context(cafile=str(settings.ca_file)),
                "timeout": config.HTTP_TIMEOUT_S,
            },
        )

    # -- discovery ---------------------------------------------------------------------------

    async def metadata(self) -> dict:
        """Discovery, fetched at first use and cached by Authlib; checked every time."""
        try:
            metadata = await self.client.load_server_metadata()
        except (httpx.HTTPError, ValueError) as problem:
            raise Refusal("IDP_ERROR", f"discovery_{type(problem).__name__}") from None
        if metadata.get("issuer") != self.issuer:
            # Authlib caches whatever came; forget it so a corrected IdP is read again.
            for key in list(self.client.server_metadata):
                self.client.server_metadata.pop(key)
            raise Refusal("IDP_ERROR", "discovery_issuer_mismatch")
        # Authlib verifies the ID token with the algorithms the IdP's discovery lists: keep
        # only those this backend allows (an IdP listing "none" must not switch it on).
        advertised = metadata.get("id_token_signing_alg_values_supported")
        if not isinstance(advertised, list):
            advertised = []
        pinned = [alg for alg in advertised if alg in self.allowed_algs]
        if self.settings.has("alg_none_accepted") and "none" not in pinned:
            pinned.append("none")
        metadata["id_token_signing_alg_values_supported"] = pinned or \
            list(config.ALLOWED_ID_TOKEN_ALGS)
        return metadata

    # -- the start ---------------------------------------------------------------------------

    async def authorization_redirect(self, request: Request) -> tuple[Response, str]:
        """303 to VNeID's authorization endpoint; Authlib saves the attempt in the session."""
        await self.metadata()
        state = secrets.token_urlsafe(32)  # 256 bits
        try:
            response = await self.client.authorize_redirect(
                request, self.redirect_uri, state=state, acr_values=config.ACR_LEVEL2)
        except RuntimeError:  # discovery without an authorization_endpoint
            raise Refusal("IDP_ERROR", "discovery_no_authorization_endpoint") from None
        response.status_code = 303  # Authlib answers 302; the start is a POST
        return response, state

    # -- the callback ------------------------------------------------------------------------

    def claims_options(self) -> dict:
        """What Authlib checks the ID token's claims against (a fresh dict each time: Authlib
        pops the ``validate`` hooks out of it)."""
        options: dict = {}
        if not self.settings.has("id_token_iss_unchecked"):
            # Given any options, Authlib no longer adds its own iss check: name it here.
            options["iss"] = {"essential": True, "value": self.issuer}
        if not self.settings.has("aud_unchecked"):
            client_id = self.client_id
            options["aud"] = {
                "essential": True, "value": client_id,
                # joserfc's "value" accepts a list that merely contains it: no extra audience.
                "validate": lambda claims, aud: aud == client_id or aud == [client_id],
            }
        return options

    def claims_class(self) -> type[CodeIDToken]:
        if self.settings.has("exp_unchecked"):
            return _ExpUncheckedIDToken
        if self.settings.has("nonce_unchecked"):
            return _NonceUncheckedIDToken
        return VneidIDToken

    async def redeem(self, request: Request) -> dict:
        """Authlib's callback: the state in this browser's session, the code exchange, the ID
        token. Returns the token response with ``userinfo`` (the verified claims)."""
        try:
            token = await self.client.authorize_access_token(
                request, claims_options=self.claims_options(), claims_cls=self.claims_class(),
                leeway=config.CLOCK_SKEW_S)
        except OAuthError as problem:
            error = _safe(problem.error)
            if error in IDP_UNAVAILABLE:
                raise Refusal("IDP_ERROR", f"token_{error}") from None
            raise Refusal("PROTOCOL_ERROR", f"token_{error}") from None  # never retried
        except httpx.HTTPStatusError as problem:
            status = problem.response.status_code
            raise Refusal("IDP_ERROR" if status >= 500 else "PROTOCOL_ERROR",
                          f"http_{status}") from None
        except httpx.HTTPError as problem:
            raise Refusal("IDP_ERROR", f"unreachable_{type(problem).__name__}") from None
        except JoseError as problem:
            raise Refusal("PROTOCOL_ERROR", f"id_token_{_safe(problem.error)}:"
                          f"{_safe(problem.description)}") from None
        except (ValueError, TypeError, KeyError, AttributeError) as problem:
            raise Refusal("PROTOCOL_ERROR", f"malformed_{type(problem).__name__}") from None
        if not isinstance(token.get("userinfo"), dict):
            # Authlib validates an ID token only when the token response carries one.
            raise Refusal("PROTOCOL_ERROR", "id_token_missing")
        return token

    # -- userinfo ----------------------------------------------------------------------------

    async def userinfo(self, token: dict) -> dict:
        """Authlib's userinfo request (``GET userinfo_endpoint``, the access token as Bearer):
        the claims exactly as VNeID answered them. Authlib does not compare their ``sub`` with
        the ID token's (``AsyncOpenIDMixin.userinfo``): the caller must."""
        try:
            claims = await self.client.userinfo(token=token)
        except OAuthError as problem:  # no usable access token (missing, expired)
            raise Refusal("PROTOCOL_ERROR", f"userinfo_{_safe(problem.error)}") from None
        except httpx.HTTPStatusError as problem:
            status = problem.response.status_code
            raise Refusal("IDP_ERROR" if status >= 500 else "PROTOCOL_ERROR",
                          f"userinfo_http_{status}") from None
        except httpx.HTTPError as problem:
            raise Refusal("IDP_ERROR",
                          f"userinfo_unreachable_{type(problem).__name__}") from None
        except (ValueError, TypeError, KeyError) as problem:  # not a JSON object
            raise Refusal("PROTOCOL_ERROR",
                          f"userinfo_malformed_{type(problem).__name__}") from None
        if not isinstance(claims, dict) or not isinstance(claims.get("sub"), str):
            raise Refusal("PROTOCOL_ERROR", "userinfo_sub_missing")
        return claims


def _safe(text: object) -> str:
    """A short, printable label (from an error code or a description: never a secret)."""
    cleaned = "".join(c if c.isalnum() or c in "_-:. " else "?" for c in str(text or ""))
    return cleaned[:80] or "unknown"
