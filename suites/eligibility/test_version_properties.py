"""Properties of both version gates, asked of the systems under test (Hypothesis).

For each gate — VssID's server, VssID's login screen, VNeID's app link — and versions drawn
around its minimum (multi-digit, missing and extra components, leading zeros, pre-release
and build tags, and strings that are not versions):
`allowed(v) ⇔ v ≥ minimum`; equal versions get the same answer (`.0` appended, build
metadata, leading zeros: the order is antisymmetric); the minimum itself passes (reflexive);
and a version above an allowed one is allowed too (transitive).

Strings that are not versions (empty, surrounded by spaces, `v1.6.7`, other digits) are drawn
too, but neither the notice nor APP-08 says what they must get: a gate that lets one through
reads "passed with warnings" (APP-08/unreadable-refused, fail closed), never failed.

A wrong answer names what it breaks: the gate's notice requirement (N-VER-2 for VssID, N-VER-1
for VNeID) with APP-05 (the app's gate "as in N-VER-1/2"), and APP-08 when the answer hinges
on its comparison rules — the minimum itself (inclusive), more or fewer than three components,
a multi-digit component, a leading zero, a pre-release or build tag. Equal spellings answered
differently, or a higher version refused after a lower one passed, break APP-08 alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from fixtures.drivers.phone import Phone
from fixtures.drivers.vssid_app_client import VssidAppClient
from fixtures.oracle import Minimums
from fixtures.strategies import (
    build_tags,
    is_valid_version,
    not_versions,
    release_versions,
    versions,
)
from fixtures.systems import not_applicable
from fixtures.verdicts import KitError, check, should
from fixtures.versions import AppVersion, meets_minimum
from suites.eligibility.gate_probes import VneidGate, VssidGate

VSSID_IDS = ("N-VER-2", "APP-05", "APP-08")
VNEID_IDS = ("N-VER-1", "APP-05", "APP-08")


@dataclass(frozen=True)
class Gate:
    """One version gate of a system under test, as a yes/no question."""

    name: str
    requirement: str  # the notice's requirement for this gate: N-VER-2 (VssID), N-VER-1 (VNeID)
    minimum: str
    allows: Callable[[str], bool | None]  # None: this version cannot be put on the phone

    def answer(self, version: str) -> bool:
        allowed = self.allows(version)
        assume(allowed is not None)
        return bool(allowed)


@pytest.fixture(params=[
    pytest.param("vssid-server", marks=pytest.mark.req(*VSSID_IDS)),
    pytest.param("vssid-screen", marks=pytest.mark.req(*VSSID_IDS)),
    pytest.param("vneid-app-link", marks=pytest.mark.req(*VNEID_IDS)),
])
def gate(request: pytest.FixtureRequest, vssid_app: VssidAppClient, http_phone: Phone,
         minimums: Minimums) -> Gate:
    """The gate under test, over HTTP."""
    if request.param == "vssid-server":
        return Gate(request.param, "N-VER-2", minimums.vssid,
                    VssidGate(vssid_app, http_phone).server_allows)
    if request.param == "vssid-screen":
        return Gate(request.param, "N-VER-2", minimums.vssid,
                    VssidGate(vssid_app, http_phone).screen_offers)
    if not http_phone.learns_device_state("vneid"):
        not_applicable("VNeID's version gate is asked by putting versions on the phone, and "
                       "this IdP learns the phone's VNeID version through no declared channel; "
                       "declare idp.device_page = true if it serves the kit's /_device page")
    handed_over = vssid_app.start_vneid_login(minimums.vssid).authorization_url
    if not handed_over:
        # VssID's own gate is judged by the VssID parameters; without a hand-over the kit has
        # no app link to ask VNeID's gate with.
        raise KitError(f"VssID {minimums.vssid} (its minimum) was not handed over to VNeID, so "
                       "VNeID's version gate cannot be asked",
                       fix="see the vssid-server results of this test; the target's "
                           "vssid_min_version must be the version VssID accepts")
    vneid = VneidGate(http_phone.driver, http_phone.vneid_url, handed_over)
    return Gate(request.param, "N-VER-1", minimums.vneid, vneid.allows)


_PLAIN = re.compile(r"[0-9]\.[0-9]\.[0-9]")  # the notice's own spelling: 1.6.7, 2.1.0


def _broken(gate: Gate, version: str) -> tuple[str, ...]:
    """What a wrong answer for `version` breaks (see the module's docstring)."""
    ids = (gate.requirement, "APP-05")
    at_minimum = meets_minimum(version, gate.minimum) and meets_minimum(gate.minimum, version)
    if at_minimum or not _PLAIN.fullmatch(version):
        return (*ids, "APP-08")
    return ids


def _expect(gate: Gate, version: str, allowed: bool) -> None:
    __tracebackhide__ = True
    if not is_valid_version(version):
        # Not in APP-08's order: what it must get is not defined, so only a recommendation.
        should(not allowed, "APP-08/unreadable-refused",
               f"{gate.name}: {version!r}, which is not a version, is refused as too old",
               f"{version!r} passed")
        return
    expected = meets_minimum(version, gate.minimum)
    check(allowed is expected, _broken(gate, version),
          f"{gate.name}: version {version!r} {'passes' if expected else 'is refused'} "
          f"(minimum {gate.minimum}, inclusive)",
          f"version {version!r} {'passed' if allowed else 'was refused'}")


@given(data=st.data())
def test_allowed_exactly_when_at_or_above_minimum(gate: Gate, data: st.DataObject):
    version = data.draw(versions(gate.minimum), label="version")
    _expect(gate, version, gate.answer(version))


@pytest.mark.parametrize("gate", [
    pytest.param("vssid-server", marks=pytest.mark.req(*VSSID_IDS)),
    pytest.param("vneid-app-link", marks=pytest.mark.req(*VNEID_IDS)),
], indirect=True)  # the login screen's gate is asked with versions only
def test_strings_that_are_no_version_are_refused(gate: Gate):
    """Every way the kit breaks a version, around the minimum (the same list every run, so a
    gate that lets one through warns every run, not only when Hypothesis draws it)."""
    for broken in sorted(set(not_versions(gate.minimum)) | set(not_versions("10.0"))):
        allowed = gate.allows(broken)
        if allowed is not None:  # None: the channel cannot carry it (no app could send it)
            _expect(gate, broken, allowed)


@given(data=st.data())
def test_equal_versions_get_the_same_answer(gate: Gate, data: st.DataObject):
    version = data.draw(release_versions(gate.minimum), label="version")
    spellings = [version, version + ".0", version + "+" + data.draw(
        build_tags(), label="build"), ".".join("0" + part for part in version.split("."))]
    answers = {spelling: gate.answer(spelling) for spelling in spellings}
    for spelling, allowed in answers.items():
        _expect(gate, spelling, allowed)
    check(len(set(answers.values())) == 1, "APP-08",
          f"{gate.name}: one answer for equal spellings of {version!r}",
          ", ".join(f"{v!r} {'passed' if a else 'refused'}" for v, a in answers.items()))


def test_the_minimum_itself_and_its_equal_spellings_pass(gate: Gate):
    for spelling in (gate.minimum, gate.minimum + ".0", gate.minimum + "+build.5"):
        check(gate.allows(spelling), (gate.requirement, "APP-05", "APP-08"),
              f"{gate.name}: the minimum {spelling!r} passes (the minimum is inclusive)",
              f"{spelling!r} was refused")


@given(data=st.data())
def test_above_an_allowed_version_is_allowed(gate: Gate, data: st.DataObject):
    first = data.draw(versions(gate.minimum), label="first")
    second = data.draw(versions(gate.minimum), label="second")
    low, high = sorted((first, second), key=AppVersion.parse)
    low_allowed, high_allowed = gate.answer(low), gate.answer(high)
    check(not (low_allowed and not high_allowed), "APP-08",
          f"{gate.name}: {high!r} passes, as the lower {low!r} did (the order is transitive)",
          f"{low!r} passed, {high!r} was refused")
    _expect(gate, low, low_allowed)
    _expect(gate, high, high_allowed)
