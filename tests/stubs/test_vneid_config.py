"""The stub VNeID's config: defaults, TOML loading, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stubs.settings import ConfigError, Settings, replace_settings
from stubs.versions import AppVersion, UnparsableVersion, meets_minimum
from stubs.vneid.config import PACKAGED_PERSONAS, ClientRegistration, VneidConfig, load_config
from stubs.vneid.personas import load_personas

DOCUMENTED_PERSONAS = Path(__file__).parents[2] / "docs" / "personas.md"


def test_defaults_are_the_documented_profile():
    config = VneidConfig()
    assert (config.acr_level2, config.acr_level1) == ("urn:vn:vneid:loa:2", "urn:vn:vneid:loa:1")
    assert config.id_number_claim == "id_number"
    assert config.min_app_version == "2.1.0"
    assert (config.code_ttl_seconds, config.lockout_threshold) == (60, 5)
    assert config.control_token is None and config.defects == frozenset()
    assert config.personas_file == PACKAGED_PERSONAS


def test_load_config_reads_toml_with_clients_and_relative_paths(tmp_path):
    (tmp_path / "people.json").write_text(PACKAGED_PERSONAS.read_text("utf-8"), "utf-8")
    path = tmp_path / "vneid.toml"
    path.write_text('''
issuer = "https://idp.test"
personas_file = "people.json"
lockout_threshold = 3
defects = ["no_lockout"]
[[clients]]
client_id = "vssid"
client_name = "VssID"
client_secret = "s"
redirect_uris = ["https://rp.test/cb"]
''', "utf-8")
    config = load_config(path, control_token="t")
    assert config.issuer == "https://idp.test" and config.lockout_threshold == 3
    assert config.personas_file == tmp_path / "people.json"
    assert config.clients[0].redirect_uris == ("https://rp.test/cb",)
    assert config.defects == frozenset({"no_lockout"}) and config.control_token == "t"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('isuer = "https://x"', "isuer"),
        ("lockout_threshold = \"5\"", "lockout_threshold"),
        ("lockout_threshold = 0", "lockout_threshold"),
        ('issuer = "https://x/"', "issuer"),
        ('defects = ["no_such_defect"]', "defects"),
        ('signing_alg = "RS256"', "signing_alg"),
        ("scopes_supported = \"openid\"", "scopes_supported"),
        ('[[clients]]\nclient_id = "a"', "client_name"),
        ('[[clients]]\nclient_id = "a"\nclient_name = "A"\nclient_secret = "s"\n'
         'redirect_uris = "https://x"', "redirect_uris"),
        ("this is not toml", "not valid TOML"),
        ('contract_markup = "no"', "contract_markup: expected `bool`, got `str`"),
        ("lockout_threshold = true", "lockout_threshold: expected `int`, got `bool`"),
        ('personas_file = 3', "personas_file: expected a path string"),
        ('control_prefix = "_stub"', "control_prefix: must start with '/'"),
        ('[[clients]]\nclient_id = "a"\nclient_name = "A"\nclient_secret = ""\n'
         'redirect_uris = ["https://x"]', r"clients\[0\]: client_secret: must not be empty"),
        ('[[clients]]\nclient_id = "a"\nclient_name = "A"\nclient_secret = "s"\n'
         'redirect_uris = ["https://x"]\nscope = "openid"',
         r"clients\[0\]\.scope: unknown setting"),
    ],
)
def test_bad_config_errors_name_the_key(tmp_path, text, key):
    path = tmp_path / "bad.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(ConfigError, match=key):
        load_config(path)


def test_the_config_is_a_frozen_settings_struct_replaced_and_checked_by_msgspec():
    config = VneidConfig(issuer="https://idp.test")
    assert isinstance(config, Settings)
    with pytest.raises(AttributeError):
        config.issuer = "https://other.test"  # type: ignore[misc]
    assert msgspec.structs.replace(config, lockout_threshold=3).lockout_threshold == 3
    assert replace_settings(config, defects=["no_lockout"]).defects == frozenset({"no_lockout"})
    with pytest.raises(ConfigError, match="lockout_threshold: must be at least 1"):
        msgspec.structs.replace(config, lockout_threshold=0)
    with pytest.raises(ConfigError, match="lockout_threshold: expected `int`"):
        replace_settings(config, lockout_threshold="3")


def test_config_built_in_code_keeps_tuples_and_paths():
    config = VneidConfig(clients=[ClientRegistration(
        client_id="a", client_name="A", client_secret="s", redirect_uris=["https://rp.test/cb"])],
        personas_file=str(PACKAGED_PERSONAS), defects=["no_lockout"])
    assert config.clients[0].redirect_uris == ("https://rp.test/cb",)
    assert isinstance(config.clients, tuple) and config.personas_file == PACKAGED_PERSONAS
    assert config.defects == frozenset({"no_lockout"}) and config.has_defect("no_lockout")


def test_repr_never_shows_a_secret():
    config = VneidConfig(clients=(ClientRegistration(
        client_id="a", client_name="A", client_secret="client-secret-value",
        redirect_uris=("https://rp.test/cb",)),),
        control_token="control-token-value", subject_secret="subject-secret-value")
    for shown in (repr(config), str(config), repr(config.clients[0]),
                  repr(list(config.__rich_repr__()))):
        for secret in ("client-secret-value", "control-token-value", "subject-secret-value"):
            assert secret not in shown
    assert "client_id='a'" in repr(config) and "control_token=[redacted]" in repr(config)
    assert "control_token=None" in repr(VneidConfig())


def test_unknown_override_is_refused():
    with pytest.raises(ConfigError, match="no_such_setting"):
        load_config(None, no_such_setting=1)


def test_persona_file_matches_docs_personas_md():
    rows = [line.split("|")[1:-1] for line in DOCUMENTED_PERSONAS.read_text("utf-8").splitlines()
            if line.startswith("| l")]
    documented = {r[0].strip(): [c.strip() for c in r] for r in rows}
    stored = {p.key: p for p in load_personas(PACKAGED_PERSONAS)}
    assert set(stored) == set(documented)
    for key, cols in documented.items():
        p = stored[key]
        assert [p.id_number, p.name, p.birthdate, p.sex, str(p.level), p.status, p.password,
                p.passcode, p.social_insurance_code] == cols[1:10], key
        assert p.phone_number == cols[12], key


@pytest.mark.parametrize(
    ("a", "b", "order"),
    [("1.6", "1.6.0", 0), ("1.6.7-beta", "1.6.7", -1), ("2.1.0+build", "2.1.0", 0),
     ("2.10.0", "2.9.9", 1), ("1.0.0-alpha", "1.0.0-alpha.1", -1),
     ("1.0.0-alpha.1", "1.0.0-alpha.beta", -1), ("1.0.0-rc.1", "1.0.0", -1),
     ("1.0.0-2", "1.0.0-10", -1)],
)
def test_version_order(a, b, order):
    assert AppVersion.parse(a).compare(AppVersion.parse(b)) == order
    assert AppVersion.parse(b).compare(AppVersion.parse(a)) == -order


@pytest.mark.parametrize("text", ["", "v1", "1.", ".1", "1..2", "1.2-", "1.2+", "1 .2", "x"])
def test_unparsable_versions_never_meet_a_minimum(text):
    with pytest.raises(UnparsableVersion):
        AppVersion.parse(text)
    assert not meets_minimum(text, "0")


_core = st.lists(st.integers(0, 999), min_size=1, max_size=4)


@given(_core, st.integers(0, 2))  # at most 6 components: the bound all three gates share
def test_trailing_zero_components_do_not_change_a_version(core, zeros):
    text = ".".join(map(str, core))
    padded = text + ".0" * zeros
    assert AppVersion.parse(text).compare(AppVersion.parse(padded)) == 0


@given(_core, _core)
def test_version_order_is_numeric_tuple_order(a, b):
    width = max(len(a), len(b))
    pa, pb = a + [0] * (width - len(a)), b + [0] * (width - len(b))
    expected = (pa > pb) - (pa < pb)
    got = AppVersion.parse(".".join(map(str, a))).compare(AppVersion.parse(".".join(map(str, b))))
    assert got == expected


def test_the_config_error_is_the_shared_one():
    import stubs.vneid.config as vneid_config

    assert vneid_config.ConfigError is ConfigError
    assert not hasattr(vneid_config, "_check_type")
    assert not hasattr(vneid_config, "_client_from_table")
