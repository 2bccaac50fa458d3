"""The repository explains itself: nothing in it points at a document outside it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A path that leaves the repository: ../shared, ../seed, or the first map's documents.
OUTSIDE = re.compile(r"\.\./(shared|seed)\b|\b(ARCHITECTURE|STYLE)\.md\b|shared/REQUIREMENTS")


def _tracked() -> list[Path]:
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.splitlines()
    return [ROOT / n for n in names if not n.endswith((".lock", ".json"))
            and n != "tests/kit/test_repository_stands_alone.py"]


def test_no_file_refers_to_a_document_outside_the_repository():
    found = []
    for path in _tracked():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        found += [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
                  for n, line in enumerate(text.splitlines(), 1) if OUTSIDE.search(line)]
    assert not found, "references outside the repository:\n" + "\n".join(found)


def test_the_notice_and_the_architecture_are_in_it():
    for name in ("docs/notice/notice-vssid-vneid.vi.txt", "docs/notice/README.md",
                 "docs/architecture.md", "docs/requirements.md"):
        assert (ROOT / name).is_file(), name
    assert "mức 2" in (ROOT / "docs/notice/notice-vssid-vneid.vi.txt").read_text("utf-8")
