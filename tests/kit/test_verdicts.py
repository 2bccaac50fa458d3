"""Verdicts as a vendor reads them: attributed to the IDs a check names, the kit's errors kept
apart, SHOULDs as warnings (escalated on demand), coverage that says what did not run."""

from __future__ import annotations

import json
import textwrap

import pytest

from fixtures.config import dump_target
from fixtures.verdicts import Finding, Violation, check, fail
from tests.targets import embedded_target, write_target

PLUGIN = ("-p", "fixtures.plugin")

SUITE = '''
import pytest
from fixtures.verdicts import KitError, check, fail, should

@pytest.mark.req("IDP-05", "IDP-06", "IDP-12")
def test_multi_id_fails_on_one():
    check(True, "IDP-06", "state echoed", "state echoed")
    fail("IDP-05", "iss on the error response", "no iss", clause="RFC 9207 §2")
    check(False, "IDP-12", "never reached", "never reached")

@pytest.mark.req("IDP-06")
def test_state_alone_passes():
    check(True, "IDP-06", "state echoed", "state echoed")

@pytest.mark.req("IDP-09")
def test_kit_raises_key_error():
    {}["state"]

@pytest.mark.req("IDP-08")
def test_kit_error_with_a_fix():
    raise KitError("the IdP answered 404 to /_device", fix="declare [idp.device] in the target")

@pytest.mark.req("IDP-14")
def test_a_should_is_a_warning():
    should(False, "IDP-14/405", "405 for GET on the token endpoint", "404")
    check(True, "IDP-14", "an OAuth error", "an OAuth error")

@pytest.mark.req("IDP-13")
def test_passes():
    pass

@pytest.mark.req("IDP-13")
def test_not_applicable_here():
    pytest.skip("not applicable: the target names no persona 'lockable' (add one with "
                "lockable = true)")
'''


def _run(pytester: pytest.Pytester, *args: str, target: str | None = None):
    pytester.makepyfile(test_suite=SUITE)
    extra = ("--target", target) if target else ()
    result = pytester.runpytest(*PLUGIN, "-p", "no:randomly", "--conformance-report", "out",
                                *extra, *args)
    report = json.loads((pytester.path / "out" / "conformance.json").read_text("utf-8"))
    return result, {r["id"]: r for r in report["requirements"]}, report


def test_only_the_ids_a_failure_names_fail(pytester: pytest.Pytester):
    result, by_id, _ = _run(pytester)
    assert by_id["IDP-05"]["outcome"] == "failed"
    # The same test's other IDs were not reached: neither passed nor failed.
    multi = "test_suite.py::test_multi_id_fails_on_one"
    assert {t["nodeid"]: t["outcome"] for t in by_id["IDP-12"]["tests"]} == {
        multi: "not_reached"}
    assert by_id["IDP-12"]["outcome"] == "not_reached"
    assert by_id["IDP-06"]["outcome"] == "partial"
    assert "stopped at a failure of IDP-05" in by_id["IDP-06"]["coverage_text"]
    finding = by_id["IDP-05"]["findings"][0]
    assert (finding["clause"], finding["level"]) == ("RFC 9207 §2", "MUST")
    assert finding["expected"] == "iss on the error response"
    assert "pytest test_suite.py::test_multi_id_fails_on_one" in finding["reproduce_test"]
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_anything_else_raised_is_an_error_of_the_kit(pytester: pytest.Pytester):
    result, by_id, report = _run(pytester)
    assert by_id["IDP-09"]["outcome"] == "error"
    error = by_id["IDP-09"]["errors"][0]
    assert error["type"] == "KeyError" and error["where"].startswith("test_suite.py:")
    assert by_id["IDP-08"]["outcome"] == "error"
    assert "to fix: declare [idp.device] in the target" in by_id["IDP-08"]["errors"][0]["message"]
    assert report["summary"]["error"] == 2 and report["summary"]["failed"] == 1
    result.stdout.fnmatch_lines(["*errors of the kit (2): not the system's failures*"])
    markdown = (pytester.path / "out" / "conformance.md").read_text("utf-8")
    assert "Error of the kit** (the kit could not judge this" in markdown


