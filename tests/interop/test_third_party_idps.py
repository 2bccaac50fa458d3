"""The kit against identity providers it did not write, configured as VNeID by their vendor.

Two widely used open-source identity servers from the package registries (pinned in the lock
files) run on loopback with the kit's personas: oidc-provider (npm; its login at
/interaction/<uid>, password then TOTP, consent on every login, PKCE checked before the login)
and django-oauth-toolkit (PyPI; Django's password login at /accounts/login/?next=…, consent
remembered, the request validated only after the login). Each target file says only what a
vendor knows of their product (tests/interop/targets.py). The kit runs its IdP suite, the
journey (the reference VssID against that IdP, in Chromium) and the version properties, and
each run's verdict table is asserted: what the product does right passes; what it really
breaks fails with the right requirement; what the kit cannot check is not applicable with its
reason; and no test is the kit's error. The findings are written down in README.md ("Interop").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.interop.targets import django_oauth_toolkit, node_oidc_provider

ROOT = Path(__file__).resolve().parents[2]
SUITES = ["suites/idp", "suites/journey", "suites/eligibility", "--driver", "playwright"]
# The eligibility matrix: each combination runs where a persona of the target is in its
# states (else not applicable, naming the persona that would make it run).
MATRIX = ("suites/eligibility/test_every_combination.py::",
          "suites/eligibility/test_browser_combinations.py::")


def run_kit(target: Path, env: dict[str, str], out: Path,
            suites: list[str] | None = None) -> tuple[dict, str]:
    """The kit's own command line against the target (these suites, or SUITES); its JSON
    report and its output."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *(SUITES if suites is None else suites), "-q",
         "-p", "no:randomly",
         "--target", str(target), "--conformance-report", str(out),
         "-o", "addopts=-p no:cacheprovider"],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
        env={**os.environ, **env})
    report = out / "conformance.json"
    assert report.is_file(), f"no report (exit {done.returncode}):\n{done.stdout[-4000:]}"
    return json.loads(report.read_text(encoding="utf-8")), done.stdout


def outcomes(report: dict) -> tuple[dict[str, str], dict[str, str]]:
    """Each test's outcome (a test of several requirements: its worst), and what it said."""
    rank = ["error", "failed", "warning", "not_applicable", "skipped", "passed"]
    seen: dict[str, str] = {}
    said: dict[str, str] = {}
    for requirement in report["requirements"]:
        for test in requirement["tests"]:
            node, outcome = test["nodeid"], test["outcome"]
            if node not in seen or rank.index(outcome) < rank.index(seen[node]):
                seen[node] = outcome
                said[node] = test.get("detail") or ""
    return seen, said


def assert_judged_by_the_system(report: dict, seen: dict[str, str], output: str) -> None:
    """No test is the kit's own error, and every finding names its requirement, level,
    expected and actual: what a vendor signs is the system's alone."""
    errors = [node for node, outcome in seen.items() if outcome == "error"]
    assert not errors, "the kit's own errors, counted against no one:\n" + "\n".join(errors) \
        + "\n" + output[-6000:]
    for requirement in report["requirements"]:
        for finding in requirement.get("findings", []):
            assert finding["requirements"] and finding["level"] in ("MUST", "SHOULD")
            assert finding["expected"] and finding["actual"]


def failed_requirements(report: dict) -> dict[str, str]:
    return {r["id"]: r["outcome"] for r in report["requirements"]
            if r["outcome"] in ("failed", "error", "warning")}


def unexpected(seen: dict[str, str], expected: dict[str, str]) -> list[str]:
    """Every test whose outcome is not the table's (a test the table omits must pass)."""
    lines = [f"{node}: {outcome} (expected {expected.get(node, 'passed')})"
             for node, outcome in sorted(seen.items())
             if outcome != expected.get(node, "passed")]
    lines += [f"{node}: did not run (expected {outcome})"
              for node, outcome in sorted(expected.items()) if node not in seen]
    return lines


