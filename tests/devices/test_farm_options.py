"""Device-farm options in capability profiles: the vendor's block under its key, credentials from
the environment only (never from the profile file), VNEID_KIT_FARM_OPTIONS merged over it, and
the resolved credentials kept out of redacted text and known to the secret ledger.

UNTESTED against a real farm: these tests check the capabilities the kit builds, not a session.
"""

from __future__ import annotations

import json
import re

import pytest

from fixtures import secret_ledger
from fixtures.devices import (
    DEVICES_DIR,
    FARM_OPTIONS_ENV,
    ProfileError,
    build_capabilities,
    is_farm_credential,
    load_profile,
)
from fixtures.redaction import redact_text

# Made-up credentials, long enough for the ledger (it ignores values under 6 characters).
USER = "farmuser-4711"
ACCESS_KEY = "Zq8xFarmAccessKey0123456789abcdef"

NATIVE = """\
name = "farm-android"
kind = "native"
locator = "accessibility_id"

[apps]
vssid = "com.bhxhapp"
vneid = "com.vnid"

[capabilities]
platformName = "Android"
"appium:automationName" = "UiAutomator2"
"""

WEB = """\
name = "farm-web"
kind = "web"
locator = "css"

[chromium.emulation]
width = 412
height = 915
pixel_ratio = 2.625
user_agent = "Mozilla/5.0 (Linux; Android 14; Pixel 7)"
"""

