"""The reference VssID's one frozen configuration and its TOML loader."""

from __future__ import annotations

import dataclasses
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from stubs.vssid import defects as defect_catalogue
from stubs.vssid.versions import parse_version

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_ACCOUNTS_FILE = PACKAGE_DIR / "data" / "accounts.json"
# How assetlinks.json spells a SHA-256 certificate fingerprint: 32 uppercase hex bytes.
SHA256_FINGERPRINT = re.compile(r"(?:[0-9A-F]{2}:){31}[0-9A-F]{2}")


class ConfigError(ValueError):
    """A configuration value is missing, unknown or invalid; the message names the key."""


@dataclass(frozen=True)
class VssidConfig:
    """Everything deployment-specific about one reference VssID."""

    base_url: str
    issuer: str
    client_secret: str = field(repr=False)
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
    control_plane_enabled: bool = True
    # False: screens without the kit's contract attributes (data-testid, data-screen,
    # data-outcome, data-reason), like a vendor's app that has none; only for proving that a
    # target's [rp.locators] table alone is enough to drive the RP suite.
    contract_markup: bool = True
    defects: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
        object.__setattr__(self, "accounts_file", Path(self.accounts_file))
        if self.ca_file is not None:
            object.__setattr__(self, "ca_file", Path(self.ca_file))
        object.__setattr__(self, "allowed_algs", tuple(self.allowed_algs))
        object.__setattr__(self, "android_cert_fingerprints",
                           tuple(self.android_cert_fingerprints))
        object.__setattr__(self, "ios_app_ids", tuple(self.ios_app_ids))
        object.__setattr__(self, "defects", frozenset(self.defects))
        self._validate()

    def _validate(self) -> None:
        for key in ("base_url", "issuer"):
            value = getattr(self, key)
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ConfigError(f"{key}: must be an absolute http(s) URL, got {value!r}")
        if not self.client_secret:
            raise ConfigError("client_secret: must not be empty")
        for key in ("redirect_path", "register_path"):
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
        unknown = sorted(self.defects - defect_catalogue.NAMES)
        if unknown:
            raise ConfigError(f"defects: unknown defect(s) {unknown}; see stubs/vssid/README.md")
        for key in ("clock_skew_seconds", "attempt_ttl_seconds", "session_ttl_seconds",
                    "password_lockout_seconds", "id_number_mask_visible_prefix",
                    "id_number_mask_visible_suffix"):
            if getattr(self, key) < 0:
                raise ConfigError(f"{key}: must be >= 0")
        if self.password_lockout_threshold < 1:
            raise ConfigError("password_lockout_threshold: must be >= 1")
        bad = [f for f in self.android_cert_fingerprints if not SHA256_FINGERPRINT.fullmatch(f)]
        if bad or not self.android_cert_fingerprints:
            raise ConfigError("android_cert_fingerprints: must be SHA-256 fingerprints in "
                              f"uppercase hex with colons, got {bad}")

    @property
    def redirect_uri(self) -> str:
        """The claimed https callback link VNeID hands back to."""
        if "custom_scheme_redirect" in self.defects:
            return self.custom_scheme_redirect_uri
        return self.base_url + self.redirect_path

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry Secure whenever the app is served over https."""
        return self.base_url.startswith("https://")

    def has_defect(self, name: str) -> bool:
        """Whether a defect switch is on (never from the defaults)."""
        return name in self.defects


def _coerce(key: str, value: object, annotation: object) -> object:
    """Turn one TOML value into the field's type, or raise an error naming the key."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (types.UnionType, typing.Union):
        if value is None:
            return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(key, value, inner[0])
    if annotation is Path:
        if not isinstance(value, (str, Path)):
            raise ConfigError(f"{key}: expected a path string, got {type(value).__name__}")
        return Path(value)
    if origin in (tuple, frozenset):
        if not isinstance(value, (list, tuple, set, frozenset)) or not all(
            isinstance(v, str) for v in value
        ):
            raise ConfigError(f"{key}: expected a list of strings")
        return origin(value)
    if annotation is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{key}: expected true or false, got {value!r}")
        return value
    if annotation is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{key}: expected an integer, got {value!r}")
        return value
    if annotation is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{key}: expected a number, got {value!r}")
        return float(value)
    if annotation is str:
        if not isinstance(value, str):
            raise ConfigError(f"{key}: expected a string, got {type(value).__name__}")
        return value
    return value


def build_config(values: dict[str, object]) -> VssidConfig:
    """Build a config from plain values (TOML or keyword), with errors naming the key."""
    hints = typing.get_type_hints(VssidConfig)
    fields = {f.name: f for f in dataclasses.fields(VssidConfig)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ConfigError(f"{unknown[0]}: unknown setting (known: {', '.join(sorted(fields))})")
    missing = [
        name for name, f in fields.items()
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        and name not in values
    ]
    if missing:
        raise ConfigError(f"{missing[0]}: required setting is missing")
    coerced = {key: _coerce(key, value, hints[key]) for key, value in values.items()}
    return VssidConfig(**coerced)


def load_config(path: str | Path | None = None, **overrides: object) -> VssidConfig:
    """Load a TOML file (flat keys, or a [vssid] table) and apply keyword overrides."""
    values: dict[str, object] = {}
    if path is not None:
        try:
            with open(path, "rb") as handle:
                document = tomllib.load(handle)
        except OSError as exc:
            raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
        table = document.get("vssid", document)
        if not isinstance(table, dict):
            raise ConfigError("vssid: expected a table")
        for key in ("accounts_file", "ca_file"):
            # Relative paths in a config file are relative to that file, not the cwd.
            if isinstance(table.get(key), str) and not Path(table[key]).is_absolute():
                table[key] = str(Path(path).parent / table[key])
        values.update(table)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return build_config(values)
