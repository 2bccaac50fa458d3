"""VssidConfig and load_config: defaults, TOML loading, errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from stubs.vssid.config import ConfigError, VssidConfig, load_config

REQUIRED = {"base_url": "https://127.0.0.1:9443", "issuer": "https://127.0.0.1:8443",
            "client_secret": "s3cret"}


def test_defaults_match_the_profile() -> None:
    config = load_config(None, **REQUIRED)
    assert config.redirect_uri == "https://127.0.0.1:9443/app/vneid/callback"
    assert (config.client_id, config.scope, config.acr_level2) == (
        "vssid", "openid profile id_number", "urn:vn:vneid:loa:2")
    assert (config.min_app_version, config.id_number_claim) == ("1.6.7", "id_number")
    assert (config.password_lockout_threshold, config.password_lockout_seconds) == (5, 900)
    assert config.allowed_algs == ("ES256", "RS256")
    assert config.defects == frozenset()
    assert config.accounts_file.is_file()
    assert config.secure_cookies is True
    assert "s3cret" not in repr(config)
    with pytest.raises(AttributeError):  # a frozen msgspec struct
        config.issuer = "https://evil.test"  # type: ignore[misc]


def test_toml_file_with_table_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "vssid.toml"
    path.write_text('[vssid]\nbase_url = "http://127.0.0.1:1"\nissuer = "https://idp"\n'
                    'client_secret = "x"\nclock_skew_seconds = 30\n'
                    'allowed_algs = ["ES256"]\ndefects = ["pkce_plain"]\n')
    config = load_config(path, issuer="https://other")
    assert config.issuer == "https://other"
    assert config.clock_skew_seconds == 30
    assert config.allowed_algs == ("ES256",)
    assert config.defects == frozenset({"pkce_plain"})
    assert config.secure_cookies is False


@pytest.mark.parametrize(
    ("overrides", "key"),
    [({"nonsense": 1}, "nonsense"),
     ({"clock_skew_seconds": "60"}, "clock_skew_seconds"),
     ({"clock_skew_seconds": True}, "clock_skew_seconds"),
     ({"allowed_algs": ["ES256", "none"]}, "allowed_algs"),
     ({"allowed_algs": ["HS256"]}, "allowed_algs"),
     ({"allowed_algs": []}, "allowed_algs"),
     ({"defects": ["no_such_defect"]}, "defects"),
     ({"min_app_version": "latest"}, "min_app_version"),
     ({"base_url": "127.0.0.1:9443"}, "base_url"),
     ({"issuer": "ftp://idp"}, "issuer"),
     ({"redirect_path": "app/cb"}, "redirect_path"),
     ({"scope": "profile"}, "scope"),
     ({"password_lockout_threshold": 0}, "password_lockout_threshold"),
     ({"client_secret": ""}, "client_secret")],
)
def test_bad_values_name_their_key(overrides: dict, key: str) -> None:
    with pytest.raises(ConfigError, match=f"^{key}"):
        load_config(None, **{**REQUIRED, **overrides})


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_missing_required_key_is_named(missing: str) -> None:
    values = {k: v for k, v in REQUIRED.items() if k != missing}
    with pytest.raises(ConfigError, match=f"^{missing}"):
        load_config(None, **values)


def test_unreadable_or_invalid_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("base_url = ")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(broken)


def test_direct_construction_validates_too() -> None:
    with pytest.raises(ConfigError, match="defects"):
        VssidConfig(**REQUIRED, defects=frozenset({"bogus"}))


def test_relative_paths_in_a_file_are_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / "accounts.json").write_text('{"accounts": []}')
    path = tmp_path / "vssid.toml"
    path.write_text('accounts_file = "accounts.json"\nca_file = "ca.pem"\n')
    config = load_config(path, **REQUIRED)
    assert config.accounts_file == tmp_path / "accounts.json"
    assert config.ca_file == tmp_path / "ca.pem"
