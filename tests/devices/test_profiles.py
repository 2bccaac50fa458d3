"""Capability profiles: what each shipped profile asks Appium for, and how mistakes are reported."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from fixtures.devices import (
    DEVICES_DIR,
    ProfileError,
    available_profiles,
    build_capabilities,
    load_profile,
    open_link_command,
)

SPKI = "aGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8gd29ybGQ="


def test_the_kit_ships_the_emulated_android_and_ios_profiles():
    assert {"emulated", "android", "ios"} <= set(available_profiles())


def test_the_default_profile_is_the_emulated_phone_in_debian_chromium():
    profile = load_profile(None)
    caps = build_capabilities(profile, chromium_binary="/opt/chromium", spki_sha256=SPKI,
                              chromedriver_port=40123)
    assert profile.kind == "web" and profile.locator == "css"
    assert caps["appium:automationName"] == "Chromium"
    assert caps["appium:autodownloadEnabled"] is False
    assert caps["appium:executable"] == "/usr/bin/chromedriver"
    assert caps["appium:chromedriverPort"] == 40123
    options = caps["goog:chromeOptions"]
    assert options["binary"] == "/opt/chromium"
    assert f"--ignore-certificate-errors-spki-list={SPKI}" in options["args"]
    assert not any(a == "--ignore-certificate-errors" for a in options["args"])
    assert "--headless=new" in options["args"]


PIXEL_7 = (
    "import json; from playwright.sync_api import sync_playwright\n"
    "with sync_playwright() as p: print(json.dumps(p.devices['Pixel 7']))"
)


def test_the_emulated_phone_is_the_same_phone_playwright_emulates():
    # In a subprocess: this process may already run Playwright's event loop (suites/).
    pixel = json.loads(subprocess.run([sys.executable, "-c", PIXEL_7], check=True,
                                      capture_output=True, text=True).stdout)
    emulation = build_capabilities(load_profile("emulated"))["goog:chromeOptions"][
        "mobileEmulation"]
    metrics = emulation["deviceMetrics"]
    assert (metrics["width"], metrics["height"]) == (pixel["viewport"]["width"],
                                                     pixel["viewport"]["height"])
    assert metrics["pixelRatio"] == pixel["device_scale_factor"]
    assert emulation["userAgent"] == pixel["user_agent"]


def test_the_android_profile_drives_the_real_apps_with_uiautomator2():
    profile = load_profile("android")
    caps = build_capabilities(profile, spki_sha256=SPKI, chromedriver_port=1)
    assert caps["platformName"] == "Android"
    assert caps["appium:automationName"] == "UiAutomator2"
    assert caps["appium:appPackage"] == "com.bhxhapp"
    assert profile.app_id("vneid") == "com.vnid"
    assert profile.locator == "accessibility_id"
    assert "goog:chromeOptions" not in caps, "a native session must not start a browser"


def test_the_ios_profile_refuses_to_start_without_bundle_ids():
    with pytest.raises(ProfileError, match=r"ios.toml: key apps.vssid: empty"):
        load_profile("ios")


def test_a_filled_in_ios_copy_builds_xcuitest_capabilities(tmp_path):
    text = (DEVICES_DIR / "ios.toml").read_text("utf-8")
    text = text.replace('vssid = ""', 'vssid = "vn.example.vssid"').replace(
        'vneid = ""', 'vneid = "vn.example.vneid"')
    mine = tmp_path / "my-iphone.toml"
    mine.write_text(text, encoding="utf-8")
    profile = load_profile(str(mine))
    caps = build_capabilities(profile)
    assert caps["appium:automationName"] == "XCUITest"
    assert caps["appium:bundleId"] == "vn.example.vssid"
    assert open_link_command(profile, "https://vneid.example/a", "vneid") == (
        "mobile: deepLink", {"url": "https://vneid.example/a", "bundleId": "vn.example.vneid"})


def test_an_unknown_profile_names_the_shipped_ones():
    with pytest.raises(ProfileError, match=r"'pixel9'.*emulated"):
        load_profile("pixel9")


def test_a_misspelt_key_is_refused_with_its_path(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nkind = "web"\nlocator = "css"\nlocatr = "css"\n', "utf-8")
    with pytest.raises(ProfileError, match=r"bad.toml: .*locatr"):
        load_profile(str(bad))


@pytest.mark.parametrize(("name", "expected"), [
    ("android", ("mobile: deepLink", {"url": "https://vneid.example/authorize?x=1",
                                      "package": "com.vnid", "waitForLaunch": True})),
])
def test_app_links_open_in_the_right_app_on_android(name, expected):
    assert open_link_command(load_profile(name), "https://vneid.example/authorize?x=1",
                             "vneid") == expected


def test_a_web_phone_has_no_deep_link_command():
    with pytest.raises(ProfileError, match="opens links itself"):
        open_link_command(load_profile("emulated"), "https://x.example/", "vssid")
