"""Server-side records of a login in progress, the codes it yields, and the tokens they buy."""

from __future__ import annotations

import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from stubs.redaction import witness

REPLAY_MEMORY_SECONDS = 600
# Records one table may hold; past it the oldest go first (at 300 logins a second, access tokens
# of 300 s alone are 90,000).
MAX_RECORDS = 200_000


@dataclass(frozen=True)
class AuthorizationRequest:
    """A validated authorization request from a registered client."""

    client_id: str
    redirect_uri: str
    scope: tuple[str, ...]
    state: str | None
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    level2_requested: bool


@dataclass
class Transaction:
    """A login in progress on the VNeID screens; `stage` says which form may come next."""

    id: str
    request: AuthorizationRequest
    expires_at: float
    stage: str = "login"
    id_number: str | None = None
    auth_time: int | None = None


@dataclass
class CodeGrant:
    """An authorization code and everything it is bound to."""

    code: str
    request: AuthorizationRequest
    id_number: str
    acr: str
    auth_time: int
    expires_at: float
    used: bool = False
    access_tokens: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AccessGrant:
    """An access token for the userinfo endpoint."""

    token: str
    client_id: str
    id_number: str
    scope: tuple[str, ...]
    expires_at: float


class _Expiry:
    """The keys of one table in the order they expire: records of a table share one lifetime,
    so that is the order they were made in."""

    def __init__(self, table: dict) -> None:
        self.table = table
        self._queue: deque[tuple[float, str]] = deque()

    def add(self, key: str, expires_at: float) -> None:
        self._queue.append((expires_at, key))

    def clear(self) -> None:
        self._queue.clear()

    def drop(self, horizon: float) -> None:
        """Remove what expired at or before `horizon`, and the oldest past MAX_RECORDS."""
        queue, table = self._queue, self.table
        while queue and (queue[0][0] <= horizon or len(table) > MAX_RECORDS):
            _, key = queue.popleft()
            record = table.get(key)
            if record is not None and (record.expires_at <= horizon
                                       or len(table) > MAX_RECORDS):
                del table[key]


class GrantStore:
    """Transactions, codes and access tokens, all in memory, all expiring."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.transactions: dict[str, Transaction] = {}
        self.codes: dict[str, CodeGrant] = {}
        self.access_tokens: dict[str, AccessGrant] = {}
        self._expiry = {name: _Expiry(table) for name, table in (
            ("transactions", self.transactions), ("codes", self.codes),
            ("access_tokens", self.access_tokens))}

    def reset(self) -> None:
        """Forget every login in progress, code and token."""
        self.transactions.clear()
        self.codes.clear()
        self.access_tokens.clear()
        for expiry in self._expiry.values():
            expiry.clear()

    def _sweep(self) -> None:
        """Drop expired records so memory stays bounded under load, in time that does not grow
        with how many are held (a full scan on every login made each login slower the more
        logins were held: scripts/bench_vneid_load.py).

        After the clock is put back, a record may wait behind a younger one that outlives it;
        it is refused all the same, since every lookup checks the expiry itself.
        """
        now = self._clock()
        self._expiry["transactions"].drop(now)
        self._expiry["access_tokens"].drop(now)
        # Codes outlive their expiry a while, so a late replay is still recognised as one.
        self._expiry["codes"].drop(now - REPLAY_MEMORY_SECONDS)

    def start_transaction(self, request: AuthorizationRequest, ttl: float) -> Transaction:
        """Record a new login in progress."""
        self._sweep()
        tx = Transaction(secrets.token_urlsafe(32), request, self._clock() + ttl)
        witness("tx", tx.id)
        self.transactions[tx.id] = tx
        self._expiry["transactions"].add(tx.id, tx.expires_at)
        return tx

    def transaction(self, tx_id: str, stage: str) -> Transaction | None:
        """The live transaction with this id, only if it is at the given stage."""
        tx = self.transactions.get(tx_id)
        if tx is None or tx.expires_at <= self._clock() or tx.stage != stage:
            return None
        return tx

    def end_transaction(self, tx: Transaction) -> None:
        """A transaction is over (handed back, locked out, or abandoned)."""
        self.transactions.pop(tx.id, None)

    def issue_code(self, tx: Transaction, acr: str, ttl: float) -> CodeGrant:
        """A fresh single-use code for a finished login."""
        assert tx.id_number is not None and tx.auth_time is not None
        grant = CodeGrant(
            code=secrets.token_urlsafe(32),
            request=tx.request,
            id_number=tx.id_number,
            acr=acr,
            auth_time=tx.auth_time,
            expires_at=self._clock() + ttl,
        )
        witness("code", grant.code)
        self.codes[grant.code] = grant
        self._expiry["codes"].add(grant.code, grant.expires_at)
        return grant

    def issue_access_token(self, grant: CodeGrant, ttl: float) -> AccessGrant:
        """A fresh access token bought with a code."""
        access = AccessGrant(
            token=secrets.token_urlsafe(32),
            client_id=grant.request.client_id,
            id_number=grant.id_number,
            scope=grant.request.scope,
            expires_at=self._clock() + ttl,
        )
        witness("access_token", access.token)
        self.access_tokens[access.token] = access
        self._expiry["access_tokens"].add(access.token, access.expires_at)
        grant.access_tokens.append(access.token)
        return access

    def revoke_tokens_of(self, grant: CodeGrant) -> None:
        """A replayed code revokes what was issued from it (RFC 6749 §4.1.2)."""
        for token in grant.access_tokens:
            self.access_tokens.pop(token, None)

    def access_grant(self, token: str) -> AccessGrant | None:
        """The live access grant for a bearer token, if any."""
        access = self.access_tokens.get(token)
        if access is None or access.expires_at <= self._clock():
            return None
        return access
