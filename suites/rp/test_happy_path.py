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
    account = {key: session.get(key) for key in ("id_number_masked", "name",
                                                  "social_insurance_code")}
    wanted = {"id_number_masked": masked_id_number(person.id_number), "name": person.name,
              "social_insurance_code": person.social_insurance_code}
    check(account == wanted, "RP-15", f"the VssID account of the person who logged in "
          f"({wanted})", f"the session holds {account}")
    redemptions = len(requests_to(kit_vneid.received(), "/token"))
    check(redemptions == 1, "RP-07", "the code redeemed once", f"{redemptions} token requests")
