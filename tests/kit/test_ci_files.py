"""The CI definitions a team copies (docs/ci/): they cannot run here, so what can be checked
is: they parse, they are shaped as their CI reads them, and every command they run exists
(a make target and the variables it is given, a Python module) and is wired as they expect."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / "docs" / "ci" / "github-actions.yml"
GITLAB = ROOT / "docs" / "ci" / "gitlab-ci.yml"
# What a CI job may run besides the kit's own commands: installing its system packages and
# writing a key file from a secret.
SYSTEM_COMMANDS = {"sudo", "apt-get", "printf"}
SHELL_WORDS = ("if", "then", "else", "fi")


def _makefile() -> tuple[set[str], set[str]]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([A-Za-z][\w-]*):", text, re.M))
    variables = set(re.findall(r"^([A-Z_]+)\s*[:?]?=", text, re.M)) | set(
        re.findall(r"\$\(([A-Z_]+)\)", text))
    return targets, variables


def _scripts(document: dict) -> list[str]:
    """Every shell line a CI file runs (GitHub `run:`, GitLab `script:` / `before_script:`)."""
    lines: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "run" and isinstance(value, str):
                    lines.extend(value.splitlines())
                elif key in ("script", "before_script") and isinstance(value, list):
                    lines.extend(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)
    return [line.strip() for line in lines if line.strip()]


def _commands(line: str) -> list[list[str]]:
    """The simple commands of a shell line (split at && ; ||), `$(...)` left as words."""
    # A CI expression (${{ matrix.shard }}) or a command substitution stands for one word.
    line = re.sub(r"\$\{\{[^}]*\}\}", "X", line)
    words = shlex.split(re.sub(r"\$\([^)]*\)", "SUBST", line))
    commands, current = [], []
    for word in words:
        if word in ("&&", "||", ";") or word.endswith(";"):
            if word.endswith(";") and word != ";":
                current.append(word[:-1])
            commands.append(current)
            current = []
        else:
            current.append(word)
    return [c for c in [*commands, current] if c]


def _problems(document: dict) -> list[str]:
    """What in a CI file names a command, make target or variable that does not exist."""
    targets, variables = _makefile()
    problems = []
    for line in _scripts(document):
        for command in _commands(line):
            while command and command[0] in SHELL_WORDS:  # `then make evidence` is make's
                command = command[1:]
            if not command:
                continue
            head = command[0]
            if head in SYSTEM_COMMANDS or head.startswith("["):
                continue
            if head != "make":
                problems.append(f"{line}: runs {head!r}, which is not a command of the kit")
                continue
            for word in command[1:]:
                name, equals, _ = word.partition("=")
                if equals and name not in variables:
                    problems.append(f"{line}: the Makefile has no variable {name}")
                elif not equals and not word.startswith("-") and word not in targets:
                    problems.append(f"{line}: the Makefile has no target {word!r}")
    return problems


@pytest.mark.parametrize("path", [GITHUB, GITLAB], ids=["github", "gitlab"])
def test_a_ci_file_parses_and_runs_only_commands_that_exist(path: Path):
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    assert _scripts(document), "no command found: the check would pass on anything"
    assert _problems(document) == []


def test_the_check_catches_a_command_a_target_and_a_variable_that_do_not_exist():
    made_up = {"jobs": {"a": {"steps": [
        {"run": "make conformance SHARDZ=1/2"}, {"run": "make nightly"},
        {"run": "pytest suites && make report"},
        {"run": "if [ -n x ]; then make evidenze; fi"}]}}}
    assert _problems(made_up) == [
        "make conformance SHARDZ=1/2: the Makefile has no variable SHARDZ",
        "make nightly: the Makefile has no target 'nightly'",
        "pytest suites && make report: runs 'pytest', which is not a command of the kit",
        "if [ -n x ]; then make evidenze; fi: the Makefile has no target 'evidenze'"]


def test_the_github_workflow_is_nightly_sharded_and_keeps_its_evidence():
    document = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    # PyYAML reads the key `on` as the boolean True (YAML 1.1).
    triggers = document.get("on", document.get(True))
    assert triggers["schedule"][0]["cron"]
    shard_job, merge_job = document["jobs"]["shard"], document["jobs"]["merge"]
    matrix = shard_job["strategy"]["matrix"]["shard"]
    assert matrix == list(range(1, int(document["env"]["SHARDS"]) + 1))
    assert shard_job["strategy"]["fail-fast"] is False  # a red shard does not cancel the rest
    assert merge_job["needs"] == "shard" and merge_job["if"] == "always()"
    uploads = [s for job in (shard_job, merge_job) for s in job["steps"]
               if str(s.get("uses", "")).startswith("actions/upload-artifact")]
    assert len(uploads) == 2 and all(s["if"] == "always()" for s in uploads)
    caches = {s["with"]["path"] for s in shard_job["steps"] if "cache@" in str(s.get("uses"))}
    assert caches == {"~/.cache/uv"} and any(
        s.get("with", {}).get("cache") == "npm" for s in shard_job["steps"])
    assert any("make evidence" in line for line in _scripts(merge_job))


def test_the_gitlab_pipeline_is_sharded_and_keeps_its_evidence():
    document = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    shard_job, merge_job = document["shard"], document["merge"]
    assert shard_job["parallel"] >= 2
    assert "SHARD=$CI_NODE_INDEX/$CI_NODE_TOTAL" in " ".join(shard_job["script"])
    assert shard_job["artifacts"]["when"] == merge_job["artifacts"]["when"] == "always"
    assert merge_job["needs"][0]["job"] == "shard"
    assert {c["paths"][0] for c in document["default"]["cache"]} == {".cache/uv", ".cache/npm"}
    assert any("make evidence" in line for line in merge_job["script"])


def _shard_args(*settings: str) -> str:
    """What the Makefile hands pytest for a shard, read by a rule of the test's own (so no
    recipe of the kit runs: `make -n` would still run the recursive `$(MAKE)` lines)."""
    done = subprocess.run(
        ["make", "--no-print-directory", "-s", "-f", "Makefile", "-f", "-", "shard-args",
         *settings], input="shard-args:\n\t@echo '[$(SHARD_ARGS)]'\n", cwd=ROOT,
        capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_makefile_hands_a_shard_to_pytest():
    assert _shard_args("SHARD=2/3") == "[--shard 2/3]"
    assert _shard_args() == "[]"
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8").split("\nconformance:", 1)[1]
    assert "$(SHARD_ARGS)" in recipe.split("\n\n", 1)[0]
