"""The load benchmark's --check (issue 15): what it asserts is never a timing, and it fails.

`scripts/bench_vneid_load.py --check` runs the stub VNeID beside oauth2-mock-server and
oidc-provider (npm, pinned) with one generator, a few logins at 1 and 8 clients, and refuses
only what is lost or broken under load: a login that did not complete, a 5xx, a login left in
progress, a request log past its bound. Timings are printed and never judged.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "scripts" / "bench_vneid_load.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_vneid_load", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_vneid_load", module)
    spec.loader.exec_module(module)
    return module


bench = _bench()


def run_check(*extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), "--check", *extra], cwd=ROOT,
                          capture_output=True, text=True, timeout=240)


def a_round(**changes) -> object:
    values = dict(logins=16, logins_per_second=100.0, p50_ms=5.0, p99_ms=9.0,
                  requests_per_login=5.0, server_cpu_ms=2.0, generator_cpu_ms=2.0,
                  server_errors=0, failures=())
    values.update(changes)
    return bench.Round(**values)


def a_run(stub_round=None, counts=None) -> object:
    rounds = {("stub", 1): [stub_round or a_round()], ("mock", 1): [a_round()]}
    return bench.Run(rounds, stub_counts=counts if counts is not None
                     else {"transactions": 0, "requests": 40})


def test_check_passes_on_all_three_servers_and_judges_no_timing():
    done = run_check()
    assert done.returncode == 0, done.stdout + done.stderr
    table = done.stdout
    for server in ("stub", "mock", "oidc-provider"):
        rows = [line for line in table.splitlines()
                if re.match(rf"{re.escape(server)} +\d+ ", line)]
        assert len(rows) == 2, table  # one row at 1 client, one at 8
    assert "check: nothing lost, no 5xx" in table
    assert "requests 40" in table  # the stub's log, at the bound --check gives it
    assert "transactions 0" in table


def test_check_fails_when_the_stubs_logins_do_not_complete():
    # A seeded defect: ID tokens without the nonce, which the relying party refuses.
    done = run_check("--servers", "stub", "--stub-defect", "id_token_missing_nonce")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "did not complete" in done.stdout
    assert "Missing claim: 'nonce'" in done.stdout


def test_a_server_that_cannot_start_is_the_runs_error_not_a_check_result():
    done = run_check("--servers", "stub", "--stub-defect", "no_such_defect")
    assert done.returncode == 2
    assert "cannot start the servers" in done.stderr
    assert "unknown defect name" in done.stderr


def test_a_clean_run_has_no_problems():
    assert bench.problems(a_run(), log_limit=40) == []


@pytest.mark.parametrize(("run", "expected"), [
    (a_run(a_round(server_errors=2)), "2 response(s) with a 5xx status"),
    (a_run(a_round(failures=("LoginFailed: boom",))), "1 login(s) did not complete"),
    (a_run(counts={"transactions": 3, "requests": 40}), "still holds 3 login(s) in progress"),
    (a_run(counts={"transactions": 0, "requests": 41}), "request log holds 41 entries"),
    (bench.Run({("stub", 8): []}), "no round ran"),
])
def test_what_check_refuses(run, expected):
    found = bench.problems(run, log_limit=40)
    assert any(expected in problem for problem in found), found


def test_timings_are_never_a_problem():
    slow = a_round(logins_per_second=0.5, p50_ms=9000.0, p99_ms=30000.0, server_cpu_ms=900.0)
    assert bench.problems(a_run(slow), log_limit=40) == []


def test_bad_options_say_what_to_fix(capsys):
    with pytest.raises(SystemExit):
        bench.parse_args(["--servers", "stub,keycloak"])
    assert "unknown ['keycloak']" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        bench.parse_args(["--concurrency", "0"])
    assert "each concurrency 1–64" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        bench.parse_args(["--baseline", "/nonexistent"])
    assert "not a checkout of this repository" in capsys.readouterr().err


def test_the_generator_reads_forms_as_a_browser_would():
    page = ('<form method="post" action="/login?x=1&amp;y=2"><input type="hidden" name="tx" '
            'value="a&amp;b"><input name="id_number"><input type="checkbox" name="remember">'
            '<button type="submit" name="decision" value="decline">No</button>'
            '<button name="decision" value="approve">Yes</button>'
            '<button type="button" name="help">?</button></form>')
    form, = bench.read_forms(page)
    assert (form.action, form.method) == ("/login?x=1&y=2", "post")
    assert bench.fill(form, {"id_number": "084190012345"}) == {
        "tx": "a&b", "id_number": "084190012345", "decision": "approve"}
    with pytest.raises(bench.LoginFailed, match="'id_number'"):
        bench.fill(form, {})
