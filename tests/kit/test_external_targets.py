"""The kit against systems it does not start: the stubs run standalone, described by target files.

This is what a vendor does with their own system; here the "external" systems are the stubs
started as separate processes (`python -m stubs.vneid` / `python -m stubs.vssid`), so the run
must pass, and what the kit cannot do to an external system must be `not_applicable`.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from fixtures.config import DEFAULT_TARGET, load_target
from fixtures.servers import Tls
from tests.subprocesses import stop

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ROOT / "fixtures" / "data" / "targets"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def standalone(*args: str, env: dict[str, str]) -> Iterator[str]:
    """Run a stub as its own process (secrets in `env`, never on its command line); yield the
    URL it prints when ready; stop it after. Its log goes to a file: an unread pipe fills up
    and blocks the stub mid-run."""
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as log:
        process = subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT,
                                   stdout=subprocess.PIPE, stderr=log, text=True,
                                   env={**os.environ, **env})
        try:
            line = process.stdout.readline().strip()
            if not line.startswith("http"):
                process.kill()
                process.wait()
                log.seek(0)
                raise AssertionError(f"{args[0]} did not start: {line!r} {log.read()[-4000:]}")
            yield line
        finally:
            stop(process)


def personas_toml() -> str:
    """The embedded target's personas (the stubs' data), as target file text."""
    text = DEFAULT_TARGET.read_text(encoding="utf-8")
    return text[text.index("[[persona]]"):]


def run_kit(target: Path, suites: list[str], out: Path, env: dict[str, str], *,
            expect_exit: int = 0) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *suites, "-q", "--target", str(target),
         "--conformance-report", str(out), "-o", "addopts=-p no:cacheprovider"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, **env})
    assert done.returncode == expect_exit, f"exit {done.returncode}:\n{done.stdout[-4000:]}"
    return json.loads((out / "conformance.json").read_text(encoding="utf-8"))


def verdicts(report: dict) -> dict[str, str]:
    return {t["nodeid"]: t["outcome"] for r in report["requirements"] for t in r["tests"]}


@pytest.mark.parametrize("example", sorted(TARGETS.glob("*.example.toml")), ids=lambda p: p.name)
def test_the_example_target_files_are_valid(example: Path, monkeypatch, tmp_path):
    """The commented examples load once their secrets and files exist (what a vendor fills in)."""
    raw = tomllib.loads(example.read_text(encoding="utf-8"))
    for side in ("rp", "idp"):
        client = raw.get(side, {}).get("client")
        if client:
            monkeypatch.setenv(client["client_secret_env"], "secret-from-the-environment")
    copy = tmp_path / example.name
    copy.write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    for name in ("tls_cert_file", "tls_key_file", "tls_ca_file"):
        if name in raw.get("embedded", {}):
            (tmp_path / raw["embedded"][name]).write_text("placeholder", encoding="utf-8")
    target = load_target(copy)
    assert target.rp.kind == "external" or target.idp.kind == "external"


# The standalone VNeID's screens with `--plain-markup` (no data-testid / data-screen /
# data-outcome), described the way a vendor describes their own: by selectors of their markup
# (names, actions, roles) and, where only the words differ, by the words.
LOCATORS = """
[idp.locators]
"screen:vneid-login" = "form[action$='/authorize/login']"
"screen:vneid-passcode" = "form[action$='/authorize/passcode']"
"screen:vneid-consent" = "button[name='decision'][value='approve']"
"outcome:VNEID_LOCKED" = { css = "h2", text = "Tài khoản bị khoá" }
"outcome:VNEID_BAD_CREDENTIALS" = { css = "p[role='alert']", text = "không đúng" }
"outcome:VNEID_UPDATE_REQUIRED" = { css = "h2", text = "Cần cập nhật VNeID" }
"outcome:VNEID_NOT_INSTALLED" = { css = "h2", text = "Chưa cài đặt ứng dụng VNeID" }
"outcome:PROTOCOL_ERROR" = { css = "h2", text = "Không thể tiếp tục" }
"id-number" = "input[name='id_number']"
password = "input[name='password']"
"login-submit" = "form[action$='/authorize/login'] button[type='submit']"
"form-error" = "p[role='alert']"
passcode = "input[name='passcode']"
"passcode-submit" = "form[action$='/authorize/passcode'] button[type='submit']"
"consent-client-name" = "p > strong"
"consent-approve" = "button[value='approve']"
"consent-decline" = "button[value='decline']"
"store-link" = "a.button:not(.secondary)"
"web-fallback" = { css = "a", text = "trình duyệt" }
"""


@pytest.mark.parametrize("screens", ["contract", "locators"])
def test_an_external_identity_provider(tmp_path: Path, screens: str):
    """The IdP suite and the journey against a VNeID the kit did not start (and cannot script);
    its screens found by the contract over HTTP, or by the target's locators in a browser."""
    secret = secrets.token_urlsafe(24)
    callback = f"https://127.0.0.1:{free_port()}/app/vneid/callback"
    ca = tmp_path / "vneid-ca.pem"
    plain = ["--plain-markup"] if screens == "locators" else []
    with standalone("stubs.vneid", "--port", "0", "--tls", "--ca-out", str(ca), *plain,
                    "--client-id", "kit", "--client-name", "VssID – Bảo hiểm xã hội Việt Nam",
                    "--redirect-uri", callback,
                    env={"VNEID_CLIENT_SECRET": secret}) as issuer:
        target = tmp_path / "idp.toml"
        target.write_text(f'''name = "standalone-vneid"
[idp]
kind = "external"
url = "{issuer}"
ca_file = "{ca}"
# The standalone stub serves the kit's simulated-phone page, so the phone can tell it.
device_page = true
[idp.client]
client_id = "kit"
client_secret_env = "KIT_TEST_CLIENT_SECRET"
redirect_uri = "{callback}"
{LOCATORS if screens == "locators" else ""}
[rp]
kind = "embedded"
{personas_toml()}''', encoding="utf-8")
        env = {"KIT_TEST_CLIENT_SECRET": secret}
        if screens == "locators":
            # Without the table the same screens cannot be read: the table is what works.
            blind = tmp_path / "blind.toml"
            blind.write_text(target.read_text(encoding="utf-8").replace(LOCATORS, ""),
                             encoding="utf-8")
            report = run_kit(blind, ["suites/idp/test_tokens_and_metadata.py", "-k",
                                     "every_required_claim"], tmp_path / "blind", env,
                             expect_exit=1)
            # A screen the kit cannot read is the kit's (the target's) error, not the IdP's.
            assert set(verdicts(report).values()) == {"error"}
            # The table serves the IdP suite's browser and the journey's phone, both drivers.
            suites = ["suites/idp", "suites/journey", "--driver", "playwright,appium"]
        else:
            suites = ["suites/idp", "suites/journey/test_notice_journey.py", "--driver",
                      "playwright"]
        report = run_kit(target, suites, tmp_path / "out", env)
    outcomes = verdicts(report)
    assert "failed" not in outcomes.values()
    passed = [n for n, o in outcomes.items() if o == "passed"]
    not_applicable = [n for n, o in outcomes.items() if o == "not_applicable"]
    assert any("test_state_is_echoed_unchanged" in n for n in passed)
    assert any("test_level2_person_with_vssid_account_reaches_home" in n for n in passed)
    assert any("rotation" in n for n in not_applicable), "key rotation needs the control plane"
    assert any("lock_the_account" in n for n in not_applicable)
    assert report["target"]["idp"] == {"kind": "external", "url": issuer}
    if screens == "locators":
        for driver in ("playwright", "appium"):
            assert f"suites/journey/test_device_states.py::test_vneid_not_installed_offers_" \
                   f"the_store_and_a_verified_web_fallback[{driver}]" in passed


