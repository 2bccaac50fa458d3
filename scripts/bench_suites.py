"""Benchmark: wall time of each protocol suite and of the whole protocol catalogue, medians.

    uv run python scripts/bench_suites.py [--rounds 5] [--workers 0,2]

Runs `pytest suites/rp`, `pytest suites/idp` and both together against the embedded stubs,
each `rounds` times in a fresh process (start-up included, as a user sees it), serially and
with xdist workers, and prints medians side by side with the ratio to the serial run. The
issue's target is the whole protocol catalogue in at most 15 s on this 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = {"rp": ["suites/rp"], "idp": ["suites/idp"], "rp+idp": ["suites/rp", "suites/idp"]}


def one_run(paths: list[str], workers: int) -> float:
    """Seconds for one pytest process over `paths`; fails loudly if any test fails."""
    command = [sys.executable, "-m", "pytest", *paths, "-q", "-p", "no:cacheprovider"]
    if workers:
        command += ["-n", str(workers)]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(paths)} failed:\n{done.stdout[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", default="0,2", help="comma-separated xdist worker counts")
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
          f"{args.rounds} rounds each")
    header = f"{'suite':<8}" + "".join(f"{f'-n {w}' if w else 'serial':>12}" for w in workers)
    print(header + f"{'ratio':>10}")
    for name, paths in RUNS.items():
        medians = [statistics.median(one_run(paths, w) for _ in range(args.rounds))
                   for w in workers]
        ratio = f"{medians[-1] / medians[0]:.2f}" if len(medians) > 1 else "-"
        print(f"{name:<8}" + "".join(f"{m:>11.2f}s" for m in medians) + f"{ratio:>10}")


if __name__ == "__main__":
    main()
