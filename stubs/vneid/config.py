"""The stub VNeID's one frozen configuration and its TOML loader."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from stubs.vneid.defects import Defect

PACKAGED_PERSONAS = Path(__file__).parent / "data" / "personas.json"

SUPPORTED_SIGNING_ALGS = ("ES256", "ES384", "ES512")

# How assetlinks.json spells a SHA-256 certificate fingerprint: 32 uppercase hex bytes.
SHA256_FINGERPRINT = re.compile(r"(?:[0-9A-F]{2}:){31}[0-9A-F]{2}")


class ConfigError(ValueError):
    """A configuration value is missing, unknown or of the wrong type; the message names the key."""


@dataclass(frozen=True)
class ClientRegistration:
    """One relying party registered at the stub VNeID."""

    client_id: str
    client_name: str
    client_secret: str
    redirect_uris: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.client_id:
            raise ConfigError("clients.client_id: must not be empty")
        if not self.client_secret:
            raise ConfigError(f"clients[{self.client_id}].client_secret: must not be empty")
        if isinstance(self.redirect_uris, str) or not self.redirect_uris:
            raise ConfigError(
                f"clients[{self.client_id}].redirect_uris: must be a non-empty list of URLs"
            )
        object.__setattr__(self, "redirect_uris", tuple(self.redirect_uris))


@dataclass(frozen=True)
class VneidConfig:
    """Every deployment-specific value of the stub VNeID."""

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
    defects: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.issuer.startswith(("https://", "http://")) or self.issuer.endswith("/"):
            raise ConfigError("issuer: must be an http(s) URL without a trailing slash")
        object.__setattr__(self, "clients", tuple(self.clients))
        object.__setattr__(self, "scopes_supported", tuple(self.scopes_supported))
        object.__setattr__(self, "android_cert_fingerprints",
                           tuple(self.android_cert_fingerprints))
        object.__setattr__(self, "ios_app_ids", tuple(self.ios_app_ids))
        bad = [f for f in self.android_cert_fingerprints if not SHA256_FINGERPRINT.fullmatch(f)]
        if bad or not self.android_cert_fingerprints:
            raise ConfigError("android_cert_fingerprints: must be SHA-256 fingerprints in "
                              f"uppercase hex with colons, got {bad}")
        object.__setattr__(self, "personas_file", Path(self.personas_file))
        if self.signing_key_file is not None:
            object.__setattr__(self, "signing_key_file", Path(self.signing_key_file))
        unknown = set(self.defects) - {d.value for d in Defect}
        if unknown:
            raise ConfigError(f"defects: unknown defect name(s) {sorted(unknown)}")
        object.__setattr__(self, "defects", frozenset(self.defects))
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

    def has_defect(self, defect: Defect) -> bool:
        """Whether the given seeded defect is switched on."""
        return defect.value in self.defects

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


def _client_from_table(index: int, table: Any) -> ClientRegistration:
    """A client registration from one [[clients]] TOML table."""
    if not isinstance(table, dict):
        raise ConfigError(f"clients[{index}]: must be a table")
    allowed = {f.name for f in fields(ClientRegistration)}
    unknown = set(table) - allowed
    if unknown:
        raise ConfigError(f"clients[{index}].{sorted(unknown)[0]}: unknown key")
    missing = allowed - set(table)
    if missing:
        raise ConfigError(f"clients[{index}].{sorted(missing)[0]}: missing")
    for key in ("client_id", "client_name", "client_secret"):
        if not isinstance(table[key], str):
            raise ConfigError(f"clients[{index}].{key}: must be a string")
    uris = table["redirect_uris"]
    if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
        raise ConfigError(f"clients[{index}].redirect_uris: must be a list of strings")
    return ClientRegistration(**{**table, "redirect_uris": tuple(uris)})



def _check_type(key: str, value: Any, default: Any) -> Any:
    """Coerce a TOML value to the type of the field's default, or name the key in an error."""
    if key in ("control_token", "signing_key_file"):
        if not isinstance(value, str):
            raise ConfigError(f"{key}: must be a string")
        return Path(value) if key == "signing_key_file" else value
    if key == "personas_file":
        if not isinstance(value, str):
            raise ConfigError(f"{key}: must be a path string")
        return Path(value)
    if isinstance(default, tuple | frozenset):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{key}: must be a list of strings")
        return type(default)(value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{key}: must be true or false")
        return value
    if isinstance(value, bool):
        raise ConfigError(f"{key}: unsupported boolean")
    if isinstance(default, int):
        if not isinstance(value, int):
            raise ConfigError(f"{key}: must be an integer")
        return value
    if not isinstance(value, str):
        raise ConfigError(f"{key}: must be a string")
    return value


def load_config(path: Path | None = None, **overrides: Any) -> VneidConfig:
    """Build the config from a TOML file (keys = field names) with keyword overrides on top."""
    values: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read ({exc.strerror})") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
        defaults = VneidConfig()
        known = {f.name for f in fields(VneidConfig)}
        for key, value in data.items():
            if key not in known:
                raise ConfigError(f"{key}: unknown setting in {path}")
            if key == "clients":
                if not isinstance(value, list):
                    raise ConfigError("clients: must be an array of tables ([[clients]])")
                values[key] = tuple(_client_from_table(i, t) for i, t in enumerate(value))
            else:
                values[key] = _check_type(key, value, getattr(defaults, key))
        for key in ("personas_file", "signing_key_file"):
            # Relative paths in a config file are relative to that file, not the cwd.
            if key in values and not values[key].is_absolute():
                values[key] = path.parent / values[key]
    values.update(overrides)
    try:
        return replace(VneidConfig(), **values)
    except TypeError as exc:
        raise ConfigError(str(exc)) from exc
