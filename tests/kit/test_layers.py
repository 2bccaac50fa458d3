"""The dependency rule of docs/architecture.md (import-linter): suites → fixtures → stubs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_imports_point_one_way():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 kept, 0 broken" in done.stdout


def _plugin_importers(files: dict[str, str]) -> list[str]:
    """The modules (by name) that import fixtures.plugin, which only pytest may load."""
    import ast

    found = []
    for name, source in files.items():
        for node in ast.walk(ast.parse(source)):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "fixtures.plugin" for n in names):
                found.append(name)
    return found


def test_nothing_imports_the_plugin_back():
    """The plugin registers the fixture modules; what they share (the target's stash key,
    the requirement IDs of an item) lives in the layer below, never in the plugin."""
    files = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
             for folder in ("fixtures", "suites", "stubs") for p in (ROOT / folder).rglob("*.py")
             if p.name != "plugin.py"}
    assert _plugin_importers(files) == []
    # The check sees both spellings of the import it forbids.
    planted = {"a.py": "def f():\n    from fixtures.plugin import TARGET_KEY\n",
               "b.py": "import fixtures.plugin\n", "c.py": "from fixtures.config import X\n"}
    assert _plugin_importers(planted) == ["a.py", "b.py"]