BSTACK = """
[farm]
options_key = "bstack:options"
[farm.options]
userName = "${FARM_TEST_USER}"
accessKey = "${FARM_TEST_KEY}"
deviceName = "Samsung Galaxy S23"
osVersion = "13.0"
"""


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    """No farm options from the machine's own environment."""
    for name in (FARM_OPTIONS_ENV, "FARM_TEST_USER", "FARM_TEST_KEY", "FARM_TEST_BUILD"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def credentials(monkeypatch):
    monkeypatch.setenv("FARM_TEST_USER", USER)
    monkeypatch.setenv("FARM_TEST_KEY", ACCESS_KEY)


def write(tmp_path, text: str, name: str = "farm.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_block_lands_under_its_key_with_credentials_from_the_environment(
        tmp_path, credentials):
    caps = build_capabilities(load_profile(write(tmp_path, NATIVE + BSTACK)))
    assert caps["bstack:options"] == {"userName": USER, "accessKey": ACCESS_KEY,
                                      "deviceName": "Samsung Galaxy S23", "osVersion": "13.0"}
    # The rest of the native capabilities are untouched.
    assert caps["appium:appPackage"] == "com.bhxhapp"
    assert caps["appium:automationName"] == "UiAutomator2"


def test_a_web_profile_gets_the_block_too(tmp_path, credentials):
    caps = build_capabilities(load_profile(write(tmp_path, WEB + BSTACK)), spki_sha256="pin")
    assert caps["bstack:options"]["accessKey"] == ACCESS_KEY
    assert "goog:chromeOptions" in caps


def test_the_profile_itself_keeps_only_the_variable_names(tmp_path, credentials):
    profile = load_profile(write(tmp_path, NATIVE + BSTACK))
    assert profile.farm is not None
    assert profile.farm.options["accessKey"] == "${FARM_TEST_KEY}"
    assert ACCESS_KEY not in repr(profile)


def test_a_missing_variable_names_the_variable_and_the_key(tmp_path, monkeypatch):
    monkeypatch.setenv("FARM_TEST_USER", USER)
    profile = load_profile(write(tmp_path, NATIVE + BSTACK))
    with pytest.raises(ProfileError, match=r"farm\.options\.accessKey: set the environment "
                                           r"variable FARM_TEST_KEY \(it is not set\)"):
        build_capabilities(profile)


def test_an_empty_credential_variable_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("FARM_TEST_USER", USER)
    monkeypatch.setenv("FARM_TEST_KEY", "")
    with pytest.raises(ProfileError, match=r"FARM_TEST_KEY \(it is empty\)"):
        build_capabilities(load_profile(write(tmp_path, NATIVE + BSTACK)))


@pytest.mark.parametrize("line", [
    'accessKey = "Zq8xLiteralKey123456"',
    'userName = "alice"',
    'apiKey = "k-123456789"',
    'password = "hunter22"',
    'token = "t0k3n-abcdef"',
    'tunnel_secret = "s3cr3t-value"',
    'PRIVATEKEY = "pk-abcdef"',
    'accessKey = "$FARM_TEST_KEY"',  # not the ${NAME} form
    "accessKey = 123456789",
])
def test_a_literal_credential_in_the_profile_is_refused(tmp_path, line):
    text = NATIVE + '[farm]\noptions_key = "bstack:options"\n[farm.options]\n' + line + "\n"
    with pytest.raises(ProfileError, match=r"farm.toml: key farm\.options\.\w+: a credential "
                                           r"must not be written .*environment variable") as info:
        load_profile(write(tmp_path, text))
    value = line.partition("=")[2].strip().strip('"')
    assert value not in str(info.value), "the refusal must not repeat the credential"


def test_a_literal_credential_in_a_nested_table_is_refused(tmp_path):
    text = NATIVE + BSTACK + '[farm.options.tunnel]\naccess_key = "Zq8xNestedKey99"\n'
    with pytest.raises(ProfileError, match=r"farm\.options\.tunnel\.access_key: a credential"):
        load_profile(write(tmp_path, text))


@pytest.mark.parametrize("name, expected", [
    ("userName", True), ("username", True), ("accessKey", True), ("access_key", True),
    ("apiKey", True), ("password", True), ("token", True), ("githubToken", True),
    ("clientSecret", True), ("proxyPassword", True),
    ("deviceName", False), ("osVersion", False), ("buildName", False), ("isRealMobile", False),
])
def test_which_farm_options_are_credentials(name, expected):
    assert is_farm_credential(name) is expected


@pytest.mark.parametrize("key", ["bstack-options", "options", "", "bstack: options",
                                 "goog:chromeOptions"])
def test_an_options_key_that_is_not_an_extension_capability_is_refused(tmp_path, key):
    text = NATIVE + f'[farm]\noptions_key = "{key}"\n'
    with pytest.raises(ProfileError, match=r"farm.toml: key farm\.options_key: "):
        load_profile(write(tmp_path, text))


def test_an_unknown_key_in_the_farm_section_is_refused(tmp_path):
    text = NATIVE + '[farm]\noptions_key = "bstack:options"\noptons = {}\n'
    with pytest.raises(ProfileError, match=r"farm.toml: .*optons"):
        load_profile(write(tmp_path, text))


def test_the_environment_block_is_merged_over_the_files(tmp_path, credentials, monkeypatch):
    monkeypatch.setenv("FARM_TEST_BUILD", "nightly-42")
    monkeypatch.setenv(FARM_OPTIONS_ENV, json.dumps({"bstack:options": {
        "osVersion": "14.0", "buildName": "${FARM_TEST_BUILD}", "debug": True}}))
    caps = build_capabilities(load_profile(write(tmp_path, NATIVE + BSTACK)))
    assert caps["bstack:options"] == {
        "userName": USER, "accessKey": ACCESS_KEY, "deviceName": "Samsung Galaxy S23",
        "osVersion": "14.0", "buildName": "nightly-42", "debug": True}


def test_nested_tables_are_merged_key_by_key(tmp_path, credentials, monkeypatch):
    text = NATIVE + BSTACK + '[farm.options.networkLogsOptions]\ncaptureContent = false\n' \
        'level = "basic"\n'
    monkeypatch.setenv(FARM_OPTIONS_ENV, '{"bstack:options": {"networkLogsOptions": '
                                         '{"level": "full"}}}')
    caps = build_capabilities(load_profile(write(tmp_path, text)))
    assert caps["bstack:options"]["networkLogsOptions"] == {"captureContent": False,
                                                            "level": "full"}


def test_the_environment_alone_supplies_the_block(monkeypatch):
    monkeypatch.setenv(FARM_OPTIONS_ENV, json.dumps({"sauce:options": {
        "username": USER, "accessKey": ACCESS_KEY, "build": "ci"}}))
    caps = build_capabilities(load_profile("android"))
    assert caps["sauce:options"] == {"username": USER, "accessKey": ACCESS_KEY, "build": "ci"}
    assert caps["appium:appPackage"] == "com.bhxhapp"


def test_the_environment_must_name_the_profiles_key(tmp_path, credentials, monkeypatch):
    monkeypatch.setenv(FARM_OPTIONS_ENV, '{"sauce:options": {"build": "ci"}}')
    profile = load_profile(write(tmp_path, NATIVE + BSTACK))
    with pytest.raises(ProfileError, match=rf"{FARM_OPTIONS_ENV}: names 'sauce:options' .*"
                                           r"'bstack:options'"):
        build_capabilities(profile)


@pytest.mark.parametrize("raw, message", [
    ('{"bstack:options": {"accessKey": "Zq8xLeaky"', "not valid JSON"),
    ("not json Zq8xLeaky", "not valid JSON"),
    ('["bstack:options"]', "must be a JSON object with exactly one key"),
    ('"Zq8xLeaky"', "must be a JSON object with exactly one key"),
    ('{"a:b": {}, "c:d": {}}', "must be a JSON object with exactly one key"),
    ('{"bstack:options": "Zq8xLeaky"}', "must be a JSON object"),
    ('{"bstackoptions": {}}', "not a farm's options capability"),
])
def test_a_bad_environment_block_is_refused_naming_the_variable(monkeypatch, raw, message):
    monkeypatch.setenv(FARM_OPTIONS_ENV, raw)
    with pytest.raises(ProfileError, match=rf"^{FARM_OPTIONS_ENV}: .*{re.escape(message)}") \
            as info:
        build_capabilities(load_profile("android"))
    assert "Zq8xLeaky" not in str(info.value), "the variable's text must not be echoed"


def test_the_shipped_profiles_have_no_farm():
    for name in ("android", "emulated"):
        profile = load_profile(name)
        assert profile.farm is None
        assert not any(":options" in key.lower() for key in build_capabilities(profile))


@pytest.mark.parametrize("name", ["android", "ios"])
def test_the_commented_examples_load_when_uncommented(tmp_path, credentials, name):
    text = (DEVICES_DIR / f"{name}.toml").read_text("utf-8")
    text = text.replace('vssid = ""', 'vssid = "vn.example.vssid"').replace(
        'vneid = ""', 'vneid = "vn.example.vneid"')
    lines = text.splitlines()
    start = lines.index('# options_key = "bstack:options"          # BrowserStack App Automate')
    example = []
    for line in lines[start - 1:]:
        if line == "#":
            break
        example.append(line.removeprefix("# "))
    farm = "\n".join(example).replace("BROWSERSTACK_USERNAME", "FARM_TEST_USER").replace(
        "BROWSERSTACK_ACCESS_KEY", "FARM_TEST_KEY").replace("${BUILD_NAME}", "local")
    caps = build_capabilities(load_profile(write(tmp_path, text + "\n" + farm + "\n")))
    assert example[0] == "[farm]"
    assert caps["bstack:options"]["accessKey"] == ACCESS_KEY
    assert caps["bstack:options"]["userName"] == USER


def test_resolved_credentials_are_remembered_by_the_secret_ledger(tmp_path, credentials):
    build_capabilities(load_profile(write(tmp_path, NATIVE + BSTACK)))
    known = secret_ledger.known()
    assert ACCESS_KEY in known.get("farm_accesskey", set())
    assert USER in known.get("farm_username", set())


def test_credentials_from_the_environment_block_are_remembered_too(monkeypatch):
    key = "Zq8xEnvOnlyAccessKey42"
    monkeypatch.setenv(FARM_OPTIONS_ENV, json.dumps({"LT:Options": {"accessKey": key}}))
    build_capabilities(load_profile("android"))
    assert key in secret_ledger.known().get("farm_accesskey", set())


@pytest.mark.parametrize("options_key, user_key", [
    ("bstack:options", "userName"), ("sauce:options", "username"), ("LT:Options", "username"),
])
def test_redacted_capabilities_show_no_access_key(monkeypatch, options_key, user_key):
    monkeypatch.setenv(FARM_OPTIONS_ENV, json.dumps({options_key: {
        user_key: USER, "accessKey": ACCESS_KEY, "apiKey": ACCESS_KEY[::-1],
        "access_key": ACCESS_KEY.upper()}}))
    caps = build_capabilities(load_profile("android"))
    assert caps[options_key]["accessKey"] == ACCESS_KEY
    for shown in (repr(caps), json.dumps(caps), json.dumps(caps, indent=2),
                  f"session failed with capabilities {caps!r}"):
        redacted = redact_text(shown)
        for secret in (ACCESS_KEY, ACCESS_KEY[::-1], ACCESS_KEY.upper()):
            assert secret not in redacted
        assert "[redacted]" in redacted
        assert "com.bhxhapp" in redacted, "redaction must keep what is not secret"
