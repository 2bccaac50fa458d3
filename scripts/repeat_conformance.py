"""Proves the conformance run is not flaky: `make conformance` N times on a clean clone of HEAD.

    uv run python scripts/repeat_conformance.py [--runs 20] [--keep] [--fresh-env]
                                                [--make-arg NAME=VALUE ...]

Clones the current commit (HEAD) of this repository into a temporary folder — what is
committed, never the working tree's uncommitted edits — and runs `make conformance` there
`--runs` times, one after the other, with `CI` unset: each run draws a fresh random
Hypothesis seed (printed in the pytest header, "hypothesis: tier 'full', seed N") and starts
without an example database (`.hypothesis/` is removed before each run), so the runs are
independent draws. A failing run does not stop the others.

At the end it prints the number of runs, how many passed, and for each failing run its seed,
its exit code and the node ids that failed or errored (from that run's `reports/junit.xml`),
with the command that replays each one. It exits 1 when any run failed, 0 otherwise.

By default the clone borrows this checkout's installed environments (`.venv` and
`node_modules`, as symlinks, with make's stamps set) so that nothing is downloaded and the
runs test the locked dependencies already installed; `--fresh-env` lets `make` install them in
the clone instead (`uv sync --frozen`, `npm ci`: slow, needs the registries). The clone needs
nothing outside itself.

Each run's output goes to `runs/<n>/` inside the clone (its log, junit.xml, conformance.json
and .md); `--keep` keeps the clone and prints where it is. Without `--keep` the clone is
removed, and the failing runs' files are first copied to `reports/repeat-conformance/` of this
checkout (git-ignored).

This script is a tool to run by hand (or from a nightly job); `make test` does not run it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_LINE = re.compile(r"^hypothesis: tier '([^']+)', (?:seed (\d+)|derandomized)", re.MULTILINE)
BORROWED = (".venv", "node_modules")
# Appium's extension manifest in the borrowed node_modules: Appium, run from the clone,
# rewrites it with the clone's paths (APPIUM_HOME is the project root), which break this
# checkout's Appium once the clone is gone. Kept aside and put back after the runs.
APPIUM_MANIFEST = Path("node_modules/.cache/appium")
STAMPS = (".make/uv", ".make/python", ".make/node")


@dataclass
class RunResult:
    """One `make conformance`: its exit code, seed and failing node ids."""

    number: int
    returncode: int
    seconds: float
    tier: str = "?"
    seed: str | None = None
    failed: list[str] = field(default_factory=list)
    folder: Path | None = None

    @property
    def passed(self) -> bool:
        return self.returncode == 0


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def make_clone(workspace: Path, *, fresh_env: bool) -> Path:
    """A clone of HEAD in `workspace/<name>`, with this checkout's environments lent."""
    commit = git("rev-parse", "HEAD", cwd=ROOT)
    clone = workspace / ROOT.name
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)],
                   check=True)
    git("checkout", "--quiet", "--detach", commit, cwd=clone)
    if not fresh_env:
        for name in BORROWED:
            source = ROOT / name
            if not source.exists():
                raise SystemExit(f"{source} is missing: run `make setup` here first, or pass "
                                 "--fresh-env to install in the clone")
            (clone / name).symlink_to(source)
        # Make's stamps, newer than the clone's pyproject/lock files: nothing to install.
        for stamp in STAMPS:
            path = clone / stamp
            path.parent.mkdir(exist_ok=True)
            path.touch()
        # The borrowed links are not changes of the clone (its report says "-dirty" otherwise).
        with (clone / ".git" / "info" / "exclude").open("a", encoding="utf-8") as exclude:
            exclude.write("".join(f"/{name}\n" for name in BORROWED))
    return clone


def failing_nodeids(folder: Path, clone: Path) -> list[str]:
    """The node ids that failed or errored in one run: from its conformance.json (node ids as
    pytest names them), else from its junit.xml (<failure> or <error>)."""
    report = folder / "conformance.json"
    if report.exists():
        data = json.loads(report.read_text(encoding="utf-8"))
        return sorted({t["nodeid"] for r in data.get("requirements", []) for t in r["tests"]
                       if t.get("outcome") in ("failed", "error")}
                      | _junit_failures(folder / "junit.xml", clone))
    return sorted(_junit_failures(folder / "junit.xml", clone))


