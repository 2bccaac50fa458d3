"""Benchmark of the eligibility suites: version examples/s, exhaustive combinations, whole suite.

    uv run python scripts/bench_eligibility.py [--tiers smoke,full]

Prints: version examples per second (Hypothesis drawing versions and asking the kit's oracle,
in-process), the wall time of the exhaustive combinations, and of the whole eligibility suite
per tier — each with the machine's load average, since other work on the machine skews them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def version_examples_per_second(examples: int = 3000) -> float:
    """Hypothesis examples/s for the APP-08 gate property, in-process (no network)."""
    from hypothesis import HealthCheck, given, settings

    from fixtures.strategies import versions
    from fixtures.versions import AppVersion, meets_minimum

    @settings(max_examples=examples, database=None, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(versions("1.6.7"))
    def gate_property(text: str) -> None:
        assert meets_minimum(text, "1.6.7") == (AppVersion.parse(text) >= AppVersion.parse(
            "1.6.7"))

    started = time.perf_counter()
    gate_property()
    return examples / (time.perf_counter() - started)


def pytest_wall_time(*args: str) -> tuple[float, str]:
    """Wall time and summary line of one pytest run of the eligibility suites."""
    started = time.perf_counter()
    done = subprocess.run(["uv", "run", "pytest", *args, "-q", "-p", "no:randomly"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    summary = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
    return time.perf_counter() - started, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiers", default="smoke,full")
    tiers = parser.parse_args().tiers.split(",")
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"version examples/s (in-process oracle): {version_examples_per_second():,.0f}")
    seconds, summary = pytest_wall_time("suites/eligibility/test_every_combination.py")
    print(f"exhaustive combinations: {seconds:.1f} s wall ({summary})")
    for tier in tiers:
        serial, summary = pytest_wall_time("suites/eligibility", "--tier", tier)
        parallel, _ = pytest_wall_time("suites/eligibility", "--tier", tier, "-n", "2")
        print(f"whole eligibility suite, tier {tier}: {serial:.1f} s serial, {parallel:.1f} s "
              f"with -n 2 (ratio {parallel / serial:.2f}; {summary}); "
              f"load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
