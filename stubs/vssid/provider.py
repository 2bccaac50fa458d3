"""The backend's client of VNeID: discovery, JWKS and the confidential code exchange."""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass

import httpx
from joserfc import jwk
from joserfc.errors import JoseError

from stubs.redaction import witness
from stubs.vssid.config import VssidConfig

log = logging.getLogger("stubs.vssid.provider")

_MAX_DOCUMENT_BYTES = 256 * 1024


class ProviderUnavailable(Exception):
    """VNeID could not be reached or answered with a server error (→ IDP_ERROR)."""


class ProviderMisbehaved(Exception):
    """VNeID answered something a correct provider never sends (→ PROTOCOL_ERROR)."""


class InvalidGrant(Exception):
    """The token endpoint refused the code with invalid_grant (→ restart screen)."""


@dataclass(frozen=True)
class ProviderMetadata:
    """The parts of the discovery document the relying party uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    iss_parameter_supported: bool
    userinfo_endpoint: str | None = None


def build_ssl_context(config: VssidConfig) -> ssl.SSLContext:
    """Trust the system store plus, when set, the configured CA file."""
    context = ssl.create_default_context()
    if config.ca_file is not None:
        context.load_verify_locations(cafile=str(config.ca_file))
    return context


class VneidProvider:
    """Lazily discovers VNeID, caches its metadata and keys, and redeems codes."""

    def __init__(
        self, config: VssidConfig, *, http_transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._config = config
        self._transport = http_transport
        self._client: httpx.AsyncClient | None = None
        self._metadata: ProviderMetadata | None = None
        self._keys: jwk.KeySet | None = None

    def _http(self) -> httpx.AsyncClient:
        # Created on first use so that building the app needs no event loop and no network.
        if self._client is None:
            verify: ssl.SSLContext | bool = (
                True if self._transport is not None else build_ssl_context(self._config)
            )
            self._client = httpx.AsyncClient(
                transport=self._transport,
                verify=verify,
                timeout=self._config.http_timeout_seconds,
                follow_redirects=False,
            )
        return self._client

    async def aclose(self) -> None:
        """Close the HTTP client (app shutdown)."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def forget(self) -> None:
        """Drop cached metadata and keys (control-plane reset)."""
        self._metadata = None
        self._keys = None

    async def _get_json(self, url: str, what: str) -> dict:
        try:
            response = await self._http().get(url, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"{what}: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise ProviderUnavailable(f"{what}: HTTP {response.status_code}")
        if response.status_code != 200 or len(response.content) > _MAX_DOCUMENT_BYTES:
            raise ProviderMisbehaved(f"{what}: HTTP {response.status_code}")
        try:
            document = response.json()
        except ValueError as exc:
            raise ProviderMisbehaved(f"{what}: not JSON") from exc
        if not isinstance(document, dict):
            raise ProviderMisbehaved(f"{what}: not a JSON object")
        return document

    async def metadata(self) -> ProviderMetadata:
        """The discovery document, fetched once and cached."""
        if self._metadata is not None:
            return self._metadata
        url = self._config.issuer.rstrip("/") + "/.well-known/openid-configuration"
        document = await self._get_json(url, "discovery")
        # OIDC Discovery §4.3: the document's issuer must be exactly the configured one.
        if document.get("issuer") != self._config.issuer:
            raise ProviderMisbehaved("discovery: issuer differs from the configured issuer")
        endpoints = {}
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            value = document.get(key)
            if not isinstance(value, str) or not value.startswith(("https://", "http://")):
                raise ProviderMisbehaved(f"discovery: {key} missing or not a URL")
            endpoints[key] = value
        userinfo = document.get("userinfo_endpoint")
        self._metadata = ProviderMetadata(
            issuer=document["issuer"],
            userinfo_endpoint=userinfo if isinstance(userinfo, str) and userinfo.startswith(
                ("https://", "http://")) else None,
            iss_parameter_supported=(
                document.get("authorization_response_iss_parameter_supported") is True
            ),
            **endpoints,
        )
        log.info("discovered VNeID metadata for %s", self._config.issuer)
        return self._metadata

    async def keys(self, *, refresh: bool = False) -> jwk.KeySet:
        """The provider's JWKS, cached; refresh=True fetches it again (unknown kid)."""
        if self._keys is not None and not refresh:
            return self._keys
        metadata = await self.metadata()
        document = await self._get_json(metadata.jwks_uri, "jwks")
        try:
            self._keys = jwk.KeySet.import_key_set(document)
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise ProviderMisbehaved("jwks: not a usable key set") from exc
        log.info("fetched VNeID JWKS (%d keys)", len(self._keys.keys))
        return self._keys

    async def redeem_code(self, code: str, code_verifier: str, redirect_uri: str) -> dict:
        """Exchange a code at the token endpoint with client_secret_basic and the verifier."""
        metadata = await self.metadata()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
        auth = httpx.BasicAuth(self._config.client_id, self._config.client_secret)
        try:
            response = await self._http().post(
                metadata.token_endpoint, data=form, auth=auth,
                headers={"Accept": "application/json"},
            )
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"token: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise ProviderUnavailable(f"token: HTTP {response.status_code}")
        try:
            document = response.json()
        except ValueError as exc:
            raise ProviderMisbehaved(f"token: HTTP {response.status_code}, not JSON") from exc
        if not isinstance(document, dict):
            raise ProviderMisbehaved("token: not a JSON object")
        if response.status_code != 200:
            error = document.get("error")
            if error == "invalid_grant":
                raise InvalidGrant()
            if error == "temporarily_unavailable":
                raise ProviderUnavailable("token: temporarily_unavailable")
            raise ProviderMisbehaved(f"token: HTTP {response.status_code} error={error!r:.40}")
        if not isinstance(document.get("id_token"), str):
            raise ProviderMisbehaved("token: no id_token in the response")
        for kind in ("id_token", "access_token", "refresh_token"):  # received from VNeID
            witness(kind, document.get(kind))
        return document

    async def userinfo(self, access_token: str) -> dict | None:
        """The person's claims from the userinfo endpoint (bearer token); None when the
        provider advertises none."""
        metadata = await self.metadata()
        if metadata.userinfo_endpoint is None:
            return None
        try:
            response = await self._http().get(
                metadata.userinfo_endpoint,
                headers={"Authorization": f"Bearer {access_token}",
                         "Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"userinfo: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise ProviderUnavailable(f"userinfo: HTTP {response.status_code}")
        if response.status_code != 200:
            raise ProviderMisbehaved(f"userinfo: HTTP {response.status_code}")
        try:
            document = response.json()
        except ValueError as exc:
            raise ProviderMisbehaved("userinfo: not JSON") from exc
        if not isinstance(document, dict):
            raise ProviderMisbehaved("userinfo: not a JSON object")
        return document
