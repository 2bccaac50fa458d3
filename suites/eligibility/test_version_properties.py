"""Properties of both version gates, asked of the systems under test (Hypothesis).

For each gate — VssID's server, VssID's login screen, VNeID's app link — and versions drawn
around its minimum (multi-digit, missing and extra components, leading zeros, pre-release
and build tags, and strings that are not versions):
`allowed(v) ⇔ v ≥ minimum`; equal versions get the same answer (`.0` appended, build
metadata, leading zeros: the order is antisymmetric); the minimum itself passes (reflexive);
and a version above an allowed one is allowed too (transitive). Not-versions are refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from fixtures.drivers.phone import Phone
from fixtures.drivers.vssid_app_client import VssidAppClient
from fixtures.oracle import Minimums
from fixtures.strategies import build_tags, invalid_versions, release_versions, versions
from fixtures.versions import AppVersion, meets_minimum
from suites.eligibility.gate_probes import VneidGate, VssidGate

VSSID_IDS = ("N-VER-2", "APP-05", "APP-08")
VNEID_IDS = ("N-VER-1", "APP-05", "APP-08")


@dataclass(frozen=True)
class Gate:
    """One version gate of a system under test, as a yes/no question."""

    name: str
    minimum: str
    allows: Callable[[str], bool | None]  # None: this version cannot be put on the phone
    takes_any_string: bool  # whether not-versions can reach it (else: valid versions only)

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
        return Gate(request.param, minimums.vssid,
                    VssidGate(vssid_app, http_phone).server_allows, True)
    if request.param == "vssid-screen":
        return Gate(request.param, minimums.vssid,
                    VssidGate(vssid_app, http_phone).screen_offers, False)
    handed_over = vssid_app.start_vneid_login(minimums.vssid).authorization_url
    assert handed_over, f"VssID {minimums.vssid} was not handed over to VNeID"
    vneid = VneidGate(http_phone.driver, http_phone.vneid_url, handed_over)
    return Gate(request.param, minimums.vneid, vneid.allows, True)


def _expect(gate: Gate, version: str, allowed: bool) -> None:
    __tracebackhide__ = True
    expected = meets_minimum(version, gate.minimum)
    assert allowed is expected, (
        f"{gate.name}: version {version!r} {'passed' if allowed else 'was refused'}; expected "
        f"{'to pass' if expected else 'a refusal'} (minimum {gate.minimum}, inclusive, APP-08)")


@given(data=st.data())
def test_allowed_exactly_when_at_or_above_minimum(gate: Gate, data: st.DataObject):
    candidates = versions(gate.minimum)
    if gate.takes_any_string:
        candidates = st.one_of(candidates, invalid_versions(gate.minimum))
    version = data.draw(candidates, label="version")
    _expect(gate, version, gate.answer(version))


@given(data=st.data())
def test_equal_versions_get_the_same_answer(gate: Gate, data: st.DataObject):
    version = data.draw(release_versions(gate.minimum), label="version")
    spellings = [version, version + ".0", version + "+" + data.draw(
        build_tags(), label="build"), ".".join("0" + part for part in version.split("."))]
    answers = {spelling: gate.answer(spelling) for spelling in spellings}
    for spelling, allowed in answers.items():
        _expect(gate, spelling, allowed)
    assert len(set(answers.values())) == 1, f"{gate.name}: equal versions answered {answers}"


def test_the_minimum_itself_and_its_equal_spellings_pass(gate: Gate):
    for spelling in (gate.minimum, gate.minimum + ".0", gate.minimum + "+build.5"):
        assert gate.allows(spelling), f"{gate.name}: the minimum {spelling!r} was refused"


@given(data=st.data())
def test_above_an_allowed_version_is_allowed(gate: Gate, data: st.DataObject):
    first = data.draw(versions(gate.minimum), label="first")
    second = data.draw(versions(gate.minimum), label="second")
    low, high = sorted((first, second), key=AppVersion.parse)
    low_allowed, high_allowed = gate.answer(low), gate.answer(high)
    assert not (low_allowed and not high_allowed), (
        f"{gate.name}: {low!r} passed but the higher {high!r} was refused")
    _expect(gate, low, low_allowed)
    _expect(gate, high, high_allowed)
