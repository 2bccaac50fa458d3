"""The report builder: the worst outcome wins, and an ID without a test is never passed."""

from __future__ import annotations

import datetime as dt

import pytest

from fixtures.catalogue import load_catalogue
from fixtures.config import DEFAULT_TARGET, load_target
from fixtures.conformance_report import (
    TestResult,
    build_report,
    render_markdown,
    requirement_outcome,
)

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        ([], "not_covered"),
        (["passed"], "passed"),
        (["passed", "failed"], "failed"),
        (["not_applicable", "passed"], "partial"),
        (["not_reached", "passed"], "partial"),
        (["passed", "warning"], "warning"),
        (["not_applicable", "warning"], "warning"),
        (["passed", "error"], "error"),
        (["error", "failed"], "failed"),
        (["not_reached"], "not_reached"),
        (["skipped", "not_applicable"], "skipped"),
        (["not_applicable"], "not_applicable"),
        (["expected_failure", "passed"], "expected_failure"),
        (["expected_failure"], "expected_failure"),
    ],
)
def test_requirement_outcome(verdicts, expected):
    assert requirement_outcome(verdicts) == expected


def _report(results):
    return build_report(load_catalogue(), results, target=load_target(DEFAULT_TARGET),
                        kit={"name": "vneid-conformance", "version": "0", "commit": "abc"},
                        started=NOW, finished=NOW)


def test_an_id_without_a_test_stays_not_covered():
    report = _report([TestResult("t::a", ("N-FLOW-1",), outcome="passed")])
    outcomes = {r["id"]: r["outcome"] for r in report["requirements"]}
    assert outcomes.pop("N-FLOW-1") == "passed"
    assert set(outcomes.values()) == {"not_covered"}
    assert report["summary"]["not_covered"] == len(load_catalogue()) - 1


def test_the_report_carries_no_credentials():
    report = _report([])
    text = render_markdown(report) + repr(report)
    for persona in load_target(DEFAULT_TARGET).persona:
        assert persona.password not in text
        assert persona.passcode not in text


def test_the_markdown_stays_short_however_many_tests_ran():
    """One row per requirement; the per-test list lives in conformance.json."""
    ids = list(load_catalogue())
    results = [TestResult(f"suites/x/test_{i % 7}.py::test_case[{i}]", (ids[i % len(ids)],),
                          outcome="passed") for i in range(3000)]
    report = _report(results)
    markdown = render_markdown(report)
    assert len(markdown.encode("utf-8")) < 50_000, len(markdown)
    assert "test_case[2999]" not in markdown
    assert sum(len(r["tests"]) for r in report["requirements"]) == 3000


def test_a_warning_that_did_not_fully_run_says_so_in_its_row():
    """"Passed with warnings" is never read as every test having run: the row says how many."""
    from fixtures.verdicts import SHOULD, Finding

    warned = TestResult("suites/idp/t.py::test_a", ("IDP-04",), outcome="passed",
                        warnings=[Finding(("IDP-04",), "revoked", "still valid", level=SHOULD,
                                          key="IDP-04/revoke-on-replay")])
    not_run = TestResult("suites/idp/t.py::test_b", ("IDP-04",), outcome="skipped",
                         detail="not applicable: the IdP keeps its own clock")
    markdown = render_markdown(_report([warned, not_run]))
    assert "| IDP-04 | **passed with warnings** — 1 of 2 tests ran |" in markdown
    full = render_markdown(_report([warned]))
    assert "| IDP-04 | **passed with warnings** |" in full