def test_a_kit_error_alone_still_fails_the_run(pytester: pytest.Pytester):
    pytester.makepyfile(test_one='import pytest\n@pytest.mark.req("IDP-09")\n'
                                 'def test_x():\n    {}["state"]\n')
    result = pytester.runpytest(*PLUGIN, "-p", "no:randomly")
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_a_should_is_a_warning_and_the_test_goes_on(pytester: pytest.Pytester):
    _, by_id, _ = _run(pytester)
    idp14 = by_id["IDP-14"]
    assert idp14["outcome"] == "warning"
    (warning,) = idp14["findings"]
    assert (warning["level"], warning["key"], warning["clause"]) == (
        "SHOULD", "IDP-14/405", "RFC 9110 §15.5.6")
    assert warning["actual"] == "404" and not warning["escalated"]
    markdown = (pytester.path / "out" / "conformance.md").read_text("utf-8")
    assert "| IDP-14 | **passed with warnings** |" in markdown
    assert "**Warning** — RFC 9110 §15.5.6, SHOULD (`IDP-14/405`)" in markdown


def test_a_profile_escalates_a_chosen_warning(pytester: pytest.Pytester):
    target = write_target(embedded_target(profile={"escalate": ["IDP-14/405"]}),
                          pytester.path / "strict.toml")
    _, by_id, report = _run(pytester, target=str(target))
    assert by_id["IDP-14"]["outcome"] == "failed"
    (finding,) = by_id["IDP-14"]["findings"]
    assert finding["escalated"] and finding["level"] == "SHOULD"
    assert report["escalated"] == ["IDP-14/405"]
    markdown = (pytester.path / "out" / "conformance.md").read_text("utf-8")
    assert "| Escalated warnings | `IDP-14/405` |" in markdown


def test_an_unknown_escalation_key_is_a_usage_error(pytester: pytest.Pytester):
    copy = pytester.path / "bad-escalation.toml"
    # Built, not loaded: the loader would refuse the key this test gives the plugin.
    copy.write_text(dump_target(embedded_target(profile={"escalate": ["IDP-14/406"]})),
                    encoding="utf-8")
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest(*PLUGIN, "--target", str(copy))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*key profile.escalate?0?: 'IDP-14/406' is neither*IDP-14/405*"])


def test_partial_coverage_says_what_did_not_run_and_why(pytester: pytest.Pytester):
    _, by_id, report = _run(pytester)
    idp13 = by_id["IDP-13"]
    assert idp13["outcome"] == "partial"
    assert idp13["coverage"]["ran"] == 1 and idp13["coverage"]["tests"] == 2
    assert "1 of 2 tests ran — 1 not applicable: the target names no persona 'lockable'" \
        in idp13["coverage_text"]
    assert report["summary"]["partial"] >= 1 and report["summary"]["passed"] == 0
    markdown = (pytester.path / "out" / "conformance.md").read_text("utf-8")
    assert "| IDP-13 | partial pass — 1 of 2 tests ran" in markdown


def test_an_expected_failure_covers_violations_only(pytester: pytest.Pytester):
    pytester.makepyfile(test_known='''
import pytest
from fixtures.verdicts import fail

@pytest.mark.req("RP-04")
def test_known_violation():
    fail("RP-04", "a fresh nonce", "the same nonce twice")

@pytest.mark.req("RP-08")
def test_kit_breaks():
    {}["nonce"]
''')
    pytester.makefile(".toml", known=textwrap.dedent('''
        [[expected_failure]]
        test = "test_known.py::test_known_violation"
        reason = "ACME-1"
        expires = 2099-01-01
        [[expected_failure]]
        test = "test_known.py::test_kit_breaks"
        reason = "ACME-2"
        expires = 2099-01-01
    '''))
    result = pytester.runpytest(*PLUGIN, "-p", "no:randomly", "--expected-failures",
                                "known.toml", "--conformance-report", "out")
    report = json.loads((pytester.path / "out" / "conformance.json").read_text("utf-8"))
    by_id = {r["id"]: r["outcome"] for r in report["requirements"]}
    assert by_id["RP-04"] == "expected_failure"
    # A known failure of the system does not hide an error of the kit.
    assert by_id["RP-08"] == "error"
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_a_verdict_is_redacted_when_it_is_made():
    url = "https://rp.example/cb?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj"
    with pytest.raises(Violation) as caught:
        check(False, "RP-21", "no code in the RP's URLs", f"the phone opened {url}")
    assert "SplxlOBeZQQYbYS6WxSbIA" not in str(caught.value)
    assert "af0ifjsldkj" not in caught.value.finding.to_json()


def test_a_finding_survives_the_trip_to_the_controller():
    with pytest.raises(Violation) as caught:
        fail(["IDP-05", "IDP-12"], "x", "y", clause="RFC 9207 §2", key="", evidence="e")
    again = Finding.from_json(caught.value.finding.to_json())
    assert again == caught.value.finding
    assert again.requirements == ("IDP-05", "IDP-12")
