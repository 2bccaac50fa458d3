"""The reference VssID's one frozen configuration and its TOML loader.

`VssidConfig` is a `stubs.settings.Settings` (a frozen msgspec struct): TOML keys are its field
names, unknown keys and wrong types are refused by msgspec, and what types cannot say is checked
in `__post_init__`; every error is a `ConfigError` naming the key first.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

from stubs.app_links import check_fingerprints
from stubs.settings import ConfigError, Settings, load_settings, set_field
from stubs.versions import parse_version
from stubs.vssid.defects import CATALOGUE

__all__ = ["DEFAULT_ACCOUNTS_FILE", "PACKAGE_DIR", "ConfigError", "VssidConfig", "load_config"]

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_ACCOUNTS_FILE = PACKAGE_DIR / "data" / "accounts.json"

class VssidConfig(Settings, kw_only=True):
    """Everything deployment-specific about one reference VssID."""

    secret_fields: ClassVar[frozenset[str]] = frozenset({"client_secret", "control_token"})

    base_url: str
    issuer: str
    client_secret: str
    client_id: str = "vssid"
    redirect_path: str = "/app/vneid/callback"
    scope: str = "openid profile id_number"
    acr_level2: str = "urn:vn:vneid:loa:2"
    id_number_claim: str = "id_number"
    name_claim: str = "name"
    phone_claim: str = "phone_number"
    min_app_version: str = "1.6.7"
    default_app_version: str = "1.6.7"
    accounts_file: Path = DEFAULT_ACCOUNTS_FILE
    ca_file: Path | None = None
    clock_skew_seconds: int = 60
    attempt_ttl_seconds: int = 300
    session_ttl_seconds: int = 3600
    allowed_algs: tuple[str, ...] = ("ES256", "RS256")
    password_lockout_threshold: int = 5
    password_lockout_seconds: int = 900
    http_timeout_seconds: float = 10.0
    store_url: str = "https://play.google.com/store/apps/details?id=com.bhxhapp"
    register_path: str = "/app/register"
    # App links (APP-01): who may claim this origin's https callback. The fingerprint and the
    # Apple team id are synthetic test values, never a real signing certificate.
    android_package: str = "com.bhxhapp"
    android_cert_fingerprints: tuple[str, ...] = (":".join(["CA", "FE", "BA", "BE"] * 8),)
    ios_app_ids: tuple[str, ...] = ("TESTTEAM02.com.bhxhapp",)
    custom_scheme_redirect_uri: str = "vn.gov.vssid:/callback"
    id_number_mask_visible_prefix: int = 3
    id_number_mask_visible_suffix: int = 3
    device_cookie: str = "vssid_device"
    attempt_cookie: str = "vssid_attempt"
    session_cookie: str = "vssid_session"
    # Control plane (stubs/control_plane.py) under control_prefix: absent when no token is set.
    control_token: str | None = None
    control_prefix: str = "/_stub"
    request_log_limit: int = 1000
    # False: screens without the kit's contract attributes (data-testid, data-screen,
    # data-outcome, data-reason), like a vendor's app that has none; only for proving that a
    # target's [rp.locators] table alone is enough to drive the RP suite.
    contract_markup: bool = True
    defects: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # Built directly (not through the loader), values may come as str / list: normalised.
        set_field(self, "base_url", self.base_url.rstrip("/"))
        set_field(self, "accounts_file", Path(self.accounts_file))
        if self.ca_file is not None:
            set_field(self, "ca_file", Path(self.ca_file))
        for name in ("allowed_algs", "android_cert_fingerprints", "ios_app_ids"):
            set_field(self, name, tuple(getattr(self, name)))
        set_field(self, "defects", frozenset(self.defects))
        for key in ("base_url", "issuer"):
            value = getattr(self, key)
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ConfigError(f"{key}: must be an absolute http(s) URL, got {value!r}")
        if not self.client_secret:
            raise ConfigError("client_secret: must not be empty")
        if self.control_token is not None and not self.control_token:
            raise ConfigError("control_token: must not be empty (leave it out for no control "
                              "plane)")
        for key in ("redirect_path", "register_path", "control_prefix"):
            if not getattr(self, key).startswith("/"):
                raise ConfigError(f"{key}: must start with '/'")
        if "openid" not in self.scope.split():
            raise ConfigError("scope: must contain 'openid'")
        for key in ("min_app_version", "default_app_version"):
            if parse_version(getattr(self, key)) is None:
                raise ConfigError(f"{key}: not a version: {getattr(self, key)!r}")
        unsafe = [a for a in self.allowed_algs if a.lower() == "none" or a.upper().startswith("HS")]
        if unsafe or not self.allowed_algs:
            raise ConfigError(f"allowed_algs: must be non-empty and asymmetric, got {unsafe}")
        CATALOGUE.check_config(self.defects, "stubs/vssid/README.md")
        if self.request_log_limit < 1:
            raise ConfigError("request_log_limit: must be at least 1")
        for key in ("clock_skew_seconds", "attempt_ttl_seconds", "session_ttl_seconds",
                    "password_lockout_seconds", "id_number_mask_visible_prefix",
                    "id_number_mask_visible_suffix"):
            if getattr(self, key) < 0:
                raise ConfigError(f"{key}: must be >= 0")
        if self.password_lockout_threshold < 1:
            raise ConfigError("password_lockout_threshold: must be >= 1")
        check_fingerprints(self.android_cert_fingerprints)

    @property
    def redirect_uri(self) -> str:
        """The claimed https callback link VNeID hands back to."""
        if self.has_defect("custom_scheme_redirect"):
            return self.custom_scheme_redirect_uri
        return self.base_url + self.redirect_path

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry Secure whenever the app is served over https."""
        return self.base_url.startswith("https://")

    def has_defect(self, name: str) -> bool:
        """Whether a defect switch is on (never from the defaults). A name no defect has fails
        loudly: that is a bug of the code asking, which would otherwise never switch on."""
        return CATALOGUE.require(name) in self.defects


def load_config(path: str | Path | None = None, **overrides: object) -> VssidConfig:
    """Load a TOML file (flat keys, or a [vssid] table) and apply keyword overrides (a None
    override is no override); relative paths in the file are relative to the file."""
    return load_settings(VssidConfig, Path(path) if path is not None else None, table="vssid",
                         relative_paths=("accounts_file", "ca_file"), overrides=overrides)
