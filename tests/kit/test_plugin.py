"""The plugin as a user meets it, through pytester: options, the req marker, the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixtures.catalogue import load_catalogue

PLUGIN = ("-p", "fixtures.plugin")

TWO_TESTS = """
import pytest


@pytest.mark.req("N-FLOW-1")
def test_passes():
    assert True

@pytest.mark.req("N-ELIG-1", "RP-03")
def test_fails():
    assert 1 == 2, "expected 1, got 2"

@pytest.mark.req("IDP-09")
def test_not_applicable():
    pytest.skip("not applicable: the external IdP cannot be made to misbehave")

def test_without_requirements():
    pass
"""


def test_a_missing_target_file_is_a_usage_error(pytester: pytest.Pytester):
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest(*PLUGIN, "--target", "nope.toml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: target file nope.toml: no such file"])
    assert "Traceback" not in result.stderr.str()


def test_a_malformed_target_file_is_a_usage_error(pytester: pytest.Pytester):
    pytester.makefile(".toml", target='name = "x"\n[rp]\nkind = "sideways"\n')
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest(*PLUGIN, "--target", "target.toml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: target file target.toml: key rp.kind: *'sideways'*"])


def test_an_unknown_requirement_id_is_a_usage_error(pytester: pytest.Pytester):
    pytester.makepyfile(
        'import pytest\n@pytest.mark.req("RP-99")\ndef test_x(): pass\n')
    result = pytester.runpytest(*PLUGIN)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown requirement ID(s) RP-99*"])


def test_the_report_lists_every_id_with_an_honest_outcome(pytester: pytest.Pytester):
    pytester.makepyfile(TWO_TESTS)
    result = pytester.runpytest(*PLUGIN, "--conformance-report", "out")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["conformance report: out/conformance.md*"])
    report = json.loads((pytester.path / "out" / "conformance.json").read_text("utf-8"))
    outcomes = {r["id"]: r["outcome"] for r in report["requirements"]}
    assert len(outcomes) == len(load_catalogue())
    assert outcomes["N-FLOW-1"] == "passed"
    # A bare assert is the kit's own check: an error of the kit, never the system's failure.
    assert outcomes["N-ELIG-1"] == outcomes["RP-03"] == "error"
    assert outcomes["IDP-09"] == "not_applicable"
    assert outcomes["N-FLOW-2"] == "not_covered"
    failed = next(r for r in report["requirements"] if r["id"] == "RP-03")
    assert "expected 1, got 2" in failed["reason"]
    assert report["kit"]["name"] == "vneid-conformance"
    assert "joserfc" in report["dependencies"]
    markdown = (pytester.path / "out" / "conformance.md").read_text("utf-8")
    assert "| N-FLOW-2 | not covered |" in markdown


def test_requirement_ids_become_allure_labels(pytester: pytest.Pytester):
    pytester.makepyfile(TWO_TESTS)
    pytester.runpytest(*PLUGIN, "--alluredir", "allure")
    results = [json.loads(p.read_text("utf-8"))
               for p in (pytester.path / "allure").glob("*-result.json")]
    passed = next(r for r in results if r["name"] == "test_passes")
    labels = {(label["name"], label["value"]) for label in passed["labels"]}
    assert ("story", "N-FLOW-1") in labels
    assert ("epic", "notice") in labels
    assert ("feature", "The notice journey") in labels
    failing = next(r for r in results if r["name"] == "test_fails")
    links = {link["name"] for link in failing["links"]}
    assert "RP-03: source" in links
    assert ("severity", "critical") in {(x["name"], x["value"]) for x in failing["labels"]}


EXPECTED = """
[[expected_failure]]
test = "test_expected.py::test_known_defect"
reason = "ACME-1: nonce check lands in 2.4"
expires = {expires}
"""

KNOWN_DEFECT = """
import pytest

from fixtures.verdicts import check

@pytest.mark.req("RP-04")
def test_known_defect():
    check({outcome}, "RP-04", "the nonce checked", "the nonce was not checked")

@pytest.mark.req("RP-03")
def test_fine():
    pass
"""


def _run_with_expected(pytester, *, outcome: str, expires: str):
    pytester.makepyfile(test_expected=KNOWN_DEFECT.format(outcome=outcome))
    pytester.makefile(".toml", expected=EXPECTED.format(expires=expires))
    return pytester.runpytest(*PLUGIN, "--expected-failures", "expected.toml",
                              "--conformance-report", "out")


def test_a_listed_failure_is_reported_as_expected(pytester: pytest.Pytester):
    result = _run_with_expected(pytester, outcome="False", expires="2999-12-31")
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=1, xfailed=1)
    report = json.loads((pytester.path / "out" / "conformance.json").read_text("utf-8"))
    rp04 = next(r for r in report["requirements"] if r["id"] == "RP-04")
    assert rp04["outcome"] == "expected_failure"
    assert "ACME-1" in rp04["reason"]


def test_an_expected_failure_that_passes_fails_the_run(pytester: pytest.Pytester):
    result = _run_with_expected(pytester, outcome="True", expires="2999-12-31")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*XPASS(strict)*ACME-1*"])


def test_an_expired_entry_fails_the_run(pytester: pytest.Pytester):
    result = _run_with_expected(pytester, outcome="False", expires="2020-01-01")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_expected.py::test_known_defect expired on 2020-01-01*"])


def test_a_fixed_kit_vneid_port_runs_without_xdist_workers(pytester: pytest.Pytester,
                                                           monkeypatch: pytest.MonkeyPatch):
    # Every worker would bind the port the external RP was configured with; one process can.
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    for inherited in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT"):  # if we are one
        monkeypatch.delenv(inherited, raising=False)
    pytester.makefile(".toml", target='name = "x"\n[embedded]\nvneid_port = 18443\n')
    pytester.makepyfile("import os\ndef test_x():\n"
                        "    assert 'PYTEST_XDIST_WORKER' not in os.environ\n")
    result = pytester.runpytest_subprocess(*PLUGIN, "--target", "target.toml", "-n", "2",
                                           "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*fixed port 18443*running without xdist workers*"])
