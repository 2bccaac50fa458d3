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


@pytest.mark.parametrize("escalated", [False, True], ids=["warning", "escalated"])
def test_a_gate_that_lets_an_unreadable_version_through_is_warned(pytester: pytest.Pytester,
                                                                  escalated):
    """What a string that is no version must get is not defined by the notice or APP-08: a gate
    letting one through reads "passed with warnings" under its recommendation, and fails only
    when the profile escalates it; no other requirement is touched."""
    import json

    target = _target_with(pytester.path, "vssid_defects", "unreadable_version_accepted")
    if escalated:
        target.write_text(target.read_text("utf-8").replace(
            "[profile]\n", '[profile]\nescalate = ["APP-08/unreadable-refused"]\n', 1), "utf-8")
    out = pytester.path / "report"
    pytester.runpytest(str(PROPERTIES), "-p", "no:randomly", "--target", str(target),
                       "-k", "vssid-server and no_version", "--conformance-report", str(out))
    by_id = {r["id"]: r for r in json.loads((out / "conformance.json").read_text("utf-8"))
             ["requirements"]}
    assert by_id["APP-08"]["outcome"] == ("failed" if escalated else "warning"), by_id["APP-08"]
    assert {f["key"] for f in by_id["APP-08"]["findings"]} == {"APP-08/unreadable-refused"}
    others = {i: r["outcome"] for i, r in by_id.items()
              if i != "APP-08" and r["outcome"] in ("failed", "error", "warning")}
    assert not others, others


def test_the_correct_stubs_pass_the_same_selections(pytester: pytest.Pytester):
    selection = " or ".join(sorted({s for _, _, f, s in DEFECT_CATCHES if f == COMBINATIONS}))
    result = pytester.runpytest(str(COMBINATIONS), "-p", "no:randomly", "--tier", "full",
                                "-k", selection)
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("passed", 0) >= 4, outcomes
