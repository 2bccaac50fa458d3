"""The oracle and the version comparison, with cases taken straight from REQUIREMENTS.md."""

from __future__ import annotations

import pytest

from fixtures.oracle import Attempt, Outcome, expected_outcome, masked_id_number
from fixtures.versions import AppVersion, InvalidVersion, meets_minimum


@pytest.mark.parametrize(
    ("version", "allowed"),
    [("1.6.7", True), ("1.6.6", False), ("1.6.10", True), ("1.6", False), ("1.7", True),
     ("1.6.7-beta", False), ("1.6.7+build.5", True), ("1.6.7.0", True), ("01.6.7", True),
     ("2.0.0-rc.1", True), ("", False), ("1.6.x", False), ("v1.6.7", False), ("1..6", False)],
)
def test_vssid_gate(version, allowed):
    assert meets_minimum(version, "1.6.7") is allowed


@pytest.mark.parametrize(
    ("version", "allowed"),
    [("2.1.0", True), ("2.0.9", False), ("2.10.0", True), ("2.1", True), ("2.1.0-alpha", False)],
)
def test_vneid_gate(version, allowed):
    assert meets_minimum(version, "2.1.0") is allowed


def test_missing_components_are_zero_and_build_metadata_is_ignored():
    assert AppVersion.parse("1.6") == AppVersion.parse("1.6.0")
    assert AppVersion.parse("1.6.7+a") == AppVersion.parse("1.6.7+b")
    assert AppVersion.parse("1.6.7-beta.2") < AppVersion.parse("1.6.7-beta.10")
    assert AppVersion.parse("1.6.7-2") < AppVersion.parse("1.6.7-alpha")


@pytest.mark.parametrize("text", ["", "1.", ".1", "1.6.7-", "1.6.7+", "١.٦.٧", "1 .6"])
def test_invalid_versions_are_refused(text):
    with pytest.raises(InvalidVersion):
        AppVersion.parse(text)


@pytest.mark.parametrize(
    ("attempt", "expected"),
    [
        (Attempt(), Outcome.LOGGED_IN),
        (Attempt(vssid_version="1.6.6", vneid_installed=False), Outcome.VSSID_UPDATE_REQUIRED),
        (Attempt(vneid_installed=False, vneid_version="1.0.0"), Outcome.VNEID_NOT_INSTALLED),
        (Attempt(vneid_version="2.0.9", vneid_status="locked"), Outcome.VNEID_UPDATE_REQUIRED),
        (Attempt(vneid_status="revoked", credentials_right=False), Outcome.VNEID_LOCKED),
        (Attempt(credentials_right=False, level=1), Outcome.VNEID_BAD_CREDENTIALS),
        (Attempt(level=1, consent=False), Outcome.LEVEL2_REQUIRED),
        (Attempt(consent=False, vssid_account="none"), Outcome.CANCELLED),
        (Attempt(vssid_account="none"), Outcome.NO_VSSID_ACCOUNT),
        (Attempt(vssid_account="pending"), Outcome.VSSID_PENDING),
        (Attempt(vssid_account="locked"), Outcome.VSSID_LOCKED),
    ],
)
def test_first_applicable_outcome_wins(attempt, expected):
    assert expected_outcome(attempt) is expected


def test_masking_keeps_first_and_last_three_digits():
    assert masked_id_number("084190012345") == "084******345"
