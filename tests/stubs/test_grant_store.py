"""The stub VNeID's grant store forgets what expired, from its oldest end (stubs/vneid/grants.py).

Each login starts a transaction, and starting one sweeps the store. The sweep used to scan every
record it held, so each login cost more the more logins were held (under load a quarter of the
stub's time: scripts/bench_vneid_load.py); it now drops from the oldest end and stops at the
first live record. These tests hold what it must still do.
"""

from __future__ import annotations

import pytest

from stubs.vneid import grants
from stubs.vneid.grants import REPLAY_MEMORY_SECONDS, AuthorizationRequest, GrantStore

REQUEST = AuthorizationRequest(
    client_id="vssid", redirect_uri="https://127.0.0.1:9/cb", scope=("openid",), state="s",
    nonce="n", code_challenge="c", code_challenge_method="S256", level2_requested=True)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def finished(store: GrantStore, clock: Clock, ttl: float = 600):
    """A transaction through to its code and access token."""
    tx = store.start_transaction(REQUEST, ttl)
    tx.id_number, tx.auth_time = "084190012345", int(clock.now)
    code = store.issue_code(tx, "urn:vn:vneid:loa:2", 60)
    store.end_transaction(tx)
    return tx, code, store.issue_access_token(code, 300)


def test_expired_records_go_and_live_ones_stay():
    clock = Clock()
    store = GrantStore(clock)
    old_tx = store.start_transaction(REQUEST, 600)
    _, old_code, old_token = finished(store, clock)
    clock.now += 400  # the access token (300 s) expired; the transaction (600 s) did not
    new_tx = store.start_transaction(REQUEST, 600)
    assert old_token.token not in store.access_tokens
    assert old_tx.id in store.transactions and new_tx.id in store.transactions
    assert old_code.code in store.codes  # a code is kept to recognise a late replay
    clock.now += 300  # the first transaction has expired now, the second not
    store.start_transaction(REQUEST, 600)
    assert old_tx.id not in store.transactions and new_tx.id in store.transactions


def test_codes_are_forgotten_only_after_the_replay_memory():
    clock = Clock()
    store = GrantStore(clock)
    _, code, _ = finished(store, clock)
    clock.now += 60 + REPLAY_MEMORY_SECONDS - 1
    store.start_transaction(REQUEST, 600)
    assert code.code in store.codes
    clock.now += 2
    store.start_transaction(REQUEST, 600)
    assert code.code not in store.codes


def test_a_record_not_yet_swept_is_still_refused_once_expired():
    # The clock put back (the control plane's DELETE /_stub/clock): a younger record may then
    # expire before an older one, and wait behind it in the sweep. The lookup refuses it.
    clock = Clock()
    store = GrantStore(clock)
    store.start_transaction(REQUEST, 600)
    clock.now -= 500
    short = store.start_transaction(REQUEST, 10)
    clock.now += 20
    store.start_transaction(REQUEST, 600)
    assert short.id in store.transactions  # behind the older, longer-lived one
    assert store.transaction(short.id, "login") is None


def test_many_live_records_are_all_kept():
    clock = Clock()
    store = GrantStore(clock)
    ids = [store.start_transaction(REQUEST, 600).id for _ in range(2000)]
    clock.now += 1
    store.start_transaction(REQUEST, 600)
    assert all(i in store.transactions for i in ids)


def test_past_the_cap_the_oldest_go_first(monkeypatch):
    monkeypatch.setattr(grants, "MAX_RECORDS", 5)
    clock = Clock()
    store = GrantStore(clock)
    ids = [store.start_transaction(REQUEST, 600).id for _ in range(8)]
    assert list(store.transactions) == ids[-6:]  # the sweep runs before each new one
    store.start_transaction(REQUEST, 600)
    assert len(store.transactions) == 6 and ids[0] not in store.transactions


@pytest.mark.parametrize("table", ["transactions", "codes", "access_tokens"])
def test_reset_forgets_everything(table):
    clock = Clock()
    store = GrantStore(clock)
    finished(store, clock)
    store.start_transaction(REQUEST, 600)
    store.reset()
    assert getattr(store, table) == {}
    clock.now += 10_000
    store.start_transaction(REQUEST, 600)  # the sweep copes with keys reset already dropped
    assert len(store.transactions) == 1
