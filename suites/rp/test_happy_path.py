"""The unchanged journey every RP test departs from: it must work before anything is changed."""

from __future__ import annotations

import pytest

from fixtures.checks import check, logged_in, requests_to
from fixtures.oracle import masked_id_number


@pytest.mark.req("N-FLOW-4", "RP-15", "RP-07")
def test_happy_path_logs_in_the_same_person(rp, personas, kit_vneid):
    person = personas["l2_active"]
    screen = rp.log_in(person)
    logged_in(rp, screen, "N-FLOW-4")
    session = rp.session()
    # What the RP shows of the account (an RP may show less: what it shows must be theirs).
    wanted = {"name": person.name, "social_insurance_code": person.social_insurance_code}
    shown = {key: getattr(session, key) for key in wanted if getattr(session, key)}
    check(session.is_of(person.id_number) and shown.items() <= wanted.items(), "RP-15",
          "the VssID account of the person who logged in "
          f"({masked_id_number(person.id_number)}, {wanted})",
          f"{session.shown}, showing {shown}")
    redemptions = len(requests_to(kit_vneid.received(), "/token"))
    check(redemptions == 1, "RP-07", "the code redeemed once", f"{redemptions} token requests")