# The standalone VssID's screens with `--plain-markup` (no data-testid / data-screen /
# data-outcome), described the way a vendor would describe theirs: by structure and by words.
OUTCOME_TITLES = {
    "VSSID_UPDATE_REQUIRED": "Cần cập nhật VssID",
    "LEVEL2_REQUIRED": "Cần tài khoản định danh điện tử mức 2",
    "CANCELLED": "Đã hủy đăng nhập",
    "NO_VSSID_ACCOUNT": "Chưa có tài khoản VssID",
    "VSSID_PENDING": "Tài khoản VssID đang chờ duyệt",
    "VSSID_LOCKED": "Tài khoản VssID đã bị khóa",
    "PROTOCOL_ERROR": "Đăng nhập không thành công",
    "IDP_ERROR": "VNeID tạm thời gián đoạn",
    "VNEID_LOCKED": "Tài khoản VNeID bị khóa",
    "VNEID_BAD_CREDENTIALS": "Sai thông tin đăng nhập VNeID",
}
RP_LOCATORS = """
[rp.locators]
"screen:vssid-login" = "form[action='/app/login']"
"screen:vssid-home" = "form[action='/app/logout']"
"outcome:LOGGED_IN" = "form[action='/app/logout']"
"vneid-login" = "form[action='/app/vneid/start'] button[type='submit']"
"vneid-unavailable" = { css = "p.hint", text = "Cập nhật VssID lên phiên bản" }
"outcome-title" = "section.card h2"
"outcome-message" = "section.card h2 + p"
"restart-login" = { css = "a.btn", text = "Đăng nhập lại" }
"back-to-login" = "a.btn.secondary[href='/app/login']"
"register-link" = "a.btn[href='/app/register']"
"store-link" = "a.btn[href^='https://play.google.com/']"
"home-name" = "dl dd:nth-of-type(1)"
"home-id-number" = "dl dd:nth-of-type(2)"
"home-social-insurance-code" = "dl dd:nth-of-type(3)"
"logout" = "form[action='/app/logout'] button"
""" + "".join(f'"outcome:{name}" = {{ css = "section.card h2", text = "{title}" }}\n'
              for name, title in OUTCOME_TITLES.items())


