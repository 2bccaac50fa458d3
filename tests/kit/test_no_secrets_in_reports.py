"""The README's promise, proven: no code, token, state, nonce, verifier, password, passcode,
client secret or session the run knew appears anywhere in what it writes.

Two conformance runs against stubs with seeded defects — so tests fail, and their failure
messages, tracebacks, captured logs, HTTP exchanges, screenshots and page sources carry URLs
with codes and state — write every report the kit writes (Allure results, JUnit XML, the
conformance report, failure artifacts, a log file, the terminal output) into one reports
folder, while VNEID_KIT_SECRET_LEDGER collects every secret value each process knew. Then the
whole tree is scanned for those values, by raw value and by the digests the runs wrote.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from fixtures.secret_ledger import DIGESTS_FOLDER, LEDGER_ENV, digest_entries, read_raw
from fixtures.secret_scan import main as scan_main
from fixtures.secret_scan import scan_tree
from tests.targets import embedded_target, write_target

ROOT = Path(__file__).resolve().parents[2]

# Defects whose failures carry URLs, codes, state and tokens in their messages.
RUNS = {
    # state cut short by VNeID: IDP-06 fails with the state in play, and every journey ends on
    # VssID's error screen at the callback URL (code and state in it): a Playwright failure
    # with its screenshot and page source. Codes redeemable twice: IDP-04 fails after a
    # second redemption (tokens in the exchange). Under xdist: the workers' ledgers too.
    "vneid-defects": {
        "defects": {"vneid_defects": ["state_truncated", "codes_reusable"]},
        "tests": ["suites/idp/test_responses.py::test_state_is_echoed_unchanged",
                  "suites/idp/test_responses.py::test_cancel_returns_access_denied_with_state"
                  "_and_iss",
                  "suites/idp/test_pkce_and_codes.py::test_a_replayed_code_is_refused_and_its"
                  "_tokens_revoked",
                  "suites/journey/test_notice_journey.py::test_level2_person_with_vssid_account"
                  "_reaches_home"],
        "options": ["-n", "2"],
        "failing": {"IDP-06", "IDP-04", "N-FLOW-4"},
    },
    # VssID puts the ID token in its home URL (RP-01), logs code, state and ID token (RP-21),
    # and gates versions in the UI only (N-VER-2: a bare assert with the authorization URL).
    # Without xdist: the "main" ledger.
    "vssid-defects": {
        "defects": {"vssid_defects": ["token_in_url", "secrets_logged", "version_gate_ui_only"]},
        "tests": ["suites/rp/test_token_exchange.py::test_no_code_token_or_state_in_the_relying"
                  "_partys_logs",
                  "suites/rp/test_token_exchange.py::test_no_code_or_state_in_the_relying"
                  "_partys_own_urls",
                  "suites/rp/test_token_exchange.py::test_the_app_holds_no_client_secret",
                  "suites/rp/test_authorization_request.py::test_authorization_code_flow_and_no"
                  "_token_in_the_front_channel",
                  "suites/journey/test_notice_journey.py::test_vssid_backend_enforces_the"
                  "_version_gate"],
        "options": [],
        "failing": {"RP-21", "RP-01", "N-VER-2"},
    },
}
# Every kind the proof needs the ledger to hold, or the scan could pass by knowing nothing.
IMPORTANT_KINDS = ("code", "access_token", "id_token", "state", "nonce", "code_verifier",
                   "password", "passcode", "client_secret", "session", "control_token")


def _public_constants() -> str:
    """The suites' own source: a value written there (a state a test chooses and sends) is a
    constant of the kit, not a secret of the run, and may show in a traceback's source."""
    return "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "suites").rglob("*.py"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Both runs, side by side; their reports under one folder, their ledgers outside it."""
    base = tmp_path_factory.mktemp("no-secrets")
    reports, ledgers = base / "reports", base / "ledgers"
    started = {}
    for name, run in RUNS.items():
        folder = reports / name
        folder.mkdir(parents=True)
        target = write_target(embedded_target(**run["defects"]), base / f"{name}.toml")
        ledger = ledgers / f"{name}.jsonl"
        terminal = (folder / "terminal.txt").open("w", encoding="utf-8")
        env = {**os.environ, LEDGER_ENV: str(ledger)}
        env.pop("PYTEST_XDIST_WORKER", None)
        command = [sys.executable, "-m", "pytest", *run["tests"], *run["options"], "-q",
                   "-p", "no:randomly", "-p", "no:cacheprovider", "-o", "addopts=",
                   "--target", str(target), "--driver", "playwright",
                   "--alluredir", str(folder / "allure-results"),
                   "--junitxml", str(folder / "junit.xml"),
                   "--conformance-report", str(folder),
                   "--artifacts", str(folder / "artifacts"),
                   "--log-file", str(folder / "run.log"), "--log-file-level", "DEBUG"]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=terminal,
                                   stderr=subprocess.STDOUT)
        started[name] = (process, terminal, folder, ledger)
    done = {}
    for name, (process, terminal, folder, ledger) in started.items():
        try:
            code = process.wait(timeout=240)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            terminal.close()
        done[name] = {"exit": code, "folder": folder, "ledger": ledger}
    return {"reports": reports, "runs": done}


def _known(runs: dict) -> dict[str, set[str]]:
    values: dict[str, set[str]] = {}
    for run in runs["runs"].values():
        for kind, items in read_raw(run["ledger"]).items():
            values.setdefault(kind, set()).update(items)
    return values


