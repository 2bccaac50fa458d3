"""Through pytester: a phone test runs once per --driver, keeps evidence per driver, can fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

PLUGIN = ("-p", "fixtures.plugin", "-p", "no:randomly")
ROOT = Path(__file__).resolve().parents[2]
DEVICE_SUITE = ROOT / "suites" / "journey" / "test_device_states.py"
EMBEDDED = ROOT / "fixtures" / "data" / "targets" / "embedded.toml"

PHONE_TESTS = """
def test_on_the_phone(phone):
    pass

def test_without_a_phone():
    pass
"""


def test_every_phone_test_runs_once_per_driver(pytester: pytest.Pytester):
    pytester.makepyfile(PHONE_TESTS)
    result = pytester.runpytest(*PLUGIN, "--collect-only", "-q", "--driver", "playwright,appium")
    result.stdout.fnmatch_lines([
        "*test_on_the_phone[[]playwright[]]",
        "*test_on_the_phone[[]appium[]]",
        "*test_without_a_phone",
    ])
    assert "test_without_a_phone[" not in result.stdout.str()


def test_an_unknown_device_profile_is_a_usage_error(pytester: pytest.Pytester):
    pytester.makepyfile(PHONE_TESTS)
    result = pytester.runpytest(*PLUGIN, "--driver", "appium", "--device-profile", "pixel9")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: device profile 'pixel9': no file *emulated*"])


FAILING_ON_VNEID = """
def test_fails_on_vneid(phone, personas):
    person = personas["l2_active"]
    phone.open_vssid().choose_vneid_login()
    phone.driver.fill("id-number", person.id_number)
    phone.driver.fill("password", person.password)
    assert False, "deliberate failure on VNeID's login screen"
"""


@pytest.fixture
def isolated(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A pytester whose runs happen in a subprocess: browsers never share this process."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    return pytester


def test_a_failure_keeps_screen_source_and_the_redacted_appium_log(isolated: pytest.Pytester):
    pytester = isolated
    pytester.makepyfile(FAILING_ON_VNEID)
    result = pytester.runpytest_subprocess(*PLUGIN, "--driver", "playwright,appium",
                                           "--artifacts", "art")
    result.assert_outcomes(failed=2)
    folders = {p.name: p for p in (pytester.path / "art").iterdir()}
    assert len(folders) == 2 and all(n.endswith(("_playwright_", "_appium_")) for n in folders)
    for name, folder in folders.items():
        assert (folder / "screen.png").read_bytes().startswith(b"\x89PNG"), name
        assert 'data-screen="vneid-login"' in (folder / "page.html").read_text("utf-8"), name
    appium = next(f for n, f in folders.items() if n.endswith("_appium_"))
    playwright = next(f for n, f in folders.items() if n.endswith("_playwright_"))
    log = (appium / "appium.log").read_text("utf-8")
    assert "/value" in log and "[redacted]" in log
    assert "Matkhau@2023" not in log and "084190012345" not in log
    assert not (playwright / "appium.log").exists()


def _target_with(tmp: Path, key: str, defect: str) -> Path:
    text = EMBEDDED.read_text("utf-8").replace("tls = true", f'tls = true\n{key} = ["{defect}"]', 1)
    path = tmp / f"{defect}.toml"
    path.write_text(text, encoding="utf-8")
    return path


# Which device-state test each seeded defect must make fail, and the requirement its named
# check must fail (a Violation, never the kit's error; no other requirement fails).
DEFECT_CATCHES = [
    ("vssid_defects", "attempt_reusable", "killed_while_in_vneid or warm_restart", "APP-04"),
    ("vssid_defects", "pkce_verifier_reused", "killed_while_in_vneid", "APP-04"),
    ("vssid_defects", "state_guessable", "killed_while_in_vneid", "APP-04"),
    ("vssid_defects", "state_unchecked", "forged_callback", "APP-03"),
    ("vneid_defects", "pkce_verifier_not_checked", "hostile_apps_request", "APP-02"),
    ("vneid_defects", "version_min_exclusive", "gate_the_hand_over and both-minimum", "N-VER-1"),
    ("vssid_defects", "version_string_compare", "gate_the_hand_over and numeric-compare",
     "APP-08"),
    ("vneid_defects", "version_string_compare", "gate_the_hand_over and numeric-compare",
     "APP-08"),
]


@pytest.mark.parametrize(("key", "defect", "selection", "requirement"), DEFECT_CATCHES,
                         ids=[f"{k.split('_')[0]}-{d}" for k, d, _, _ in DEFECT_CATCHES])
def test_a_seeded_defect_makes_its_device_state_test_fail(
    isolated: pytest.Pytester, key: str, defect: str, selection: str, requirement: str
):
    target = _target_with(isolated.path, key, defect)
    folder = isolated.path / "conformance"
    result = isolated.runpytest_subprocess(str(DEVICE_SUITE), "-p", "no:randomly",
                                           "--target", str(target), "-k", selection,
                                           "--conformance-report", str(folder))
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) >= 1, f"{defect} went unnoticed: {outcomes}"
    report = json.loads((folder / "conformance.json").read_text("utf-8"))
    verdicts = {(r["id"], t["nodeid"]): t["outcome"] for r in report["requirements"]
                for t in r["tests"]}
    errors = {n: t for (_, n), t in verdicts.items() if t == "error"}
    assert not errors, f"{defect}: the kit could not judge (not a named check): " + \
        "; ".join(t["detail"] for r in report["requirements"] for t in r["tests"]
                  if t["outcome"] == "error")
    failed = {rid for (rid, _), outcome in verdicts.items() if outcome == "failed"}
    assert failed == {requirement}, f"{defect} must fail {requirement} alone, failed: {failed}"
