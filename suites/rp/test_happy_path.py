"""The unchanged journey every RP test departs from: it must work before anything is changed."""

from __future__ import annotations

import pytest

from fixtures.checks import logged_in, requests_to
from fixtures.oracle import masked_id_number


@pytest.mark.req("N-FLOW-4", "RP-15")
def test_happy_path_logs_in_the_same_person(rp, personas, kit_vneid):
    person = personas["l2_active"]
    screen = rp.log_in(person)
    logged_in(rp, screen, "N-FLOW-4")
    session = rp.session()
    assert session["id_number_masked"] == masked_id_number(person.id_number)
    assert session["name"] == person.name
    assert session["social_insurance_code"] == person.social_insurance_code
    assert len(requests_to(kit_vneid.received(), "/token")) == 1
