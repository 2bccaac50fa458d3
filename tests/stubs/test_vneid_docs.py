"""The stub VNeID's README documents every defect, fault, setting and data-testid it has."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from stubs.vneid.config import VneidConfig
from stubs.vneid.defects import DEFECT_REQUIREMENTS, Defect
from stubs.vneid.faults import AuthorizationResponseFault, HttpFault, IdTokenFault

PACKAGE = Path(__file__).parents[2] / "stubs" / "vneid"
README = (PACKAGE / "README.md").read_text("utf-8")


@pytest.mark.parametrize("defect", list(Defect), ids=lambda d: d.value)
def test_every_defect_is_documented_with_its_requirement(defect):
    row = next((line for line in README.splitlines() if line.startswith(f"| `{defect.value}`")),
               None)
    assert row is not None, defect.value
    assert f"| {DEFECT_REQUIREMENTS[defect]} |" in row


@pytest.mark.parametrize(
    "fault", [*IdTokenFault, *AuthorizationResponseFault, *HttpFault], ids=lambda f: f.value)
def test_every_fault_is_documented(fault):
    assert f"`{fault.value}`" in README


@pytest.mark.parametrize("setting", [f.name for f in fields(VneidConfig)])
def test_every_setting_is_in_the_settings_table(setting):
    assert f"`{setting}`" in README


def test_every_data_testid_in_the_templates_is_documented():
    testids = set()
    for template in (PACKAGE / "templates").glob("*.html"):
        testids |= set(re.findall(r'data-testid="([^"]+)"', template.read_text("utf-8")))
    assert testids, "templates carry data-testids"
    missing = {t for t in testids if f"`{t}`" not in README}
    assert not missing
