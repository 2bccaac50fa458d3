"""Every verdict in suites/ is a named check: no bare `assert` (it would say nothing of the
requirement, clause or level, and would print raw values into the report)."""

from __future__ import annotations

import ast
from pathlib import Path

SUITES = Path(__file__).resolve().parents[2] / "suites"


def test_no_bare_assert_in_the_suites():
    found = []
    for path in sorted(SUITES.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found += [f"{path.relative_to(SUITES.parent)}:{node.lineno}"
                  for node in ast.walk(tree) if isinstance(node, ast.Assert)]
    assert not found, "bare asserts in suites/ (use fixtures/verdicts.py: check(), fail(), " \
                      f"should(), needs() or KitError): {found}"
