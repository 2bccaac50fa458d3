"""--shard I/N splits a run; `python -m fixtures.shards merge` folds the shards back into one
report with the verdicts of the unsharded run."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixtures.shards import Shard, ShardError, merge, select
from tests.targets import embedded_target, write_target

ROOT = Path(__file__).resolve().parents[2]
# Cheap tests of both sides; with a VssID defect on, so failures are merged as well as passes.
SUITES = ["suites/rp/test_session.py", "suites/idp/test_responses.py"]
DEFECT = "weak_session_cookie"  # fails RP-23


class _Item:
    def __init__(self, nodeid: str) -> None:
        self.nodeid = nodeid


@pytest.mark.parametrize("text", ["0/2", "3/2", "2", "a/b", "1/0", "", "1/2/3", "-1/2"])
def test_a_shard_that_is_no_part_of_a_run_is_refused(text):
    with pytest.raises(ShardError, match="expected I/N with 1 <= I <= N"):
        Shard.parse(text)


@given(st.lists(st.text(min_size=1, max_size=8), unique=True, max_size=40),
       st.integers(min_value=1, max_value=6), st.randoms())
def test_the_shards_split_any_collection_into_disjoint_parts_that_cover_it(ids, count, rnd):
    items = [_Item(i) for i in ids]
    shuffled = items[:]
    rnd.shuffle(shuffled)  # another job may collect in another order (pytest-randomly)
    parts = [select(items, Shard(i, count))[0] for i in range(1, count + 1)]
    again = [select(shuffled, Shard(i, count))[0] for i in range(1, count + 1)]
    assert sorted(i.nodeid for part in parts for i in part) == sorted(ids)
    assert [{i.nodeid for i in p} for p in parts] == [{i.nodeid for i in p} for p in again]
    assert max(map(len, parts)) - min(map(len, parts)) <= 1
    for part in parts:  # each part keeps the collection's order
        assert [items.index(i) for i in part] == sorted(items.index(i) for i in part)


def _run(folder: Path, target: Path, *extra: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pytest", *SUITES, "-q", "-p", "no:randomly", "-p",
         "no:cacheprovider", "-o", "addopts=", "--target", str(target), "--conformance-report",
         str(folder), "--junitxml", str(folder / "junit.xml"), "--alluredir",
         str(folder / "allure-results"), *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert (folder / "conformance.json").is_file(), f"{folder}: the run wrote no report"


def _verdicts(report: dict) -> tuple[dict, dict]:
    by_requirement = {r["id"]: r["outcome"] for r in report["requirements"]}
    by_test = {(r["id"], t["nodeid"]): t["outcome"] for r in report["requirements"]
               for t in r["tests"]}
    return by_requirement, by_test


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("shards")
    target = write_target(embedded_target(vssid_defects=[DEFECT]), base / "target.toml")
    _run(base / "whole", target)
    for index in (1, 2):
        _run(base / f"shard-{index}", target, "--shard", f"{index}/2")
    return base


def test_merged_shards_give_the_verdicts_of_the_unsharded_run(runs: Path):
    whole = json.loads((runs / "whole" / "conformance.json").read_text(encoding="utf-8"))
    halves = [json.loads((runs / f"shard-{i}" / "conformance.json").read_text(encoding="utf-8"))
              for i in (1, 2)]
    tests_of = [{t for (_, t) in _verdicts(h)[1]} for h in halves]
    assert tests_of[0] and tests_of[1] and not tests_of[0] & tests_of[1]  # two real halves
    merged = merge([runs / "shard-1", runs / "shard-2"], runs / "merged")
    assert _verdicts(merged) == _verdicts(whole)
    assert merged["summary"] == whole["summary"]
    assert _verdicts(whole)[0]["RP-23"] == "failed"  # failures merge too, not only passes
    assert [s["shard"] for s in merged["run"]["shards"]] == ["1/2", "2/2"]
    written = json.loads((runs / "merged" / "conformance.json").read_text(encoding="utf-8"))
    assert _verdicts(written) == _verdicts(whole)
    assert "RP-23" in (runs / "merged" / "conformance.md").read_text(encoding="utf-8")


def test_the_junit_files_and_allure_results_are_merged_whole(runs: Path):
    merge([runs / "shard-1", runs / "shard-2"], runs / "merged-files")

    def totals(path: Path) -> dict:
        root = ET.parse(path).getroot()
        suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
        return {key: sum(int(s.get(key, 0)) for s in suites)
                for key in ("tests", "failures", "errors", "skipped")}

    assert totals(runs / "merged-files" / "junit.xml") == totals(runs / "whole" / "junit.xml")
    results = sorted(p.name for p in (runs / "merged-files" / "allure-results").iterdir()
                     if p.name.endswith("-result.json"))
    whole = [p for p in (runs / "whole" / "allure-results").iterdir()
             if p.name.endswith("-result.json")]
    assert len(results) == len(whole) > 0


def test_the_merge_refuses_shards_that_do_not_make_one_run(runs: Path, tmp_path: Path):
    with pytest.raises(ShardError, match=r"shard\(s\) 2/2 missing"):
        merge([runs / "shard-1"], tmp_path / "a")
    with pytest.raises(ShardError, match="shard 1/2 is given twice"):
        merge([runs / "shard-1", runs / "shard-1"], tmp_path / "b")
    with pytest.raises(ShardError, match="not a shard"):
        merge([runs / "whole", runs / "shard-2"], tmp_path / "c")
    changed = tmp_path / "other-target"
    changed.mkdir()
    for name in ("conformance.json", "results.json"):
        (changed / name).write_bytes((runs / "shard-2" / name).read_bytes())
    report = json.loads((changed / "conformance.json").read_text(encoding="utf-8"))
    report["target"]["name"] = "another target"
    (changed / "conformance.json").write_text(json.dumps(report), encoding="utf-8")
    with pytest.raises(ShardError, match="their target differ"):
        merge([runs / "shard-1", changed], tmp_path / "d")


def test_the_merge_command_says_what_to_fix(tmp_path: Path):
    done = subprocess.run([sys.executable, "-m", "fixtures.shards", "merge", "--out",
                           str(tmp_path / "out"), str(tmp_path / "nowhere")],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "merge: " in done.stderr and "no conformance.json" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_bad_shard_option_is_a_usage_error(tmp_path: Path):
    done = subprocess.run([sys.executable, "-m", "pytest", SUITES[0], "--shard", "3/2",
                           "-p", "no:cacheprovider", "-o", "addopts="],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "expected I/N with 1 <= I <= N" in done.stderr


def test_make_merge_as_the_ci_files_call_it(runs: Path):
    """The command docs/ci/ runs after the shards: the merged report and its Allure HTML."""
    out = runs / "make-merge"
    done = subprocess.run(["make", "--no-print-directory", "merge",
                           f"SHARDS={runs / 'shard-1'} {runs / 'shard-2'}", f"REPORTS={out}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    # The run had a failing defect: the merge says so by failing, as pytest would (make
    # answers any failing recipe with its own status 2).
    assert done.returncode != 0, done.stdout + done.stderr
    assert "merged 2 shards" in done.stdout
    assert (out / "conformance.md").is_file() and (out / "allure-report" / "index.html").is_file()
    refused = subprocess.run(["make", "--no-print-directory", "merge",
                              f"SHARDS={runs / 'shard-1'}", f"REPORTS={out}-b"], cwd=ROOT,
                             capture_output=True, text=True, timeout=120, check=False)
    assert refused.returncode != 0 and "2/2 missing" in refused.stderr
    assert "merged" not in refused.stdout
    assert not (out.parent / "make-merge-b" / "allure-report").exists()