@pytest.mark.parametrize("screens", ["contract", "locators"])
def test_an_external_relying_party(tmp_path: Path, screens: str):
    """The RP suite against a VssID the kit did not start, configured with the kit's VNeID; its
    screens read by the contract, or — stripped of every contract attribute — by the target's
    [rp.locators] alone."""
    secret = secrets.token_urlsafe(24)
    kit_tls = Tls.issue(tmp_path / "kit-tls")  # fixed for the run: the RP must trust it
    vneid_port = free_port()
    plain = ["--plain-markup"] if screens == "locators" else []
    with standalone("stubs.vssid", "--issuer", f"https://127.0.0.1:{vneid_port}",
                    "--port", "0", "--tls", *plain,
                    "--ca-out", str(tmp_path / "vssid-ca.pem"),
                    "--ca-file", str(kit_tls.ca_file),
                    env={"VSSID_CLIENT_SECRET": secret}) as vssid:
        def target_file(locators: str) -> Path:
            target = tmp_path / f"rp{len(locators)}.toml"
            target.write_text(f'''name = "standalone-vssid"
[rp]
kind = "external"
url = "{vssid}"
ca_file = "{tmp_path / 'vssid-ca.pem'}"
# The standalone stub serves the kit's simulated-phone page, so the phone can tell it; its app
# tells the backend its version in a field of the VNeID button's form, which posts here.
device_page = true
version_channel = "form:app_version"
start_path = "/app/vneid/start"
login_path = "/app/login"
session_path = "/api/session"
logout_path = "/app/logout"
[rp.client]
client_id = "vssid"
client_secret_env = "KIT_TEST_RP_SECRET"
redirect_uri = "{vssid}/app/vneid/callback"
{locators}
[idp]
kind = "embedded"
[embedded]
vneid_port = {vneid_port}
tls_cert_file = "{kit_tls.cert_file}"
tls_key_file = "{kit_tls.key_file}"
tls_ca_file = "{kit_tls.ca_file}"
{personas_toml()}''', encoding="utf-8")
            return target

        env = {"KIT_TEST_RP_SECRET": secret}
        if screens == "locators":
            # Without the table the same screens cannot be read: the table is what works.
            blind = run_kit(target_file(""), ["suites/rp/test_happy_path.py"],
                            tmp_path / "blind", env, expect_exit=1)
            # The screens unread are the kit's (the target's) error, not the RP's failure.
            assert set(verdicts(blind).values()) == {"error"}
            # The table serves every suite that reads the RP's screens, under both drivers.
            suites = ["suites/rp", "suites/journey", "suites/eligibility", "--tier", "smoke",
                      "--driver", "playwright,appium"]
        else:
            suites = ["suites/rp"]
        report = run_kit(target_file(RP_LOCATORS if screens == "locators" else ""),
                         suites, tmp_path / "out", env)
    outcomes = verdicts(report)
    assert "failed" not in outcomes.values()
    passed = [n for n, o in outcomes.items() if o == "passed"]
    not_applicable = [n for n, o in outcomes.items() if o == "not_applicable"]
    assert any("wrong_or_missing_iss" in n for n in passed)
    assert any("error_responses_end_on_their_screen" in n for n in passed)
    assert any("late_callback" in n for n in not_applicable), "the RP's clock is its own"
    assert any("relying_partys_logs" in n for n in not_applicable)
    assert secret not in json.dumps(report)
    if screens == "locators":
        for driver in ("playwright", "appium"):
            assert f"suites/journey/test_notice_journey.py::test_level2_person_with_vssid_" \
                   f"account_reaches_home[{driver}]" in passed
        assert any(n.startswith("suites/eligibility/test_every_combination.py") for n in passed)