def _junit_failures(junit: Path, clone: Path) -> set[str]:
    if not junit.exists():
        return set()
    failed = set()
    for case in ET.parse(junit).getroot().iter("testcase"):
        if case.find("failure") is None and case.find("error") is None:
            continue
        parts, name = case.get("classname", "").split("."), case.get("name", "")
        # pytest's classname is the module's dotted path, then any classes: find the module.
        for cut in range(len(parts), 0, -1):
            module = "/".join(parts[:cut]) + ".py"
            if (clone / module).exists():
                failed.add("::".join([module, *parts[cut:], name]))
                break
        else:
            failed.add(".".join([*parts, name]))
    return failed


def one_run(clone: Path, number: int, make_args: list[str]) -> RunResult:
    """`make conformance` once in the clone, CI unset; its output kept in runs/<number>/."""
    shutil.rmtree(clone / ".hypothesis", ignore_errors=True)  # independent draws
    folder = clone / "runs" / f"{number:02d}"
    folder.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    log = folder / "make.log"
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run(["make", "--no-print-directory", "conformance", *make_args],
                              cwd=clone, env=env, stdout=out, stderr=subprocess.STDOUT,
                              check=False)
    seconds = time.perf_counter() - started
    result = RunResult(number, done.returncode, seconds, folder=folder)
    text = log.read_text(encoding="utf-8", errors="replace")
    found = SEED_LINE.search(text)
    if found:
        result.tier, result.seed = found.group(1), found.group(2)
    reports = clone / "reports"
    for name in ("junit.xml", "conformance.json", "conformance.md"):
        if (reports / name).exists():
            shutil.copy2(reports / name, folder / name)
    result.failed = failing_nodeids(folder, clone)
    return result


def replay_command(result: RunResult, nodeid: str) -> str:
    seed = f" --hypothesis-seed {result.seed}" if result.seed else ""
    return f"uv run pytest '{nodeid}' --tier {result.tier} -p no:randomly{seed}"


def report(results: list[RunResult], commit: str) -> None:
    passed = sum(r.passed for r in results)
    print(f"\ncommit {commit}: {len(results)} runs of `make conformance`, {passed} passed, "
          f"{len(results) - passed} failed")
    for r in results:
        if r.passed:
            continue
        seed = f"seed {r.seed}" if r.seed else "seed unknown (no pytest header in the log)"
        print(f"- run {r.number}: exit {r.returncode}, tier {r.tier!r}, {seed}, "
              f"{r.seconds:.0f} s")
        if not r.failed:
            print("    no failing test in junit.xml (the run broke elsewhere: see its make.log)")
        for nodeid in r.failed:
            print(f"    {nodeid}\n      replay: {replay_command(r, nodeid)}")


def main() -> int:
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(doc.splitlines()[2:]))
    parser.add_argument("--runs", type=int, default=20, help="how many runs (default 20)")
    parser.add_argument("--keep", action="store_true", help="keep the clone and every run's files")
    parser.add_argument("--fresh-env", action="store_true",
                        help="install .venv and node_modules in the clone instead of borrowing "
                             "this checkout's")
    parser.add_argument("--make-arg", action="append", default=[], metavar="NAME=VALUE",
                        help="a make variable for every run, e.g. --make-arg WORKERS=2 "
                             "(repeatable)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    commit = git("rev-parse", "--short", "HEAD", cwd=ROOT)
    workspace = Path(tempfile.mkdtemp(prefix="repeat-conformance-"))
    results: list[RunResult] = []
    manifest = ROOT / APPIUM_MANIFEST
    kept_manifest = workspace / "appium-manifest"
    if not args.fresh_env and manifest.is_dir():
        shutil.copytree(manifest, kept_manifest)
    try:
        clone = make_clone(workspace, fresh_env=args.fresh_env)
        print(f"clone of {commit} in {clone}; {args.runs} runs, CI unset", flush=True)
        for number in range(1, args.runs + 1):
            result = one_run(clone, number, args.make_arg)
            results.append(result)
            verdict = "passed" if result.passed else f"FAILED ({len(result.failed)} test(s))"
            print(f"run {number}/{args.runs}: {verdict}, seed {result.seed}, "
                  f"{result.seconds:.0f} s", flush=True)
    finally:
        if kept_manifest.is_dir():
            shutil.rmtree(manifest, ignore_errors=True)
            shutil.copytree(kept_manifest, manifest)
        if results:
            report(results, commit)
        if args.keep:
            print(f"kept: {workspace}")
        else:
            failing = [r for r in results if not r.passed and r.folder is not None]
            if failing:
                saved = ROOT / "reports" / "repeat-conformance" / commit
                for r in failing:
                    shutil.copytree(r.folder, saved / r.folder.name, dirs_exist_ok=True)
                print(f"the failing runs' logs and reports: {saved}")
            shutil.rmtree(workspace, ignore_errors=True)
    return 0 if results and all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
