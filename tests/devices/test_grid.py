"""The journey through a real Selenium Grid 4 (the pinned npm jar): a hub and two nodes on
loopback, each relaying to its own Appium; `--appium-url` is the grid's URL."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fixtures.grid import Grid, local_grid, node_of_session

ROOT = Path(__file__).resolve().parents[2]
JOURNEY = "suites/journey/test_notice_journey.py"


def _command(folder: Path, appium_url: str | None) -> list[str]:
    return [sys.executable, "-m", "pytest", JOURNEY, "-q", "-p", "no:randomly", "-p",
            "no:cacheprovider", "-o", "addopts=", "-n", "2", "--driver", "appium",
            "--conformance-report", str(folder), "--artifacts", str(folder / "artifacts"),
            *(["--appium-url", appium_url] if appium_url else [])]


def _tests(folder: Path) -> dict[str, dict]:
    report = json.loads((folder / "conformance.json").read_text(encoding="utf-8"))
    return {t["nodeid"]: {"outcome": t["outcome"], "errors": r["errors"]}
            for r in report["requirements"] for t in r["tests"]}


@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory):
    with local_grid(tmp_path_factory.mktemp("grid"), nodes=2) as running:
        yield running


def test_the_grid_is_ready_with_two_relay_nodes(grid: Grid):
    status = grid.status()
    assert status["ready"] and len(status["nodes"]) == 2
    assert all(n["availability"] == "UP" for n in status["nodes"])
    assert all(url.startswith("http://127.0.0.1:") for url in [grid.url] + [
        n["uri"] for n in status["nodes"]])  # loopback only
    assert node_of_session(grid.url, "no-such-session", wait_s=0.2) is None


def test_the_journey_through_the_grid_uses_both_nodes_with_the_local_verdicts(grid: Grid,
                                                                            tmp_path: Path):
    before = [n.sessions_started() for n in grid.nodes]
    local = subprocess.run(_command(tmp_path / "local", None), cwd=ROOT, capture_output=True,
                           text=True, timeout=400, check=False)
    through = subprocess.run(_command(tmp_path / "grid", grid.url), cwd=ROOT,
                             capture_output=True, text=True, timeout=400, check=False)
    assert through.returncode == 0, through.stdout[-3000:]
    verdicts = {k: v["outcome"] for k, v in _tests(tmp_path / "grid").items()}
    assert verdicts == {k: v["outcome"] for k, v in _tests(tmp_path / "local").items()}, \
        local.stdout[-2000:]
    assert verdicts and set(verdicts.values()) == {"passed"}
    # Two xdist workers, one session each: the hub gave each node one.
    assert [n.sessions_started() - b for n, b in zip(grid.nodes, before, strict=True)] == [1, 1]


def test_a_node_that_dies_mid_run_errs_its_tests_and_names_itself(tmp_path: Path):
    """A crashed node is the run's trouble, not the systems': its tests are errors of the kit
    naming the node, the other node's tests finish with their verdicts."""
    with local_grid(tmp_path / "grid", nodes=2) as grid:
        run = subprocess.Popen(_command(tmp_path / "run", grid.url), cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 180
            while not all(n.sessions_started() for n in grid.nodes):
                assert run.poll() is None and time.monotonic() < deadline, "no sessions started"
                time.sleep(0.2)
            grid.kill_node("node-1")
            output, _ = run.communicate(timeout=400)
        finally:
            if run.poll() is None:
                run.kill()
        dead = grid.nodes[0].url
    tests = _tests(tmp_path / "run")
    errored = {k: v for k, v in tests.items() if v["outcome"] == "error"}
    assert errored, output[-3000:]
    assert not [k for k, v in tests.items() if v["outcome"] == "failed"], output[-3000:]
    assert [k for k, v in tests.items() if v["outcome"] == "passed"], output[-3000:]
    messages = [e["message"] for v in errored.values() for e in v["errors"]]
    # A test whose session died names its node (the kit asks the grid where the session ran);
    # one that asked for a new session after the crash gets the grid's own refusal, which names
    # the node the hub still sent it to. Either way the report says which node.
    assert messages and all(dead in m for m in messages), messages
