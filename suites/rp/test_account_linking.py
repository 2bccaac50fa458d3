"""Which VssID account a verified VNeID identity opens (RP-15, N-ELIG-1, N-ELIG-2)."""

from __future__ import annotations

import pytest

from fixtures.checks import ConformanceFailure, refused_without_session
from fixtures.oracle import Attempt, expected_outcome, masked_id_number
from fixtures.systems import not_applicable


def _attempt(persona) -> Attempt:
    return Attempt(level=persona.level, vneid_status=persona.vneid_status,
                   vssid_account=persona.vssid_account)


@pytest.mark.req("N-ELIG-1")
@pytest.mark.parametrize("key", ["l2_no_vssid", "l2_vssid_pending", "l2_vssid_locked"])
def test_vssid_account_state_decides(rp, personas, key):
    person = personas[key]
    expected = expected_outcome(_attempt(person))
    screen = rp.log_in(person)
    refused_without_session(rp, screen, "N-ELIG-1", expected)


@pytest.mark.req("N-ELIG-2", "RP-13")
def test_a_level1_person_is_refused(rp, personas):
    person = personas["l1_active"]
    screen = rp.log_in(person)
    refused_without_session(rp, screen, "N-ELIG-2", expected_outcome(_attempt(person)))


@pytest.mark.req("RP-15")
def test_linked_by_the_verified_id_number_not_by_name(rp, personas, kit_vneid):
    """A different person who shares a VssID holder's name must not get into that account."""
    holder = personas["l2_active"]
    namesake = {
        "id_number": "079301009876", "name": holder.name, "birthdate": "2001-05-05",
        "sex": "F", "level": 2, "status": "active", "password": "Trung@Ten01",
        "passcode": "975310", "social_insurance_code": "7911122233",
    }
    kit_vneid.put_persona("namesake", namesake)
    screen = rp.log_in(_Credentials(**{k: namesake[k] for k in
                                       ("id_number", "password", "passcode")}))
    session = rp.session()
    if session.logged_in:
        raise ConformanceFailure(
            "RP-15", "no session for a person without a VssID account",
            f"logged in ({session.shown}) as "
            f"{masked_id_number(holder.id_number)}'s namesake")
    refused_without_session(rp, screen, "RP-15", "NO_VSSID_ACCOUNT")


@pytest.mark.req("RP-15")
def test_linked_by_the_verified_id_number_not_by_phone(rp, personas, kit_vneid):
    """A family member who shares a VssID holder's phone must not get into that account: VNeID
    vouches for the number, but a number is not a person."""
    holder = personas["l2_active"]
    phone = next((r.get("phone_number") for r in kit_vneid.personas()
                  if r["id_number"] == holder.id_number), None)
    if not phone:
        not_applicable("the kit's VNeID holds no phone number for the l2_active persona "
                       "(stubs/vneid/data/personas.json gives one)")
    relative = {
        "id_number": "079302004455", "name": "Lê Minh Châu", "birthdate": "2002-08-08",
        "sex": "F", "level": 2, "status": "active", "password": "Chau@Le2002",
        "passcode": "864213", "social_insurance_code": "7922233344", "phone_number": phone,
    }
    kit_vneid.put_persona("relative", relative)
    screen = rp.log_in(_Credentials(**{k: relative[k] for k in
                                       ("id_number", "password", "passcode")}))
    session = rp.session()
    if session.logged_in:
        raise ConformanceFailure(
            "RP-15", "no session for a person without a VssID account",
            f"logged in ({session.shown}) with the phone number of the account holder")
    refused_without_session(rp, screen, "RP-15", "NO_VSSID_ACCOUNT")


class _Credentials:
    """Just what the VNeID login screens ask for."""

    def __init__(self, id_number: str, password: str, passcode: str) -> None:
        self.id_number, self.password, self.passcode = id_number, password, passcode
