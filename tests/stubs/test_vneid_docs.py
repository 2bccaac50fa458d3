"""The stub VNeID's README documents every defect, fault, setting and data-testid it has."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest

from stubs.vneid.config import VneidConfig
from stubs.vneid.defects import CATALOGUE
from stubs.vneid.faults import AuthorizationResponseFault, HttpFault, IdTokenFault

PACKAGE = Path(__file__).parents[2] / "stubs" / "vneid"
README = (PACKAGE / "README.md").read_text("utf-8")


DEFECT_ROWS = re.findall(r"^\| `([a-z0-9_]+)` \| ([A-Z0-9-]+) \| (.*) \|$",
                         README.split("## Defects", 1)[1].split("\n## ", 1)[0], re.M)


@pytest.mark.parametrize("defect", list(CATALOGUE), ids=lambda d: d.name)
def test_every_defect_is_documented_with_its_requirement_and_effect(defect):
    row = next((r for r in DEFECT_ROWS if r[0] == defect.name), None)
    assert row is not None, defect.name
    _, requirement, effect = row
    assert requirement == defect.requirement
    assert effect.startswith(defect.effect)
    if defect.recommendation:
        assert f"`{defect.recommendation}`" in effect, "a warning-only defect names its key"


def test_the_defects_table_lists_the_catalogue_in_its_order():
    assert [r[0] for r in DEFECT_ROWS] == [d.name for d in CATALOGUE]


@pytest.mark.parametrize(
    "fault", [*IdTokenFault, *AuthorizationResponseFault, *HttpFault], ids=lambda f: f.value)
def test_every_fault_is_documented(fault):
    assert f"`{fault.value}`" in README


@pytest.mark.parametrize("setting", [f.name for f in msgspec.structs.fields(VneidConfig)])
def test_every_setting_is_in_the_settings_table(setting):
    assert f"`{setting}`" in README


def test_every_data_testid_in_the_templates_is_documented():
    testids = set()
    for template in (PACKAGE / "templates").glob("*.html"):
        testids |= set(re.findall(r'data-testid="([^"]+)"', template.read_text("utf-8")))
    assert testids, "templates carry data-testids"
    missing = {t for t in testids if f"`{t}`" not in README}
    assert not missing