IDP = "suites/idp/"
JOURNEY = "suites/journey/"
VERSIONS = "suites/eligibility/test_version_properties.py::"
APP_LINKS_BROKEN = {
    # An OIDC server serves no Digital Asset Links or apple-app-site-association: the VNeID app
    # could not claim its hand-over links (APP-01), whatever the IdP's protocol does.
    f"{JOURNEY}test_app_links.py::test_assetlinks_lets_the_app_handle_its_links[VNeID]":
        "failed",
    f"{JOURNEY}test_app_links.py::test_apple_association_claims_the_hand_over_path[VNeID]":
        "failed",
}
NOT_SCRIPTABLE = {
    # The kit cannot script an external IdP (faults, key rotation) nor move its clock.
    f"{IDP}test_pkce_and_codes.py::test_a_late_code_is_refused": "not_applicable",
    f"{IDP}test_tokens_and_metadata.py::test_the_previous_key_stays_published_during_rotation":
        "not_applicable",
    # The login state machine moves the clock and changes accounts: the kit's VNeID only.
    "suites/eligibility/test_login_state_machine.py::test_no_sequence_of_actions_breaks_the_"
    "rules": "not_applicable",
    "suites/eligibility/test_login_state_machine.py::test_wrong_passwords_lock_the_account_at_"
    "the_threshold": "not_applicable",
    # No channel tells these IdPs the phone's VNeID version or that VNeID is missing.
    f"{JOURNEY}test_device_states.py::test_vneid_not_installed_offers_the_store_and_a_verified"
    "_web_fallback[playwright]": "not_applicable",
    f"{JOURNEY}test_device_states.py::test_app_versions_on_the_phone_gate_the_hand_over"
    "[playwright-vneid-2.0.9]": "not_applicable",
    **{f"{VERSIONS}{name}[vneid-app-link]": "not_applicable"
       for name in ("test_allowed_exactly_when_at_or_above_minimum",
                    "test_strings_that_are_no_version_are_refused",
                    "test_equal_versions_get_the_same_answer",
                    "test_the_minimum_itself_and_its_equal_spellings_pass",
                    "test_above_an_allowed_version_is_allowed")},
}

# oidc-provider 9 (npm) as VNeID.
NODE_VERDICTS = {
    **APP_LINKS_BROKEN,
    **NOT_SCRIPTABLE,
    # Level 2 asked by acr_values: a token with the true level 1 acr (allowed for a voluntary
    # request, OIDC Core §3.1.2.1); asked as an essential claim it refuses, as it must.
    f"{IDP}test_responses.py::test_a_level1_account_gets_an_error_not_a_lower_token":
        "warning",
    # A wrong method on the token endpoint: 404, a refusal, not the 405 RFC 9110 recommends.
    **{f"{IDP}test_malformed_requests.py::test_wrong_methods_on_the_token_endpoint[{m}]":
       "warning" for m in ("GET", "PUT", "DELETE")},
}

