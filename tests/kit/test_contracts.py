"""Contracts across the boundary: where the kit and its stubs each keep their own copy of a
concept on purpose (the oracle must not ask the stubs), these tests tie the copies together,
so changing one alone fails here rather than silently elsewhere."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from fixtures.config import DEFAULT_TARGET, LOCATED_OUTCOMES, RP_LOCATED_OUTCOMES, load_target
from fixtures.oracle import IDP_ERROR, PROTOCOL_ERROR, Outcome
from fixtures.strategies import invalid_versions, versions
from fixtures.versions import meets_minimum as kit_meets
from stubs.versions import meets_minimum as stubs_meets
from stubs.vssid.outcomes import Outcome as VssidOutcome
from suites.eligibility.combinations import REQUIREMENTS_BY_OUTCOME

ROOT = Path(__file__).resolve().parents[2]
_LITERAL_OUTCOME = re.compile(r"""outcome=["']([A-Z0-9_]+)["']""")


def outcome_copies() -> dict[str, set[str]]:
    """Every list of outcomes the kit and the stubs keep, by where it is kept."""
    vneid = {m for path in sorted((ROOT / "stubs" / "vneid").glob("*.py"))
             for m in _LITERAL_OUTCOME.findall(path.read_text(encoding="utf-8"))}
    return {
        "the oracle (fixtures/oracle.py) and its two refusals":
            {o.value for o in Outcome} | {PROTOCOL_ERROR, IDP_ERROR},
        "the reference VssID (stubs/vssid/outcomes.py)": {o.value for o in VssidOutcome},
        "the RP's locator keys (fixtures/config.py)": set(RP_LOCATED_OUTCOMES),
        "the eligibility suite's attribution (suites/eligibility/combinations.py)":
            {o.value for o in REQUIREMENTS_BY_OUTCOME} | {PROTOCOL_ERROR, IDP_ERROR},
    } | {"the stub VNeID's screens (stubs/vneid, its subset)": vneid,
         "the IdP's locator keys (fixtures/config.py, its subset)": set(LOCATED_OUTCOMES)}


def differences(copies: dict[str, set[str]]) -> list[str]:
    """Where a copy differs from the oracle's list (a subset copy may only lack values)."""
    reference = next(iter(copies.values()))
    found = []
    for where, values in copies.items():
        extra, missing = values - reference, reference - values
        if extra:
            found.append(f"{where} has {sorted(extra)}, which the oracle does not")
        if missing and "subset" not in where:
            found.append(f"{where} lacks {sorted(missing)}")
    return found


def test_every_copy_of_the_outcome_list_is_the_oracles():
    assert not differences(outcome_copies()), "\n".join(differences(outcome_copies()))


def test_the_outcome_contract_catches_a_changed_copy():
    copies = outcome_copies()
    copies["the reference VssID (stubs/vssid/outcomes.py)"] = \
        copies["the reference VssID (stubs/vssid/outcomes.py)"] - {"VSSID_PENDING"} | {"PENDING"}
    found = differences(copies)
    assert any("has ['PENDING']" in line for line in found)
    assert any("lacks ['VSSID_PENDING']" in line for line in found)


def persona_copies() -> dict[str, dict[str, dict]]:
    """Each persona source, keyed by ID number: the embedded target, the stub VNeID's people,
    the reference VssID's accounts."""
    target = {p.id_number: {"key": p.key, "name": p.name, "level": p.level,
                            "vneid_status": p.vneid_status, "vssid_account": p.vssid_account,
                            "password": p.password, "passcode": p.passcode,
                            "social_insurance_code": p.social_insurance_code}
              for p in load_target(DEFAULT_TARGET).persona}
    vneid = {r["id_number"]: r for r in json.loads(
        (ROOT / "stubs/vneid/data/personas.json").read_text(encoding="utf-8"))["personas"]}
    vssid = {r["id_number"]: r for r in json.loads(
        (ROOT / "stubs/vssid/data/accounts.json").read_text(encoding="utf-8"))["accounts"]}
    return {"target": target, "vneid": vneid, "vssid": vssid}


def persona_differences(copies: dict[str, dict[str, dict]]) -> list[str]:
    target, vneid, vssid = copies["target"], copies["vneid"], copies["vssid"]
    found = [f"{i}: in the embedded target, not in the stub VNeID"
             for i in target if i not in vneid]
    for id_number, person in target.items():
        record = vneid.get(id_number)
        if record is not None:
            for mine, theirs in (("key", "key"), ("name", "name"), ("level", "level"),
                                 ("vneid_status", "status"), ("password", "password"),
                                 ("passcode", "passcode"),
                                 ("social_insurance_code", "social_insurance_code")):
                if person[mine] != record.get(theirs):
                    found.append(f"{person['key']}: {mine} differs between the target and the "
                                 "stub VNeID")
        account = vssid.get(id_number)
        state = account["status"] if account else "none"
        if person["vssid_account"] != state:
            found.append(f"{person['key']}: vssid_account {person['vssid_account']!r} in the "
                         f"target, {state!r} at the reference VssID")
    return found


def test_every_persona_source_agrees():
    assert not persona_differences(persona_copies()), \
        "\n".join(persona_differences(persona_copies()))


def test_the_persona_contract_catches_a_changed_copy():
    copies = persona_copies()
    pending = next(i for i, p in copies["target"].items() if p["vssid_account"] == "pending")
    copies["vssid"][pending] = {**copies["vssid"][pending], "status": "active"}
    assert any("'pending' in the target, 'active' at the reference VssID" in line
               for line in persona_differences(copies))



# -- the version readers ------------------------------------------------------------------------
# The kit (fixtures/versions.py) and the stubs (one reader for both: stubs/versions.py) read
# versions with their own code, on purpose; they must agree on what is a version and on the
# order, bounds included.

VERSION_CORPUS = [
    "1.6.7", "1.6", "1", "1.6.7.0.0.0", "1.6.7.0.0.0.0", "01.6.7", "1.6.10", "1.6.07",
    "1.6.7-beta", "1.6.7-beta.1", "1.6.7-0", "1.6.7-rc.10", "1.6.7+42", "1.6.7-beta+42",
    "1.6.7+", "1.6.7-", "", " 1.6.7", "1.6.7 ", "v1.6.7", "1..6", "1.6.", ".1.6", "١.٦.٧",
    "１.６.７", "1.6.7-beta..1", "9" * 9 + ".0", "9" * 10 + ".0", "1.6.7-" + "a" * 58,
    "1.6.7-" + "a" * 59, "1.6.7+" + "b" * 70, "2.1.0", "2.0.9", "2.1", "2.1.0-beta",
    "1.6.7-" + "a" * 33, "1.6.7-a.b.c.d.e.f.g.h.i",  # long pre-releases within the 64 bound
]
MINIMUMS = ("1.6.7", "2.1.0")
READERS = {"the kit": kit_meets, "the stubs": stubs_meets}


def reader_splits(readers, cases) -> list[str]:
    """The (version, minimum) cases on which the readers do not all give one answer."""
    return [f"{version!r} ≥ {minimum}: {answers}" for version, minimum in cases
            if len(set((answers := {name: read(version, minimum)
                                    for name, read in readers.items()}).values())) > 1]


CORPUS_CASES = [(version, minimum) for version in VERSION_CORPUS for minimum in MINIMUMS]


def test_the_version_readers_agree_on_the_corpus():
    split = reader_splits(READERS, CORPUS_CASES)
    assert not split, "the version readers disagree:\n" + "\n".join(split)


@given(data=st.data())
def test_the_version_readers_agree_on_drawn_versions(data):
    minimum = data.draw(st.sampled_from(MINIMUMS), label="minimum")
    version = data.draw(st.one_of(versions(minimum), invalid_versions(minimum)),
                        label="version")
    assert not reader_splits(READERS, [(version, minimum)])


def test_the_version_contract_catches_a_reader_that_differs():
    # A reader that compares versions as text (1.6.10 < 1.6.7) in place of the kit's.
    readers = {**READERS, "the kit": lambda version, minimum: version >= minimum}
    assert any(line.startswith("'1.6.10' ≥ 1.6.7") for line in
               reader_splits(readers, CORPUS_CASES))
