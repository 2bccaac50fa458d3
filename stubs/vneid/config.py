"""The stub VNeID's one frozen configuration and its TOML loader.

`VneidConfig` is a `stubs.settings.Settings` (a frozen msgspec struct): TOML keys are its field
names, unknown keys and wrong types are refused by msgspec, and what types cannot say is checked
in `__post_init__`; every error is a `ConfigError` naming the key first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from stubs.app_links import check_fingerprints
from stubs.settings import ConfigError, Settings, load_settings, set_field
from stubs.vneid.defects import CATALOGUE

__all__ = ["PACKAGED_PERSONAS", "SUPPORTED_SIGNING_ALGS", "ClientRegistration", "ConfigError",
           "VneidConfig", "load_config"]

PACKAGED_PERSONAS = Path(__file__).parent / "data" / "personas.json"

SUPPORTED_SIGNING_ALGS = ("ES256", "ES384", "ES512")


class ClientRegistration(Settings):
    """One relying party registered at the stub VNeID (a `[[clients]]` table).

    Its fields may also be given positionally (client_id, client_name, client_secret,
    redirect_uris), as the tests of both stubs do.
    """

    secret_fields: ClassVar[frozenset[str]] = frozenset({"client_secret"})

    client_id: str
    client_name: str
    client_secret: str
    redirect_uris: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.client_id:
            raise ConfigError("client_id: must not be empty")
        if not self.client_secret:
            raise ConfigError(f"client_secret: must not be empty (client {self.client_id!r})")
        if isinstance(self.redirect_uris, str) or not self.redirect_uris:
            raise ConfigError(f"redirect_uris: must be a non-empty list of URLs "
                              f"(client {self.client_id!r})")
        set_field(self, "redirect_uris", tuple(self.redirect_uris))


class VneidConfig(Settings, kw_only=True):
    """Every deployment-specific value of the stub VNeID."""

    secret_fields: ClassVar[frozenset[str]] = frozenset(
        {"client_secret", "control_token", "subject_secret"})

    issuer: str = "https://127.0.0.1:8443"
    clients: tuple[ClientRegistration, ...] = ()
    personas_file: Path = PACKAGED_PERSONAS
    # Assurance levels and claim names: what a real deployment may name differently.
    acr_level2: str = "urn:vn:vneid:loa:2"
    acr_level1: str = "urn:vn:vneid:loa:1"
    id_number_claim: str = "id_number"
    id_number_scope: str = "id_number"
    scopes_supported: tuple[str, ...] = ("openid", "profile", "id_number", "phone")
    # The VNeID app itself.
    app_name: str = "VNeID"
    min_app_version: str = "2.1.0"
    store_url: str = "https://play.google.com/store/apps/details?id=com.vnid"
    # App links (APP-01): who may claim this origin's https links. The fingerprint and the
    # Apple team id are synthetic test values, never a real signing certificate.
    android_package: str = "com.vnid"
    android_cert_fingerprints: tuple[str, ...] = (":".join(["DE", "AD", "BE", "EF"] * 8),)
    ios_app_ids: tuple[str, ...] = ("TESTTEAM01.com.vnid",)
    # Where the not-installed screen's web fallback leads when the web_fallback_off_origin
    # defect is on (another origin, plain http).
    off_origin_fallback_url: str = "http://vneid-web.example/authorize/web"
    # Lifetimes, in seconds.
    code_ttl_seconds: int = 60
    id_token_ttl_seconds: int = 300
    access_token_ttl_seconds: int = 300
    transaction_ttl_seconds: int = 600
    key_overlap_seconds: int = 86400
    # Throttling and input limits.
    lockout_threshold: int = 5
    max_param_length: int = 2048
    max_body_bytes: int = 16384
    request_log_limit: int = 1000
    # Control plane: disabled when no token is set.
    control_token: str | None = None
    # Signing.
    signing_alg: str = "ES256"
    signing_key_file: Path | None = None
    subject_secret: str = "vneid-stub-subject-key"
    # Paths of the endpoints, relative to the issuer.
    authorize_path: str = "/authorize"
    token_path: str = "/token"
    userinfo_path: str = "/userinfo"
    jwks_path: str = "/jwks"
    device_path: str = "/_device"
    control_prefix: str = "/_stub"
    device_cookie: str = "vneid_device"
    # False: screens without the kit's contract attributes (stubs/markup.py), like a vendor's
    # app that has none; only for proving that a target's [idp.locators] alone is enough.
    contract_markup: bool = True
    # Seeded breakage for the project's own tests; empty by default.
    defects: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.issuer.startswith(("https://", "http://")) or self.issuer.endswith("/"):
            raise ConfigError("issuer: must be an http(s) URL without a trailing slash")
        # Built directly (not through the loader), sequences may come as lists: kept as tuples.
        for name in ("clients", "scopes_supported", "android_cert_fingerprints", "ios_app_ids"):
            set_field(self, name, tuple(getattr(self, name)))
        set_field(self, "defects", frozenset(self.defects))
        set_field(self, "personas_file", Path(self.personas_file))
        if self.signing_key_file is not None:
            set_field(self, "signing_key_file", Path(self.signing_key_file))
        check_fingerprints(self.android_cert_fingerprints)
        CATALOGUE.check_config(self.defects, "stubs/vneid/README.md")
        if self.signing_alg not in SUPPORTED_SIGNING_ALGS:
            raise ConfigError(f"signing_alg: must be one of {SUPPORTED_SIGNING_ALGS}")
        if self.lockout_threshold < 1:
            raise ConfigError("lockout_threshold: must be at least 1")
        if "openid" not in self.scopes_supported:
            raise ConfigError("scopes_supported: must contain 'openid'")
        for name in ("authorize_path", "token_path", "userinfo_path", "jwks_path",
                     "device_path", "control_prefix"):
            if not getattr(self, name).startswith("/"):
                raise ConfigError(f"{name}: must start with '/'")

    def has_defect(self, name: str) -> bool:
        """Whether the named seeded defect is switched on (a name no defect has fails loudly:
        that is a bug of the code asking, which would otherwise never switch on)."""
        return CATALOGUE.require(name) in self.defects

    def url(self, path: str) -> str:
        """The absolute URL of one of the stub's paths."""
        return self.issuer + path

    @property
    def claims_supported(self) -> tuple[str, ...]:
        """The claims the ID token and userinfo may carry."""
        return ("iss", "sub", "aud", "azp", "exp", "iat", "auth_time", "nonce", "acr",
                self.id_number_claim, "name", "birthdate", "phone_number",
                "phone_number_verified")

    def client(self, client_id: str) -> ClientRegistration | None:
        """The configured registration for a client_id, if any."""
        return next((c for c in self.clients if c.client_id == client_id), None)


def load_config(path: Path | None = None, **overrides: Any) -> VneidConfig:
    """The config from a TOML file (keys = field names; relative paths relative to the file),
    with keyword overrides on top (a None override is no override)."""
    return load_settings(VneidConfig, path, relative_paths=("personas_file", "signing_key_file"),
                         overrides=overrides)
