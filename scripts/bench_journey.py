"""Benchmark: median seconds per journey scenario under Playwright and Appium, sessions reused.

    uv run python scripts/bench_journey.py [--rounds 7] [--drivers playwright,appium] [--check]

Starts the embedded stubs once, one Chromium (Playwright) and one Appium session (local server,
emulated phone), then runs each scenario `rounds` times on a fresh phone: a new Playwright
context, or the reused Appium session reset through each app's /_device page and its cookies
deleted — exactly what the test fixtures do. `--check` exits 1 when a median misses its target.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fixtures.appium_server import free_loopback_port, local_appium_server
from fixtures.browser import CHROMIUM_ARGS, PHONE_PROFILE, reset_web_phone
from fixtures.config import DEFAULT_TARGET, Persona, load_target
from fixtures.devices import build_capabilities, load_profile
from fixtures.drivers.app_driver import AppDriver
from fixtures.drivers.appium_driver import AppiumDriver
from fixtures.drivers.phone import Phone
from fixtures.drivers.playwright_driver import PlaywrightDriver
from fixtures.drivers.screens import (
    OutcomeScreen,
    VneidConsent,
    VneidLogin,
    VssidHome,
    expect_screen,
)
from fixtures.servers import SystemsUnderTest, rp_contract, start_systems

# The targets on this machine, in seconds per scenario (median).
TARGETS_S = {"playwright": 1.5, "appium": 3.0}


def _through_vneid(phone: Phone, person: Persona):
    """VssID's VNeID button, then the login at VNeID up to its consent (the kit's one login
    journey, fixtures/drivers/idp_login.py)."""
    vneid = expect_screen(phone.open_vssid().choose_vneid_login(), VneidLogin)
    return phone.vneid_login().go_on(vneid, person, stop_at=(VneidConsent,))


def level2_reaches_home(phone: Phone, personas: dict[str, Persona]) -> None:
    """The notice's three steps, with the three screenshots the suite takes."""
    person = personas["l2_active"]
    phone.capture("step 1")
    consent = expect_screen(_through_vneid(phone, person), VneidConsent)
    phone.capture("step 2")
    home = expect_screen(consent.approve(), VssidHome)
    phone.capture("step 3")
    assert home.person_name == person.name
    assert phone.vssid_session().logged_in is True


def level1_is_refused(phone: Phone, personas: dict[str, Persona]) -> None:
    """A level 1 account ends on VssID's "level 2 required" screen with no session."""
    screen = expect_screen(_through_vneid(phone, personas["l1_active"]), OutcomeScreen)
    assert screen.outcome == "LEVEL2_REQUIRED"
    assert phone.vssid_session().logged_in is False


def old_vssid_hides_the_button(phone: Phone, personas: dict[str, Persona]) -> None:
    """VssID 1.6.6 does not offer the VNeID login."""
    phone.set_device(vssid_version="1.6.6")
    assert not phone.open_vssid().offers_vneid_login()


SCENARIOS: dict[str, Callable[[Phone, dict[str, Persona]], None]] = {
    f.__name__: f for f in (level2_reaches_home, level1_is_refused, old_vssid_hides_the_button)
}


@contextlib.contextmanager
def playwright_phones(systems: SystemsUnderTest,
                      chromium: str) -> Iterator[Callable[[], AppDriver]]:
    """A factory of fresh Playwright phones (one browser, a new context each)."""
    from playwright.sync_api import sync_playwright

    args = [*CHROMIUM_ARGS]
    if systems.spki_pins:
        args.append(f"--ignore-certificate-errors-spki-list={','.join(systems.spki_pins)}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=args)
        device = {**playwright.devices[PHONE_PROFILE], "locale": "vi-VN"}
        contexts = []

        def fresh() -> AppDriver:
            while contexts:
                contexts.pop().close()
            context = browser.new_context(**device)
            contexts.append(context)
            return PlaywrightDriver(context.new_page())

        try:
            yield fresh
        finally:
            for context in contexts:
                context.close()
            browser.close()


@contextlib.contextmanager
def appium_phones(systems: SystemsUnderTest, chromium: str) -> Iterator[Callable[[], AppDriver]]:
    """A factory of fresh Appium phones (one local server, one reused session, reset each time)."""
    from appium import webdriver
    from appium.options.common import AppiumOptions

    caps = build_capabilities(load_profile(None), chromium_binary=chromium,
                              spki_sha256=",".join(systems.spki_pins) or None,
                              chromedriver_port=free_loopback_port())
    with tempfile.TemporaryDirectory() as folder, \
            local_appium_server(Path(folder) / "appium.log") as server:
        started = time.perf_counter()
        session = webdriver.Remote(server.url, options=AppiumOptions().load_capabilities(caps))
        print(f"  appium session start: {time.perf_counter() - started:.2f} s (once per run)")

        def fresh() -> AppDriver:
            origins = (systems.vssid_url, systems.vneid_url)
            reset_web_phone(session, origins, origins)
            return AppiumDriver(session)

        try:
            yield fresh
        finally:
            session.quit()


PHONES = {"playwright": playwright_phones, "appium": appium_phones}


def bench(driver: str, systems: SystemsUnderTest, personas, rounds: int, chromium: str,
          contract) -> dict:
    """Median (and spread) of each scenario's seconds, fresh phone included, under one driver."""
    results: dict[str, list[float]] = {name: [] for name in SCENARIOS}
    with PHONES[driver](systems, chromium) as fresh:
        for round_index in range(rounds + 1):  # round 0 warms caches up and is not counted
            for name, scenario in SCENARIOS.items():
                started = time.perf_counter()
                phone = Phone(fresh(), vssid_url=systems.vssid_url, vneid_url=systems.vneid_url,
                              contract=contract)
                scenario(phone, personas)
                if round_index:
                    results[name].append(time.perf_counter() - started)
    return {name: (statistics.median(t), min(t), max(t)) for name, t in results.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--drivers", default="playwright,appium")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    options = parser.parse_args(argv)
    target = load_target(DEFAULT_TARGET)
    missed = []
    with tempfile.TemporaryDirectory() as workdir, \
            start_systems(target, Path(workdir)) as systems:
        for driver in [d.strip() for d in options.drivers.split(",") if d.strip()]:
            print(f"{driver} (target ≤ {TARGETS_S[driver]} s median per scenario)")
            for name, (median, low, high) in bench(driver, systems, target.personas_by_key(),
                                                   options.rounds, options.chromium,
                                                   rp_contract(target)).items():
                flag = "ok" if median <= TARGETS_S[driver] else "MISSED"
                missed += [f"{driver}:{name}"] if flag == "MISSED" else []
                print(f"  {name:28} median {median:5.2f} s  "
                      f"(min {low:.2f}, max {high:.2f})  {flag}")
    if missed:
        print("missed targets: " + ", ".join(missed))
    return 1 if missed and options.check else 0


if __name__ == "__main__":
    raise SystemExit(main())