# django-oauth-toolkit 3.4 (PyPI) as VNeID.
DJANGO_VERDICTS = {
    **APP_LINKS_BROKEN,
    **NOT_SCRIPTABLE,
    # Stock Django throttles nothing: five wrong passwords, then the right one logs in.
    f"{IDP}test_authentication.py::test_wrong_passwords_lock_the_account": "failed",
    f"{IDP}test_authentication.py::test_wrong_passcodes_lock_the_account": "not_applicable",
    # It accepts PKCE's plain method by default (RFC 7636 allows it; the catalogue, after
    # FAPI 2.0 and RFC 9700 §2.1.1, does not): a code for code_challenge_method=plain.
    f"{IDP}test_pkce_and_codes.py::test_the_plain_method_is_refused": "failed",
    # No iss in the authorization response, none advertised (RFC 9207) by default.
    f"{IDP}test_responses.py::test_iss_on_success_and_advertised": "failed",
    # A level 1 account asked for level 2: a token with acr level 1 (a warning for acr_values);
    # it does not support the claims parameter, so the essential request cannot be made.
    f"{IDP}test_responses.py::test_a_level1_account_gets_an_error_not_a_lower_token":
        "warning",
    f"{IDP}test_responses.py::test_a_level1_account_asked_for_level2_as_an_essential_claim_"
    "gets_an_error": "not_applicable",
    # A replayed code is refused, but the token it gave stays valid (RFC 6749 §4.1.2: SHOULD).
    f"{IDP}test_pkce_and_codes.py::test_a_replayed_code_is_refused_and_its_tokens_revoked":
        "warning",
    # A code sent with another redirect_uri is refused with invalid_request, not invalid_grant.
    f"{IDP}test_pkce_and_codes.py::test_a_code_is_bound_to_its_redirect_uri": "warning",
    # Consent is remembered: the decline checks need a consent screen it no longer shows.
    f"{IDP}test_responses.py::test_cancel_returns_access_denied_with_state_and_iss":
        "not_applicable",
    f"{JOURNEY}test_device_states.py::test_warm_restart_after_a_declined_consent_reaches_home"
    "[playwright]": "not_applicable",
    # Django normalises usernames (NFKC): full-width digits log the person in; other bad input
    # is tried as credentials ("wrong username or password"), not refused as input.
    **{f"{IDP}test_id_number_input.py::test_anything_but_12_ascii_digits_is_refused_with_a_"
       f"message[{case}]": "warning"
       for case in ("old-9-digit-cmnd", "11-digits", "13-digits", "letter", "spaces",
                    "fullwidth-digits", "sign")},
}


@pytest.mark.parametrize(("start", "expected", "minimum_played"), [
    pytest.param(node_oidc_provider, NODE_VERDICTS, 100, id="oidc-provider"),
    pytest.param(django_oauth_toolkit, DJANGO_VERDICTS, 100, id="django-oauth-toolkit"),
])
def test_the_verdict_table_of_a_third_party_idp(tmp_path: Path, start, expected,
                                                 minimum_played):
    with start(tmp_path) as (target, env):
        report, output = run_kit(target, env, tmp_path / "out")
        passwords = [line.split("=", 1)[1].strip().strip('"')
                     for line in target.read_text(encoding="utf-8").splitlines()
                     if line.startswith("password = ")]
    # No secret of the vendor's — client secrets, TOTP secrets, passwords — in what is handed on.
    written = (tmp_path / "out" / "conformance.md").read_text(encoding="utf-8") + \
        json.dumps(report, ensure_ascii=False) + output
    leaked = [name for name, value in [*env.items(), *(("password", p) for p in passwords)]
              if value in written]
    assert not leaked, f"secrets in the report or the output: {leaked}"
    seen, said = outcomes(report)
    assert_judged_by_the_system(report, seen, output)
    matrix = {node: outcome for node, outcome in seen.items() if node.startswith(MATRIX)}
    # Every combination the personas reach is played and ends as the oracle says; every other
    # one says which persona, or which target setting, would make it run.
    played = [node for node, outcome in matrix.items() if outcome == "passed"]
    assert len(played) >= minimum_played, f"{len(played)} combinations played"
    wrong = [f"{node}: {outcome}" for node, outcome in matrix.items()
             if outcome not in ("passed", "not_applicable")]
    wrong += [f"{node}: {said[node]}" for node, outcome in matrix.items()
              if outcome == "not_applicable" and not any(
                  hint in said[node] for hint in ("[[persona]]", "idp.device_page",
                                                  "idp.login.consent", "lockout_threshold"))]
    wrong += unexpected({n: o for n, o in seen.items() if not n.startswith(MATRIX)}, expected)
    assert not wrong, "verdicts other than the table's:\n" + "\n".join(wrong) + "\n" + \
        output[-6000:]