def test_the_runs_failed_where_secrets_were_in_play(runs):
    for name, run in runs["runs"].items():
        terminal = (run["folder"] / "terminal.txt").read_text(encoding="utf-8")
        assert run["exit"] == 1, f"{name}: exit {run['exit']}\n{terminal[-3000:]}"
        report = json.loads((run["folder"] / "conformance.json").read_text(encoding="utf-8"))
        failed = {r["id"] for r in report["requirements"] if r["outcome"] == "failed"}
        assert RUNS[name]["failing"] <= failed, f"{name}: failed {sorted(failed)}\n" \
                                                f"{terminal[-3000:]}"
    tree = runs["reports"]
    assert list(tree.rglob("*-result.json")) and list(tree.rglob("*-attachment.*"))
    assert list(tree.rglob("artifacts/*/page.html")) and list(tree.rglob("artifacts/*/screen.png"))
    # Both stubs' request logs (callback queries hold codes and state) are in the scan below.
    assert list(tree.rglob("artifacts/*/vneid-requests.txt"))
    assert list(tree.rglob("artifacts/*/vssid-requests.txt"))
    assert list(tree.rglob("junit.xml")) and list(tree.rglob("run.log"))
    digests = sorted(p.name for p in tree.rglob(f"{DIGESTS_FOLDER}/*.json"))
    assert {"main.json", "gw0.json", "gw1.json"} <= set(digests), digests


def test_no_secret_the_runs_knew_is_in_any_report_or_log(runs, tmp_path):
    known = _known(runs)
    missing = [kind for kind in IMPORTANT_KINDS if not known.get(kind)]
    assert not missing, f"the ledger holds no {missing}: the scan would prove nothing about them"
    public = _public_constants()
    values = {kind: {v for v in items if v not in public} for kind, items in known.items()}
    for kind in IMPORTANT_KINDS:  # the exemption takes no real secret
        assert values[kind], f"every {kind} the run knew is written in the suites' source?"

    hits = scan_tree(runs["reports"], values=values)
    assert not hits, "secrets in the reports:\n" + "\n".join(
        f"  {h.path.relative_to(runs['reports'])}: {h.kind} at {h.where}" for h in hits[:40])

    constants = {kind: items - values[kind] for kind, items in known.items()}
    for run in runs["runs"].values():  # the same, from the digests alone (no raw value needed)
        folder = run["folder"]
        digests = _without(constants, folder / DIGESTS_FOLDER, tmp_path / folder.name)
        digest_hits = scan_tree(folder, digests_dir=digests)
        assert not digest_hits, "\n".join(str(h) for h in digest_hits[:40])
        # ...and the digest files hold no raw value themselves.
        assert not scan_tree(folder / DIGESTS_FOLDER, values=known, structural=False)


def _without(constants: dict[str, set[str]], digests: Path, folder: Path) -> Path:
    """Copies of the digest files without the suites' constants (the raw scan's exemption)."""
    folder.mkdir(parents=True)
    for path in digests.glob("*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        public = {e["sha256"] for e in digest_entries(constants, document["salt"])}
        document["entries"] = [e for e in document["entries"] if e["sha256"] not in public]
        (folder / path.name).write_text(json.dumps(document), encoding="utf-8")
    return folder


def test_the_scan_catches_a_planted_secret(runs, tmp_path, capsys):
    """A code, a password and an access token cut short, planted in copies of real reports:
    found by raw value, by digest and (the parameter) by structure; the CLI exits 1 and names
    file and kind, never the value."""
    run = runs["runs"]["vneid-defects"]
    known = read_raw(run["ledger"])  # this run's values: its digests know them
    source = run["folder"]
    planted = tmp_path / "reports"
    shutil.copytree(source, planted)
    code = sorted(known["code"])[0]
    password = sorted(known["password"])[0]
    token = sorted(known["access_token"])[0]
    markdown = planted / "conformance.md"
    markdown.write_text(markdown.read_text(encoding="utf-8")
                        + f"\n| leak | https://rp/cb?code={code}&x=1 |\n", encoding="utf-8")
    (planted / "junit.xml").write_text(
        (planted / "junit.xml").read_text(encoding="utf-8").replace(
            "</testsuites>", f"<!-- password={quote(password)} --></testsuites>"),
        encoding="utf-8")
    attachment = next(planted.glob("allure-results/*-attachment.txt"))
    attachment.write_text(attachment.read_text(encoding="utf-8")
                          + f'\nHTTP 200 {{"access_token": "{token[:20]}', encoding="utf-8")

    by_value = {(h.path.name, h.kind) for h in scan_tree(planted, values=known)}
    assert ("conformance.md", "code") in by_value
    assert ("junit.xml", "password") in by_value
    assert (attachment.name, "access_token (its first 16 characters)") in by_value
    assert ("conformance.md", "unredacted code parameter") in by_value

    by_digest = {(h.path.name, h.kind) for h in
                 scan_tree(planted, digests_dir=planted / DIGESTS_FOLDER)}
    assert {("conformance.md", "code"), ("junit.xml", "password"),
            (attachment.name, "access_token (its first 16 characters)")} <= by_digest

    capsys.readouterr()
    assert scan_main([str(planted)]) == 1
    printed = capsys.readouterr().out
    assert "conformance.md\tcode\tline " in printed and "junit.xml\tpassword" in printed
    assert code not in printed and password not in printed and token[:16] not in printed
    shutil.rmtree(planted / DIGESTS_FOLDER)
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "report.md").write_text("state=[redacted] and code=%5Bredacted%5D\n",
                                     encoding="utf-8")
    assert scan_main([str(clean)]) == 0
