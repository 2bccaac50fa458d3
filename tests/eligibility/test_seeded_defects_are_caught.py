"""Each version, account-mapping and lockout defect of the stubs makes an eligibility test fail."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EMBEDDED = ROOT / "fixtures" / "data" / "targets" / "embedded.toml"
SUITE = ROOT / "suites" / "eligibility"
COMBINATIONS = SUITE / "test_every_combination.py"
PROPERTIES = SUITE / "test_version_properties.py"
MACHINE = SUITE / "test_login_state_machine.py"

HAPPY = "vneid2.1.0-L2-active-right-consent-vssid_active"

# (which stub, defect, the suite file and -k selection that must then fail)
DEFECT_CATCHES = [
    ("vssid_defects", "version_string_compare", COMBINATIONS, f"vssid1.6.10-{HAPPY}"),
    ("vssid_defects", "version_string_compare", PROPERTIES, "vssid-server"),
    ("vssid_defects", "version_min_exclusive", COMBINATIONS, f"vssid1.6.7-{HAPPY}"),
    ("vssid_defects", "version_gate_ui_only", COMBINATIONS, f"vssid1.6.6-{HAPPY}"),
    ("vssid_defects", "link_by_name", COMBINATIONS,
     "vssid1.6.7-vneid2.1.0-L2-active-right-consent-vssid_none"),
    ("vssid_defects", "link_by_phone", COMBINATIONS,
     "vssid1.6.7-vneid2.1.0-L2-active-right-consent-vssid_none"),
    ("vneid_defects", "version_min_exclusive", COMBINATIONS, f"vssid1.6.7-{HAPPY}"),
    ("vneid_defects", "version_string_compare", PROPERTIES, "vneid"),
    ("vneid_defects", "no_lockout", MACHINE, "lock_the_account"),
]


def _target_with(folder: Path, key: str, defect: str) -> Path:
    text = EMBEDDED.read_text("utf-8").replace("tls = true", f'tls = true\n{key} = ["{defect}"]',
                                               1)
    path = folder / f"{key}-{defect}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("key", "defect", "suite", "selection"), DEFECT_CATCHES,
                         ids=[f"{k.split('_')[0]}-{d}-{s.stem.removeprefix('test_')}"
                              for k, d, s, _ in DEFECT_CATCHES])
def test_a_seeded_defect_makes_an_eligibility_test_fail(pytester: pytest.Pytester, key, defect,
                                                       suite, selection):
    target = _target_with(pytester.path, key, defect)
    # The full tier: the smoke tier's pairwise combinations need not hold the selected one.
    result = pytester.runpytest(str(suite), "-p", "no:randomly", "--target", str(target),
                                "--tier", "full", "-k", selection)
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) >= 1, f"{defect} went unnoticed: {outcomes}"


def test_the_correct_stubs_pass_the_same_selections(pytester: pytest.Pytester):
    selection = " or ".join(sorted({s for _, _, f, s in DEFECT_CATCHES if f == COMBINATIONS}))
    result = pytester.runpytest(str(COMBINATIONS), "-p", "no:randomly", "--tier", "full",
                                "-k", selection)
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("passed", 0) >= 4, outcomes
