"""Each defect switch of the stubs makes its requirement's conformance test fail, and only that.

For every defect: start the embedded stubs with it switched on (a target file naming it), run
the suite that covers its requirement in a subprocess, read conformance.json, and check that
the defect's requirement failed while no test of another requirement did.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stubs.vneid.defects import CATALOGUE as VNEID_DEFECTS
from stubs.vssid.defects import CATALOGUE as VSSID_DEFECTS
from tests.targets import embedded_target, write_target

ROOT = Path(__file__).resolve().parents[2]

# Which suite covers a requirement; the defects of other requirements are proven elsewhere
# (the eligibility suite proves its own: tests/eligibility/).
SUITE_FOR_PREFIX = {"RP-": "suites/rp", "IDP-": "suites/idp", "N-VER-2": "suites/journey",
                    "APP-01": "suites/journey/test_app_links.py",
                    "APP-06": "suites/journey/test_device_states.py",
                    "APP-07": "suites/idp/test_id_number_input.py",
                    "N-ELIG-1": "suites/rp/test_account_linking.py"}


def _suite_for(requirement: str) -> str | None:
    return next((suite for prefix, suite in SUITE_FOR_PREFIX.items()
                 if requirement.startswith(prefix)), None)


# A defect that takes a step away also takes the tests that need the step; each such pair is
# named here with why, and any other collateral failure fails the proof.
KNOWN_COLLATERAL = {
    ("consent_skipped", "suites/idp/test_responses.py::test_cancel_returns_access_denied_with"
                        "_state_and_iss"): "without a consent screen there is nothing to decline",
    ("token_in_url", "suites/rp/test_token_exchange.py::test_no_code_or_state_in_the_relying"
                     "_partys_own_urls"): "a token in the RP's own URL breaks RP-21 as well",
    ("opaque_token_in_url", "suites/rp/test_token_exchange.py::test_no_code_or_state_in_the_"
                            "relying_partys_own_urls"):
        "a token in the RP's own URL breaks RP-21 as well",
    ("idp_errors_generic", "suites/rp/test_account_linking.py::test_a_level1_person_is_refused"):
        "the level 2 refusal is one of the errors it no longer tells apart (N-ELIG-2)",
}

# Defects after which the kit's correct VNeID refuses every hand-over, so every journey ends
# early: the proof asks only that the defect's own requirement is among the failures.
BREAKS_EVERY_JOURNEY = {
    "custom_scheme_redirect": "VNeID refuses a redirect_uri that is not registered (IDP-01)",
    "pkce_plain": "VNeID refuses the plain PKCE method (IDP-03)",
    "handover_custom_scheme": "a phone with no handler for the private scheme goes nowhere",
}

STUBS = {"vssid": VSSID_DEFECTS, "vneid": VNEID_DEFECTS}

CASES = [
    pytest.param(stub, d.name, d.requirement, id=f"{stub}:{d.name}")
    for stub, catalogue in STUBS.items() for d in catalogue
    if _suite_for(d.requirement) and d.recommendation is None
]


def run_suite_against(stub: str, defect: str, suite: str, folder: Path,
                      also_vssid: tuple[str, ...] = (), escalate: tuple[str, ...] = ()) -> dict:
    """Run `suite` against the embedded stubs with a defect on; the conformance report.

    `also_vssid` names further VssID defects, for defects proven in pairs.
    """
    defects = {"vssid_defects": [*([defect] if stub == "vssid" else []), *also_vssid],
               "vneid_defects": [defect] if stub == "vneid" else []}
    target = write_target(embedded_target(**defects, profile={"escalate": list(escalate)}),
                          folder / "target.toml")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", suite, "-q", "-p", "no:randomly", "--target",
         str(target), "--conformance-report", str(folder), "-o", "addopts=-p no:cacheprovider"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    report_file = folder / "conformance.json"
    assert report_file.exists(), f"the run wrote no report:\n{done.stdout[-3000:]}{done.stderr}"
    assert done.returncode in (0, 1), f"the run broke (exit {done.returncode}):\n" \
                                      f"{done.stdout[-3000:]}{done.stderr[-2000:]}"
    return json.loads(report_file.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("stub", "defect", "requirement"), CASES)
def test_the_defect_is_caught_by_its_requirement_only(stub, defect, requirement, tmp_path):
    report = run_suite_against(stub, defect, _suite_for(requirement), tmp_path)
    failed_tests = {t["nodeid"]: set() for r in report["requirements"] for t in r["tests"]
                    if t["outcome"] == "failed"}
    for r in report["requirements"]:
        for t in r["tests"]:
            if t["nodeid"] in failed_tests:
                failed_tests[t["nodeid"]].add(r["id"])
    caught_by = [nodeid for nodeid, ids in failed_tests.items() if requirement in ids]
    assert caught_by, f"{stub} defect {defect!r} breaks {requirement}, but no test of " \
                      f"{requirement} failed"
    if defect in BREAKS_EVERY_JOURNEY:
        return
    # A defect of the system must never show as an error of the kit: the kit judged it.
    errors = sorted({t["nodeid"] for r in report["requirements"] for t in r["tests"]
                     if t["outcome"] == "error"})
    assert not errors, f"{stub} defect {defect!r} made the kit err instead of judging: {errors}"
    collateral = {nodeid: sorted(ids) for nodeid, ids in failed_tests.items()
                  if requirement not in ids and (defect, nodeid) not in KNOWN_COLLATERAL}
    assert not collateral, f"{stub} defect {defect!r} (breaking {requirement}) also failed " \
                           f"tests of other requirements: {collateral}"


@pytest.mark.parametrize("only_one", [False, True], ids=["both-broken", "only-vneid-broken"])
def test_level2_requirement_fails_only_when_both_sides_break(only_one, tmp_path):
    """N-ELIG-2 is defended in depth: VNeID refuses level 1 (IDP-07) and VssID refuses a token
    below level 2 (RP-13); each alone is proven above. The notice's requirement must fail when
    both break, and hold while VssID still refuses."""
    also = () if only_one else ("any_acr_accepted",)
    report = run_suite_against("vneid", "level1_tokens_issued", "suites/rp/test_account_linking.py",
                               tmp_path, also_vssid=also)
    n_elig_2 = next(r for r in report["requirements"] if r["id"] == "N-ELIG-2")
    assert n_elig_2["outcome"] == ("passed" if only_one else "failed"), n_elig_2


WARNING_DEFECTS = sorted((stub, d.name, d.recommendation)
                         for stub, catalogue in STUBS.items() for d in catalogue
                         if d.recommendation and _suite_for(d.requirement))


@pytest.mark.parametrize("escalated", [False, True], ids=["warning", "escalated"])
@pytest.mark.parametrize(("stub", "defect", "key"), WARNING_DEFECTS)
def test_a_missed_should_is_a_warning_unless_the_profile_escalates_it(stub, defect, key,
                                                                     escalated, tmp_path):
    """A defect that only misses a SHOULD of the cited clause: its requirement reads "passed
    with warnings" naming the recommendation, nothing fails; escalated, it fails."""
    requirement = key.split("/")[0]
    report = run_suite_against(stub, defect, _suite_for(requirement), tmp_path,
                               escalate=(key,) if escalated else ())
    by_id = {r["id"]: r for r in report["requirements"]}
    assert by_id[requirement]["outcome"] == ("failed" if escalated else "warning"), \
        by_id[requirement]
    keys = {f["key"] for f in by_id[requirement]["findings"]}
    assert keys == {key}, keys
    assert all(f["escalated"] == escalated for f in by_id[requirement]["findings"])
    others = {r["id"]: r["outcome"] for r in report["requirements"]
              if r["id"] != requirement and r["outcome"] in ("failed", "error", "warning")}
    assert not others, f"{defect} also changed {others}"


