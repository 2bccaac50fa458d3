"""The kit against relying parties it did not write, configured with its VNeID by their vendor.

Two VssID backends built on widely used OIDC client libraries from the package registries
(pinned in the lock files) run on loopback with VssID accounts for the kit's personas:
openid-client 6 (npm) on Node's https server — its own paths, a session endpoint, logout by
POST, the app's version in a form field — and Authlib 1.9 (PyPI) on Starlette — other paths,
no session endpoint (who is logged in is read from its account page), logout by GET, the
version in a header. Their markup carries none of the kit's attributes: `[rp.locators]`
describes it (tests/interop/rp_targets.py). The kit runs the RP suite, the journey (in
Chromium) and the eligibility suite against each, and asserts the verdict table: what the
library and its glue do right passes; what they really break fails (or warns) with the right
requirement; what the kit cannot check of an external RP is not applicable with its reason;
and no test is the kit's error. Then broken variants of the Authlib RP, one switch each,
are each caught by the test of their requirement. The findings are in README.md ("Interop").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.interop.rp_targets import authlib_rp, openid_client_rp
from tests.interop.test_third_party_idps import (
    assert_judged_by_the_system,
    outcomes,
    run_kit,
    unexpected,
)

SUITES = ["suites/rp", "suites/journey", "suites/eligibility", "--driver", "playwright"]
MATRIX = ("suites/eligibility/test_every_combination.py::",
          "suites/eligibility/test_browser_combinations.py::")


RP = "suites/rp/"
JOURNEY = "suites/journey/"
VERSIONS = "suites/eligibility/test_version_properties.py::"
EXTERNAL_RP = {
    # The kit cannot move an external RP's clock: a late callback needs it.
    f"{RP}test_authorization_response.py::test_a_late_callback_is_refused": "not_applicable",
    "suites/eligibility/test_login_state_machine.py::test_no_sequence_of_actions_breaks_the_"
    "rules": "not_applicable",
    "suites/eligibility/test_login_state_machine.py::test_wrong_passwords_lock_the_account_at_"
    "the_threshold": "passed",
    # RP-16 needs a real device; on the simulated phone both apps are pages of one browser.
    f"{RP}test_system_browser.py::test_the_web_fallback_runs_in_the_system_browser":
        "not_applicable",
    # No /_device page: the phone cannot tell these RPs its version before a login starts,
    # so their login screen cannot hide the button (their servers' gates are judged).
    **{f"{VERSIONS}{name}[vssid-screen]": "not_applicable"
       for name in ("test_allowed_exactly_when_at_or_above_minimum",
                    "test_equal_versions_get_the_same_answer",
                    "test_the_minimum_itself_and_its_equal_spellings_pass",
                    "test_above_an_allowed_version_is_allowed")},
    **{f"{JOURNEY}test_device_states.py::test_app_versions_on_the_phone_gate_the_hand_over"
       f"[playwright-{case}]": "not_applicable"
       for case in ("both-minimum", "both-old", "numeric-compare", "vneid-2.0.9",
                    "vssid-1.6.6")},
    **{f"{JOURNEY}test_notice_journey.py::test_vssid_version_gate_on_the_login_screen"
       f"[playwright-{version}]": "not_applicable" for version in ("1.6.6", "1.6.7")},
    # The kit's VNeID is told the phone has no VNeID: its own not-installed page is judged.
    f"{JOURNEY}test_device_states.py::test_vneid_not_installed_the_link_opens_the_web_login"
    "[playwright]": "not_applicable",
}

# openid-client 6.9.0 (oauth4webapi 3.8) on Node, a vendor's glue around it.
OPENID_CLIENT_VERDICTS = {
    **EXTERNAL_RP,
    # Several audiences: the library checks only that azp names the client, not that every
    # audience is trusted (OIDC Core §3.1.3.7 (3), MUST).
    f"{RP}test_id_token.py::test_audience_and_authorized_party[EXTRA_UNTRUSTED_AUDIENCE]":
        "failed",
    # azp is compared only when aud has several values (§3.1.3.7 (5), SHOULD).
    f"{RP}test_id_token.py::test_an_authorized_party_other_than_the_client_is_refused":
        "warning",
    # iat only has to be a number: 70 s in the future or the past is accepted (the catalogue
    # bounds it by the profile's clock skew; OIDC Core leaves the range to the client).
    f"{RP}test_id_token.py::test_tokens_outside_their_time_are_refused[IAT_IN_FUTURE]":
        "failed",
    f"{RP}test_id_token.py::test_tokens_outside_their_time_are_refused[IAT_TOO_OLD]":
        "failed",
    # An unknown kid re-fetches the JWKS only once the cached keys are 60 s old: a login just
    # after VNeID rotates its key is refused (the catalogue demands the re-fetch).
    f"{RP}test_id_token.py::test_a_rotated_key_is_picked_up": "failed",
    # The glue's version reading lets a few strings that are no version through ("10.0 " with
    # a space, "100.9999+" with an empty build tag): APP-08 does not say what they must get.
    f"{VERSIONS}test_strings_that_are_no_version_are_refused[vssid-server]": "warning",
}

# Authlib 1.9.10 on Starlette, a vendor's glue around it (which closes Authlib's gaps:
# interop/authlib_rp/README.md).
AUTHLIB_VERDICTS = {
    **EXTERNAL_RP,
    # A callback with another state ends the person's pending attempt too (the glue keeps one
    # attempt per browser and drops it on any callback): safe, but a forged link ends a login.
    f"{JOURNEY}test_device_states.py::test_forged_callback_links_are_refused_and_the_real_"
    "login_survives[playwright]": "warning",
}


@pytest.mark.parametrize(("start", "expected", "minimum_played"), [
    pytest.param(openid_client_rp, OPENID_CLIENT_VERDICTS, 1000, id="openid-client"),
    pytest.param(authlib_rp, AUTHLIB_VERDICTS, 1000, id="authlib"),
])
def test_the_verdict_table_of_a_third_party_rp(tmp_path: Path, start, expected,
                                                minimum_played):
    with start(tmp_path) as (target, env):
        report, output = run_kit(target, env, tmp_path / "out", SUITES)
    written = (tmp_path / "out" / "conformance.md").read_text(encoding="utf-8") + \
        json.dumps(report, ensure_ascii=False) + output
    assert not [name for name, value in env.items() if value in written], \
        "the RP's client secret in the report or the output"
    seen, said = outcomes(report)
    assert_judged_by_the_system(report, seen, output)
    matrix = {node: outcome for node, outcome in seen.items() if node.startswith(MATRIX)}
    played = [node for node, outcome in matrix.items() if outcome == "passed"]
    assert len(played) >= minimum_played, f"{len(played)} combinations played"
    wrong = [f"{node}: {outcome} {said[node]}" for node, outcome in matrix.items()
             if outcome != "passed" and not (outcome == "not_applicable"
                                            and "rp.device_page" in said[node])]
    wrong += unexpected({n: o for n, o in seen.items() if not n.startswith(MATRIX)}, expected)
    assert not wrong, "verdicts other than the table's:\n" + "\n".join(wrong) + "\n" + \
        output[-6000:]


# Each broken variant of the Authlib RP (interop/authlib_rp/config.py: DEFECTS), the suite
# that judges its requirement, and that requirement: it must fail there, and nothing else.
VARIANTS = [
    ("state_unchecked", "RP-03"),
    ("acr_ignored", "RP-13"),
    ("link_by_name", "RP-15"),
    ("open_redirect", "RP-18"),
    ("id_token_iss_unchecked", "RP-08"),
    ("aud_unchecked", "RP-09"),
    ("exp_unchecked", "RP-12"),
    ("nonce_unchecked", "RP-04"),
    ("iss_param_unchecked", "RP-06"),
    ("alg_none_accepted", "RP-11"),
    ("token_in_url", "RP-01"),
    ("code_in_log", "RP-21"),
    ("session_kept_after_error", "N-ELIG-1"),
    ("callback_reused", "RP-19"),
    ("version_as_text", "N-VER-2"),
    ("userinfo_sub_unchecked", "RP-26"),
]
# Where each is judged: the whole RP suite, or the server's version gate.
SUITE_OF = {"version_as_text": [f"{VERSIONS}test_allowed_exactly_when_at_or_above_minimum"]}
# A variant that breaks a second requirement by its nature, and why.
COLLATERAL = {
    ("token_in_url", "RP-21"): "the access token in the RP's own URL is in its URLs as well",
    # A session opened before the RP's own checks and kept when they refuse: every check that
    # refuses after the token exchange holds "and no session", each under its requirement.
    ("session_kept_after_error", "RP-13"): "a token below level 2 refused, its session kept",
    ("session_kept_after_error", "RP-15"): "a person without an account refused, the session kept",
    ("session_kept_after_error", "N-ELIG-2"): "a level 1 person refused, the session kept",
    # A version compared as text fails the notice's gate and the comparison rules together.
    ("version_as_text", "APP-05"): "the app's gate, as in N-VER-2",
    ("version_as_text", "APP-08"): "numeric comparison by component",
}


@pytest.mark.parametrize(("defect", "requirement"), VARIANTS,
                         ids=[defect for defect, _ in VARIANTS])
def test_a_broken_variant_is_caught_by_its_requirement(tmp_path: Path, defect, requirement):
    with authlib_rp(tmp_path, defect) as (target, env):
        report, output = run_kit(target, env, tmp_path / "out",
                                 SUITE_OF.get(defect, ["suites/rp"]))
    by_id = {r["id"]: r["outcome"] for r in report["requirements"]}
    assert by_id[requirement] == "failed", f"{defect} went unnoticed by {requirement}: " \
        f"{by_id[requirement]}\n{output[-4000:]}"
    others = {i: o for i, o in by_id.items() if i != requirement
              and o in ("failed", "error", "warning") and (defect, i) not in COLLATERAL}
    assert not others, f"{defect} also changed {others}\n{output[-4000:]}"