WEB_LOGIN = ("suites/journey/test_device_states.py::test_vneid_not_installed_the_link_opens_the_"
             "web_login")


@pytest.mark.parametrize("defect", [None, "handover_custom_scheme"], ids=["correct", "broken"])
def test_the_web_login_without_the_app_is_judged(defect, tmp_path):
    """The web login without VNeID runs where the IdP is not told the phone lacks the app: the
    kit's own VNeID declared without its device page stands in for such an IdP. It passes on
    the correct stubs and fails (N-FLOW-2 / APP-06) when VssID's hand-over cannot open in a
    browser (a private scheme)."""
    target = write_target(embedded_target(vssid_defects=[defect] if defect else [],
                                          idp={"device_page": False}), tmp_path / "target.toml")
    subprocess.run(
        [sys.executable, "-m", "pytest", WEB_LOGIN, "-q", "-p", "no:randomly", "--target",
         str(target), "--conformance-report", str(tmp_path), "-o",
         "addopts=-p no:cacheprovider"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    report = json.loads((tmp_path / "conformance.json").read_text(encoding="utf-8"))
    outcomes = {(r["id"], t["outcome"]) for r in report["requirements"] for t in r["tests"]
                if t["nodeid"].startswith(WEB_LOGIN)}
    if defect is None:
        assert outcomes == {("APP-06", "passed"), ("N-FLOW-2", "passed")}, outcomes
    else:
        assert ("N-FLOW-2", "failed") in outcomes or ("APP-06", "failed") in outcomes, outcomes
